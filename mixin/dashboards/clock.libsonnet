// Root cause 5: clock skew.
local dashboard = import '../lib/dashboard.libsonnet';
local panel = import '../lib/panel.libsonnet';

{
  local c = $._config,
  local s = c.dashboardSelector,

  grafanaDashboards+:: {
    'acme-clock.json': dashboard.new(c, 'acme-clock.json', 'Clock', 'Root cause 5: local clock against NTP and the ACME server Date header. Skew does not cause badNonce; it makes new certificates look not yet valid and shifts renewal timing.', [
      panel.firingAlerts(c, dashboard.alertsOf($, 'acme-clock.json')),
      panel.timeseries(
        'Clock offset',
        'Local clock minus reference. Negative = behind. The ACME Date header has 1 s resolution.',
        's',
        [panel.query('acme_clock_offset_seconds{%s}' % s, '{{instance}} vs {{reference}} {{server}}')],
        w=24,
      ) + panel.thresholds([[c.clockOffsetWarningSeconds, 'orange']]),
      panel.timeseries(
        'Kernel synchronised',
        '1 while the kernel reports the clock as synchronised.',
        'bool_yes_no',
        [panel.query('acme_clock_synchronized{%s}' % s, '{{instance}}')],
      ),
      panel.timeseries(
        'NTP check success',
        '1 while the NTP reference answers.',
        'bool_yes_no',
        [panel.query('acme_probe_success{%s, check=~"clock_ntp|clock_kernel"}' % s, '{{check}} {{target}} {{instance}}')],
      ),
    ]),
  },
}
