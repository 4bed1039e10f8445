// Root cause 3: DNS-01 records not propagated, broken DNSSEC, CAA.
local alert = import '../lib/alert.libsonnet';

{
  local c = $._config,
  local sel = c.acmeExporterSelector,

  prometheusAlerts+:: {
    groups+: [
      alert.group('acme-dns', [
        alert.rule(
          c,
          'AcmeDnsSerialOutOfSync',
          'warning',
          c.dnsPropagationBudgetSeconds,
          'Authoritative nameservers of a zone serve different SOA serials.',
          'The authoritative nameservers of zone {{ $labels.zone }} have served different SOA serials for longer than the propagation budget; a DNS-01 record may not be visible on all of them when the CA validates.',
          'min by (zone) (acme_dns_soa_serial_consistent{%s}) == 0\n' % sel,
        ),
        alert.rule(
          c,
          'AcmeDnsNameserverDown',
          'warning',
          15 * 60,
          'An authoritative nameserver does not answer authoritatively.',
          'Nameserver {{ $labels.nameserver }} of zone {{ $labels.zone }} does not answer authoritatively (down or lame); the CA may query it during DNS-01 or CAA checks.%s' %
          alert.reason(c, 'dns', 'target=~".*%s.*"', '$labels.zone'),
          'min by (zone, nameserver) (acme_dns_nameserver_up{%s}) == 0\n' % sel,
        ),
        alert.rule(
          c,
          'AcmeDnsRrsigExpiringSoon',
          'warning',
          60 * 60,
          'DNSSEC signatures of a zone expire soon.',
          'DNSSEC signatures of zone {{ $labels.zone }} on {{ $labels.nameserver }} expire in {{ $value | humanizeDuration }}; once expired, validating resolvers (the CA uses one) get SERVFAIL and DNS-01 and CAA checks fail.',
          'min by (zone, nameserver) (acme_dns_rrsig_expiry_timestamp_seconds{%s}) - time() < %d\n' % [sel, c.dnsRrsigExpiringSeconds],
        ),
        alert.rule(
          c,
          'AcmeDnsTxtInconsistent',
          'warning',
          c.dnsTxtInconsistentForSeconds,
          'Authoritative nameservers return different _acme-challenge TXT records.',
          'The authoritative nameservers of {{ $labels.domain }} return different _acme-challenge TXT sets; a DNS-01 validation now would see a missing or stale record on some of them.',
          'min by (domain) (acme_dns_txt_consistent{%s}) == 0\n' % sel,
        ),
        alert.rule(
          c,
          'AcmeCaaForbidsIssuance',
          'critical',
          15 * 60,
          'A CAA record forbids the ACME CA to issue for a domain.',
          'CAA records for {{ $labels.domain }} do not allow {{ $labels.issuer }} to issue; the next renewal will fail with a caa error.',
          'min by (domain, issuer) (acme_dns_caa_issuance_allowed{%s}) == 0\n' % sel,
        ),
      ]),
    ],
  },
}
