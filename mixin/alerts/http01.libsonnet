// Root cause 2: the HTTP-01 challenge cannot be answered.
local alert = import '../lib/alert.libsonnet';

{
  local c = $._config,
  local sel = c.acmeExporterSelector,
  local cl = c.clusterLabel,
  // The exporter names the reason per domain and address family in
  // acme_http01_failure_info (ip_family "local" for standalone mode).
  local http01Reason(familyMatcher, args) =
    alert.reasonOf(c, 'acme_http01_failure_info', 'reason', '%s="%%s", domain="%%s", %s' % [cl, familyMatcher], '$labels.%s %s' % [cl, args]),

  prometheusAlerts+:: {
    groups+: [
      alert.group(c, 'acme-http01', 'acme-http01.json', [
        alert.rule(
          c,
          'AcmeHttp01Unreachable',
          'warning',
          15 * 60,
          'The HTTP-01 challenge path of a domain does not answer as the CA needs.',
          'http://{{ $labels.domain }}/.well-known/acme-challenge/ over {{ $labels.ip_family }} does not answer as an ACME CA would need (checked from every exporter); HTTP-01 validation over this address family will fail.%s' %
          http01Reason('ip_family="%s"', '$labels.domain $labels.ip_family'),
          // A prober without IPv6 says nothing about the CA's view: its
          // series are left out (reason prober_no_ipv6).
          |||
            min by (%(cl)s, domain, ip_family) (
              acme_http01_reachable{%(sel)s}
              unless on (%(cl)s, job, instance, domain, ip_family)
              acme_http01_failure_info{%(sel)s, reason="prober_no_ipv6"}
            ) == 0
          ||| % { sel: sel, cl: cl },
        ),
        alert.rule(
          c,
          'AcmeHttp01PortTaken',
          'critical',
          15 * 60,
          'Port 80 is held by another process on a host that renews in standalone mode.',
          'The ACME client of {{ $labels.domain }} on {{ $labels.instance }} answers HTTP-01 in standalone mode and must bind port {{ $labels.port }} itself, but another process holds it; the next renewal will fail.%s' %
          http01Reason('ip_family="local"', '$labels.domain'),
          'acme_http01_standalone_port_available{%s} == 0\n' % sel,
        ),
      ]),
    ],
  },
}
