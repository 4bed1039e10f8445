// Root cause 3: DNS-01 propagation, DNSSEC and CAA.
local dashboard = import '../lib/dashboard.libsonnet';
local panel = import '../lib/panel.libsonnet';

{
  local c = $._config,
  local s = c.dashboardSelector,

  grafanaDashboards+:: {
    'acme-dns.json': dashboard.new(c, 'acme-dns.json', 'DNS', 'Root cause 3: authoritative nameservers, SOA serials, _acme-challenge TXT consistency, DNSSEC signatures and CAA.', [
      panel.firingAlerts(c, dashboard.alertsOf($, 'acme-dns.json')),
      panel.timeseries(
        'SOA serial per nameserver',
        'SOA serial of each zone on each authoritative nameserver. Lines that stay apart mean a secondary is not catching up.',
        'none',
        [panel.query('max by (zone, nameserver) (acme_dns_soa_serial{%s, nameserver!=""})' % s, '{{zone}} {{nameserver}}')],
      ),
      panel.timeseries(
        'Serials consistent',
        '1 while all authoritative nameservers of the zone serve the same SOA serial.',
        'bool_yes_no',
        [panel.query('min by (zone) (acme_dns_soa_serial_consistent{%s})' % s, '{{zone}}')],
      ),
      panel.timeseries(
        'Nameserver up',
        '1 while the nameserver answers authoritatively for the zone.',
        'bool_yes_no',
        [panel.query('min by (zone, nameserver) (acme_dns_nameserver_up{%s})' % s, '{{zone}} {{nameserver}}')],
      ),
      panel.timeseries(
        'DNSSEC signatures expire in',
        'Time until the earliest RRSIG of the zone on each nameserver expires.',
        's',
        [panel.query('min by (zone, nameserver) (acme_dns_rrsig_expiry_timestamp_seconds{%s}) - time()' % s, '{{zone}} {{nameserver}}')],
      ),
      panel.timeseries(
        '_acme-challenge TXT consistent',
        '1 while all authoritative servers return the same _acme-challenge TXT set.',
        'bool_yes_no',
        [panel.query('min by (domain) (acme_dns_txt_consistent{%s})' % s, '{{domain}}')],
      ),
      panel.reasons(
        'Nameserver failure reasons',
        'Why a nameserver is not up for a zone (timeout, refused, servfail, not_authoritative ...), from acme_dns_nameserver_failure_info.',
        'acme_dns_nameserver_failure_info{%s}' % s,
      ),
      panel.reasons(
        'CAA verdict reasons',
        'The CAA verdict per domain and issuer with its reason and the name whose CAA RRset was relevant, from acme_dns_caa_info.',
        'acme_dns_caa_info{%s}' % s,
      ),
      panel.table(
        'Delegation and CNAME',
        'Delegation consistent: the parent delegates to the NS set the zone publishes. CNAME target healthy: the zone an _acme-challenge CNAME points to is served. Canary present: the nameserver returns the canary TXT value.',
        [
          panel.query('min by (zone) (acme_dns_delegation_consistent{%s})' % s),
          panel.query('min by (domain) (acme_dns_cname_target_healthy{%s})' % s),
          panel.query('min by (domain, nameserver) (acme_dns_canary_present{%s})' % s),
        ],
        [
          { name: 'Delegation consistent', unit: 'bool_yes_no', thresholds: [{ color: 'red', value: null }, { color: 'green', value: 1 }] },
          { name: 'CNAME target healthy', unit: 'bool_yes_no', thresholds: [{ color: 'red', value: null }, { color: 'green', value: 1 }] },
          { name: 'Canary present', unit: 'bool_yes_no', thresholds: [{ color: 'red', value: null }, { color: 'green', value: 1 }] },
        ],
        w=12,
        h=8,
      ),
      panel.table(
        'CAA',
        'Whether CAA records let the issuer issue for the domain.',
        [panel.query('min by (domain, issuer) (acme_dns_caa_issuance_allowed{%s})' % s)],
        [{ name: 'Issuance allowed', unit: 'bool_yes_no', thresholds: [{ color: 'red', value: null }, { color: 'green', value: 1 }] }],
        w=12,
        h=8,
      ),
    ]),
  },
}
