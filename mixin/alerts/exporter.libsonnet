// Health of acme_exporter itself: without it, none of the alerts above fire.
local alert = import '../lib/alert.libsonnet';

{
  local c = $._config,
  local sel = c.acmeExporterSelector,

  prometheusAlerts+:: {
    groups+: [
      alert.group('acme-exporter', [
        alert.rule(
          c,
          'AcmeExporterDown',
          'warning',
          15 * 60,
          'Prometheus cannot scrape acme_exporter.',
          'Prometheus cannot scrape {{ $labels.instance }} of job {{ $labels.job }}; certificates it watches are not monitored.',
          'up{%s} == 0\n' % sel,
        ),
        alert.rule(
          c,
          'AcmeExporterCollectorFailing',
          'warning',
          15 * 60,
          'An acme_exporter collector fails.',
          'Collector {{ $labels.collector }} of {{ $labels.instance }} fails on every scrape; its metrics are missing.',
          'acme_exporter_collector_success{%s} == 0\n' % sel,
        ),
        alert.rule(
          c,
          'AcmeExporterConfigReloadFailed',
          'warning',
          5 * 60,
          'The acme_exporter configuration reload failed.',
          'The last configuration reload of {{ $labels.instance }} failed; it still runs the previous configuration.',
          'acme_exporter_config_last_reload_successful{%s} == 0\n' % sel,
        ),
        alert.rule(
          c,
          'AcmeCheckServingStaleResults',
          'warning',
          30 * 60,
          'An acme_exporter check serves results from a previous run.',
          'Check {{ $labels.check }} for {{ $labels.target }} on {{ $labels.instance }} does not finish within the scrape timeout and serves a result from {{ with printf `acme_check_last_success_timestamp_seconds{check="%s", target="%s", instance="%s"}` $labels.check $labels.target $labels.instance | query }}{{ . | first | value | humanizeTimestamp }}{{ else }}an earlier run{{ end }}.',
          'acme_check_stale{%s} == 1\n' % sel,
        ),
        alert.rule(
          c,
          'AcmeCheckFailing',
          'warning',
          30 * 60,
          'An acme_exporter check cannot obtain data.',
          'Check {{ $labels.check }} for {{ $labels.target }} on {{ $labels.instance }} cannot obtain data, so the alerts that depend on it are blind.%s' %
          alert.reason(c, '%s', 'target="%s", instance="%s"', '$labels.check $labels.target $labels.instance'),
          'acme_probe_success{%s, check!~"%s"} == 0\nunless on (job, instance, check, target) acme_probe_failure_info{%s, reason=~"%s"}\n' % [sel, c.checkFailingExcluded, sel, c.checkFailingBenignReasons],
        ),
      ]),
    ],
  },
}
