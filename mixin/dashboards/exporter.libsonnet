// Renewal job activity, ACME directory, and exporter health.
local dashboard = import '../lib/dashboard.libsonnet';
local panel = import '../lib/panel.libsonnet';

{
  local c = $._config,
  local s = c.dashboardSelector,

  grafanaDashboards+:: {
    'acme-exporter.json': dashboard.new(c, 'acme-exporter.json', 'Renewal jobs and exporter', 'Renewal job activity, ACME directory reachability, and the health of acme_exporter itself.', [
      panel.firingAlerts(c, dashboard.alertsOf($, 'acme-exporter.json')),
      panel.timeseries(
        'Renewal job last ran',
        'Time since each ACME client renewal job last ran.',
        's',
        [panel.query('time() - acme_renewal_last_run_timestamp_seconds{%s}' % s, '{{client}} {{instance}}')],
      ) + panel.thresholds([[c.renewalJobMaxAgeSeconds, 'red']]),
      panel.timeseries(
        'Planned renewal',
        'Time until each client plans to renew (negative = overdue).',
        's',
        [panel.query('acme_renewal_scheduled_timestamp_seconds{%s} - time()' % s, '{{client}} {{name}} {{instance}}')],
      ),
      panel.timeseries(
        'ACME directory and nonce',
        'Directory fetched and valid; newNonce answered with a Replay-Nonce.',
        'bool_yes_no',
        [
          panel.query('acme_directory_up{%s}' % s, 'directory {{directory}} {{instance}}'),
          panel.query('acme_directory_nonce_ok{%s}' % s, 'nonce {{directory}} {{instance}}'),
        ],
      ),
      panel.timeseries(
        'Scrape up',
        'Prometheus scrape success per exporter target.',
        'bool_yes_no',
        [panel.query('up{%s}' % s, '{{job}} {{instance}}')],
      ),
      panel.timeseries(
        'Collector duration',
        'Time each collector took in the last scrape.',
        's',
        [panel.query('acme_exporter_collector_duration_seconds{%s}' % s, '{{collector}} {{instance}}')],
      ),
      panel.timeseries(
        'Check result age',
        'Time since each check last succeeded, for results served from cache (min_interval), stale or failing; a check that succeeded in this scrape has no line.',
        's',
        [panel.query('time() - acme_check_last_success_timestamp_seconds{%s}' % s, '{{check}} {{target}} {{instance}}')],
      ),
      panel.reasons(
        'Failing checks',
        'Checks that could not obtain data, with the reason, from acme_probe_failure_info.',
        'acme_probe_failure_info{%s}' % s,
      ),
      panel.table(
        'Exporter',
        'Collector success and configuration reload state per instance.',
        [
          panel.query('min by (instance) (acme_exporter_collector_success{%s})' % s),
          panel.query('max by (instance) (acme_exporter_config_last_reload_successful{%s})' % s),
          panel.query('max by (instance) (acme_exporter_config_last_reload_success_timestamp_seconds{%s}) * 1000' % s),
          panel.query('count by (instance) (acme_check_stale{%s} == 1)' % s),
        ],
        [
          { name: 'All collectors OK', unit: 'bool_yes_no', thresholds: [{ color: 'red', value: null }, { color: 'green', value: 1 }] },
          { name: 'Last reload OK', unit: 'bool_yes_no', thresholds: [{ color: 'red', value: null }, { color: 'green', value: 1 }] },
          { name: 'Last good reload', unit: 'dateTimeAsIso' },
          { name: 'Stale checks', unit: 'none' },
        ],
        w=12,
      ),
    ]),
  },
}
