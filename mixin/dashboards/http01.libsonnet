// Root cause 2: HTTP-01 reachability per address family.
local dashboard = import '../lib/dashboard.libsonnet';
local panel = import '../lib/panel.libsonnet';

{
  local c = $._config,
  local s = c.dashboardSelector,

  grafanaDashboards+:: {
    'acme-http01.json': dashboard.new(c, 'acme-http01.json', 'HTTP-01', 'Root cause 2: the HTTP-01 challenge path per domain and address family, as the CA would fetch it, and what listens on port 80.', [
      panel.firingAlerts(c, dashboard.alertsOf($, 'acme-http01.json')),
      panel.timeseries(
        'HTTP-01 reachable (all exporters)',
        'min by (domain, ip_family): 0 when the challenge path fails from at least one exporter.',
        'bool_yes_no',
        [panel.query('min by (domain, ip_family) (acme_http01_reachable{%s})' % s, '{{domain}} {{ip_family}}')],
      ),
      panel.timeseries(
        'HTTP-01 reachable per exporter',
        'The challenge path as seen from each exporter.',
        'bool_yes_no',
        [panel.query('acme_http01_reachable{%s}' % s, '{{domain}} {{ip_family}} from {{instance}}')],
      ),
      panel.reasons(
        'HTTP-01 failure reasons',
        'Why the challenge path fails per domain and address family (status, redirect, timeout, prober_no_ipv6 ...), from acme_http01_failure_info. prober_no_ipv6 is the exporter host lacking IPv6, not the CA view, and does not alert.',
        'acme_http01_failure_info{%s}' % s,
      ),
      panel.table(
        'Local listeners',
        'Ports with a local listener. In standalone mode, port 80 must be free between renewals.',
        [panel.query('acme_port_listening{%s}' % s)],
        [{ name: 'Listening', unit: 'bool_yes_no' }],
        w=12,
      ),
    ]),
  },
}
