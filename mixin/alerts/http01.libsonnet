// Root cause 2: the HTTP-01 challenge cannot be answered.
local alert = import '../lib/alert.libsonnet';

{
  local c = $._config,
  local sel = c.acmeExporterSelector,

  prometheusAlerts+:: {
    groups+: [
      alert.group('acme-http01', [
        alert.rule(
          c,
          'AcmeHttp01Unreachable',
          'warning',
          15 * 60,
          'The HTTP-01 challenge path of a domain does not answer as the CA needs.',
          'http://{{ $labels.domain }}/.well-known/acme-challenge/ over {{ $labels.ip_family }} does not answer as an ACME CA would need (checked from every exporter); HTTP-01 validation over this address family will fail.%s' %
          alert.reason(c, 'http01', 'target=~".*%s.*"', '$labels.domain'),
          'min by (domain, ip_family) (acme_http01_reachable{%s}) == 0\n' % sel,
        ),
        alert.rule(
          c,
          'AcmeHttp01PortTaken',
          'critical',
          15 * 60,
          'Port 80 is held by another process on a host that renews in standalone mode.',
          'Something listens on port {{ $labels.port }} on {{ $labels.instance }}, whose ACME client answers HTTP-01 in standalone mode and must bind that port itself; the next renewal will fail.',
          'acme_port_listening{%s, port="80", %s} == 1\n' % [sel, c.http01StandaloneSelector],
        ),
      ]),
    ],
  },
}
