// Root cause 3: DNS-01 records not propagated, broken delegation or
// DNSSEC, CAA. Several exporters may check one zone: aggregated by zone or
// domain so that one fault alerts once.
local alert = import '../lib/alert.libsonnet';

{
  local c = $._config,
  local sel = c.acmeExporterSelector,
  local cl = c.clusterLabel,

  prometheusAlerts+:: {
    groups+: [
      alert.group(c, 'acme-dns', 'acme-dns.json', [
        alert.rule(
          c,
          'AcmeDnsSerialOutOfSync',
          'warning',
          c.dnsPropagationBudgetSeconds,
          'Authoritative nameservers of a zone serve different SOA serials.',
          'The authoritative nameservers of zone {{ $labels.zone }} have served different SOA serials for longer than the propagation budget; a DNS-01 record may not be visible on all of them when the CA validates.',
          'min by (%s, zone) (acme_dns_soa_serial_consistent{%s}) == 0\n' % [cl, sel],
        ),
        alert.rule(
          c,
          'AcmeDnsNameserverDown',
          'warning',
          15 * 60,
          'An authoritative nameserver does not answer authoritatively.',
          'Nameserver {{ $labels.nameserver }} of zone {{ $labels.zone }} does not answer authoritatively (down or lame); the CA may query it during DNS-01 or CAA checks.%s' %
          alert.reasonOf(c, 'acme_dns_nameserver_failure_info', 'reason', '%s="%%s", zone="%%s", nameserver="%%s"' % cl, '$labels.%s $labels.zone $labels.nameserver' % cl),
          'min by (%s, zone, nameserver) (acme_dns_nameserver_up{%s}) == 0\n' % [cl, sel],
        ),
        alert.rule(
          c,
          'AcmeDnsRrsigExpiringSoon',
          'warning',
          60 * 60,
          'DNSSEC signatures of a zone expire soon.',
          'DNSSEC signatures of zone {{ $labels.zone }} on {{ $labels.nameserver }} expire in {{ $value | humanizeDuration }}; once expired, validating resolvers (the CA uses one) get SERVFAIL and DNS-01 and CAA checks fail.',
          'min by (%s, zone, nameserver) (acme_dns_rrsig_expiry_timestamp_seconds{%s}) - time() < %d\n' % [cl, sel, c.dnsRrsigExpiringSeconds],
        ),
        alert.rule(
          c,
          'AcmeDnsTxtInconsistent',
          'warning',
          c.dnsTxtInconsistentForSeconds,
          'Authoritative nameservers return different _acme-challenge TXT records.',
          'The authoritative nameservers of {{ $labels.domain }} return different _acme-challenge TXT sets; a DNS-01 validation now would see a missing or stale record on some of them.',
          'min by (%s, domain) (acme_dns_txt_consistent{%s}) == 0\n' % [cl, sel],
        ),
        alert.rule(
          c,
          'AcmeDnsCanaryMissing',
          'warning',
          c.dnsStructureForSeconds,
          'A nameserver does not return the DNS-01 canary record.',
          'Nameserver {{ $labels.nameserver }} does not return the canary TXT value at the challenge name of {{ $labels.domain }}; records the ACME client publishes there do not reach it, so a DNS-01 validation that asks it fails.',
          'min by (%s, domain, nameserver) (acme_dns_canary_present{%s}) == 0\n' % [cl, sel],
        ),
        alert.rule(
          c,
          'AcmeDnsCnameTargetUnhealthy',
          'warning',
          c.dnsStructureForSeconds,
          'The zone an _acme-challenge CNAME points to is not served.',
          'The _acme-challenge CNAME of {{ $labels.domain }} points to a zone that was not found or whose nameservers are not all up; the CA follows the CNAME during DNS-01, so a renewal fails if the zone is gone or the CA asks a nameserver that is down.',
          'min by (%s, domain) (acme_dns_cname_target_healthy{%s}) == 0\n' % [cl, sel],
        ),
        alert.rule(
          c,
          'AcmeDnsDelegationInconsistent',
          'warning',
          c.dnsStructureForSeconds,
          'The parent zone delegates to other nameservers than the zone lists.',
          'The NS set the parent delegates zone {{ $labels.zone }} to differs from the NS set the zone publishes; the CA may ask a nameserver the client does not update.',
          'min by (%s, zone) (acme_dns_delegation_consistent{%s}) == 0\n' % [cl, sel],
        ),
        alert.rule(
          c,
          'AcmeCaaForbidsIssuance',
          'critical',
          15 * 60,
          'A CAA record forbids the ACME CA to issue for a domain.',
          'CAA records for {{ $labels.domain }} do not allow {{ $labels.issuer }} to issue; the next renewal will fail with a caa error.%s' %
          alert.reasonOf(c, 'acme_dns_caa_info', 'reason', '%s="%%s", domain="%%s", issuer="%%s"' % cl, '$labels.%s $labels.domain $labels.issuer' % cl),
          'min by (%s, domain, issuer) (acme_dns_caa_issuance_allowed{%s}) == 0\n' % [cl, sel],
        ),
      ]),
    ],
  },
}
