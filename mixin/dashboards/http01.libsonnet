// Root cause 2: HTTP-01 reachability per address family.
local dashboard = import '../lib/dashboard.libsonnet';
local panel = import '../lib/panel.libsonnet';

{
  local c = $._config,
  local s = c.dashboardSelector,

  grafanaDashboards+:: {
    'acme-http01.json': dashboard.new(c, 'acme-http01.json', 'HTTP-01', 'Root cause 2: the HTTP-01 challenge path per domain and address family, as the CA would fetch it, and what listens on port 80.', [
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
      panel.table(
        'HTTP-01 failures',
        'Why the HTTP-01 check fails (status, redirect, timeout ...), from acme_probe_failure_info.',
        [panel.query('acme_probe_failure_info{%s, check="http01"}' % s)],
        [{ name: 'Failing', unit: 'bool_yes_no' }],
        w=12,
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
