// Health of acme_exporter itself: without it, none of the alerts above
// fire. AcmeExporterDown and AcmeExporterAbsent are the dead-man switch.
local alert = import '../lib/alert.libsonnet';

{
  local c = $._config,
  local sel = c.acmeExporterSelector,
  local cl = c.clusterLabel,

  prometheusAlerts+:: {
    groups+: [
      alert.group(c, 'acme-exporter', 'acme-exporter.json', [
        alert.rule(
          c,
          'AcmeExporterDown',
          'critical',
          c.exporterDownForSeconds,
          'Prometheus cannot scrape acme_exporter.',
          'Prometheus has not scraped {{ $labels.instance }} of job {{ $labels.job }} for an hour; no alert about the certificates it watches can fire.',
          'up{%s} == 0\n' % sel,
        ),
        alert.rule(
          c,
          'AcmeExporterAbsent',
          'critical',
          c.exporterDownForSeconds,
          'No acme_exporter target is scraped any more.',
          'Prometheus scrapes no acme_exporter target of job "{{ $labels.job }}"{{ with $labels.%s }} in {{ . }}{{ end }} (empty: none matches the selector at all): it left service discovery or the scrape configuration, so no alert about its certificates can fire.' % cl,
          // A job that was scraped within the lookback has no target now;
          // or, past the lookback, the selector matches nothing at all.
          |||
            (
              group by (%(cl)s, job) (max_over_time(up{%(sel)s}[%(lookback)s]))
              unless on (%(cl)s, job)
              group by (%(cl)s, job) (up{%(sel)s})
            )
            or
            (
              absent(up{%(sel)s})
              unless on ()
              group by (%(cl)s, job) (max_over_time(up{%(sel)s}[%(lookback)s]))
            )
          ||| % { sel: sel, cl: cl, lookback: c.exporterAbsentLookback },
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
          'Check {{ $labels.check }} for {{ $labels.target }} on {{ $labels.instance }} does not finish within the scrape timeout and serves a result from {{ with printf `acme_check_last_success_timestamp_seconds{%s="%%s", check="%%s", target="%%s", instance="%%s"}` $labels.%s $labels.check $labels.target $labels.instance | query }}{{ . | first | value | humanizeTimestamp }}{{ else }}an earlier run{{ end }}.' % [cl, cl],
          'acme_check_stale{%s} == 1\n' % sel,
        ),
        alert.rule(
          c,
          'AcmeCheckFailing',
          'warning',
          30 * 60,
          'An acme_exporter check cannot obtain data.',
          'Check {{ $labels.check }} for {{ $labels.target }} on {{ $labels.instance }} cannot obtain data, so the alerts that depend on it are blind.%s' %
          alert.reason(c, '%s', '%s="%%s", target="%%s", instance="%%s"' % cl, '$labels.check $labels.%s $labels.target $labels.instance' % cl),
          |||
            acme_probe_success{%(sel)s, check!~"%(excluded)s"} == 0
            unless on (%(cl)s, job, instance, check, target)
            acme_probe_failure_info{%(sel)s, reason=~"%(benign)s"}
          ||| % { sel: sel, cl: cl, excluded: c.checkFailingExcluded, benign: c.checkFailingBenignReasons },
        ),
      ]),
    ],
  },
}
