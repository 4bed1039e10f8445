// Root cause 3: DNS-01 propagation, DNSSEC and CAA.
local dashboard = import '../lib/dashboard.libsonnet';
local panel = import '../lib/panel.libsonnet';

{
  local c = $._config,
  local s = c.dashboardSelector,

  grafanaDashboards+:: {
    'acme-dns.json': dashboard.new(c, 'acme-dns.json', 'DNS', 'Root cause 3: authoritative nameservers, SOA serials, _acme-challenge TXT consistency, DNSSEC signatures and CAA.', [
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
