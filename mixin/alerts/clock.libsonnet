// Root cause 5: clock skew. A JWS carries no timestamp, so skew does not
// cause badNonce; it breaks certificate validity checks and renewal timing.
local alert = import '../lib/alert.libsonnet';

{
  local c = $._config,
  local sel = c.acmeExporterSelector,

  prometheusAlerts+:: {
    groups+: [
      alert.group(c, 'acme-clock', 'acme-clock.json', [
        alert.rule(
          c,
          'AcmeClockOffsetHigh',
          'warning',
          15 * 60,
          'The host clock is seconds away from its reference.',
          'The clock of {{ $labels.instance }} differs from {{ $labels.reference }} ({{ $labels.server }}) by {{ $value | humanizeDuration }}.',
          |||
            abs(acme_clock_offset_seconds{%(sel)s}) > %(warn)g
            unless
            acme_clock_offset_seconds{%(sel)s} < -%(crit)g
          ||| % { sel: sel, warn: c.clockOffsetWarningSeconds, crit: c.clockBehindCriticalSeconds },
        ),
        alert.rule(
          c,
          'AcmeClockFarBehind',
          'critical',
          15 * 60,
          'The host clock is so far behind that new certificates look not yet valid.',
          "The clock of {{ $labels.instance }} is {{ $value | humanizeDuration }} off {{ $labels.reference }} ({{ $labels.server }}); Let's Encrypt backdates notBefore by about 1 h, so a renewed certificate will look not yet valid on this host and renewal timing is wrong.",
          'acme_clock_offset_seconds{%s} < -%g\n' % [sel, c.clockBehindCriticalSeconds],
        ),
        alert.rule(
          c,
          'AcmeClockNotSynchronised',
          'warning',
          30 * 60,
          'The kernel reports the clock as not synchronised.',
          'The kernel of {{ $labels.instance }} reports its clock as not synchronised; check the NTP daemon.',
          'acme_clock_synchronized{%s} == 0\n' % sel,
        ),
        alert.rule(
          c,
          'AcmeNtpUnreachable',
          'warning',
          15 * 60,
          'The NTP reference of the exporter does not answer.',
          'The NTP check {{ $labels.target }} on {{ $labels.instance }} fails, so clock offset is unknown.%s' %
          alert.reason(c, 'clock_ntp', '%s="%%s", target="%%s", instance="%%s"' % c.clusterLabel, '$labels.%s $labels.target $labels.instance' % c.clusterLabel),
          'acme_probe_success{%s, check="clock_ntp"} == 0\n' % sel,
        ),
      ]),
    ],
  },
}
