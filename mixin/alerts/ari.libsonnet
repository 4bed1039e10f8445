// ACME Renewal Information (RFC 9773). A normal certificate sits inside its
// suggested window every cycle and ARI clients renew anywhere in it, so
// "the window has started" or "has ended" is no alert by itself; a window
// the CA moved into the past (revocation, incident) is a page.
local alert = import '../lib/alert.libsonnet';

{
  local c = $._config,
  local sel = c.acmeExporterSelector,
  local cl = c.clusterLabel,
  local j = c.certificateJoinLabels,
  local cert = '{{ $labels.name }} ({{ $labels.source }} {{ $labels.target }}, instance {{ $labels.instance }})',
  // Where in the certificate's life the window ends (0 = notBefore,
  // 1 = notAfter).
  local endFraction = |||
    (
      acme_ari_window_end_timestamp_seconds{%(sel)s}
      - on (%(j)s) group_left acme:certificate_not_before:max
    )
    / on (%(j)s) group_left
    acme:certificate_lifetime_seconds:max
  ||| % { sel: sel, j: j },
  // The window has ended already.
  local ended = 'acme_ari_window_end_timestamp_seconds{%s} < time()' % sel,
  local explained = 'acme_ari_explanation_info{%s} == 1' % sel,

  prometheusAlerts+:: {
    groups+: [
      alert.group(c, 'acme-ari', 'acme-overview.json', [
        alert.rule(
          c,
          'AcmeAriWindowEndedNotReplaced',
          'critical',
          c.ariRenewNowForSeconds,
          'The CA asks for an immediate renewal and the certificate was not replaced.',
          'The CA moved the ARI renewal window of %s into the past (it ended {{ with printf `acme_ari_window_end_timestamp_seconds{%s="%%s", job="%%s", instance="%%s", name="%%s", target="%%s"}` $labels.%s $labels.job $labels.instance $labels.name $labels.target | query }}{{ . | first | value | humanizeTimestamp }}{{ end }}): a revocation or an incident. The certificate is still served; renew it now and reload what serves it.' % [cert, cl, cl],
          |||
            (
              %(ended)s
              and on (%(j)s)
              (%(endFraction)s < %(ratio)g)
            )
            or
            (
              %(ended)s
              and on (%(cl)s, job, instance, name)
              %(explained)s
            )
          ||| % { ended: ended, j: j, endFraction: std.rstripChars(endFraction, '\n'), ratio: c.ariRenewNowEndRatio, cl: cl, explained: explained },
        ),
        alert.rule(
          c,
          'AcmeAriExplanationAttached',
          'warning',
          5 * 60,
          'The CA attached an explanation to an ARI renewal window.',
          'The CA published an explanation for the renewal window of {{ $labels.name }} (instance {{ $labels.instance }}): {{ $labels.url }}. This usually announces an incident or a revocation; read it and renew early.',
          |||
            %(explained)s
            unless on (%(cl)s, job, instance, name)
            %(ended)s
          ||| % { explained: explained, cl: cl, ended: ended },
        ),
        alert.rule(
          c,
          'AcmeAriWindowMovedEarlier',
          'warning',
          5 * 60,
          'The CA moved an ARI renewal window earlier.',
          'The ARI window start of %s moved {{ $value | humanizeDuration }} earlier for the same certificate; the CA wants it renewed sooner.' % cert,
          |||
            (
              max_over_time(acme_ari_window_start_timestamp_seconds{%(sel)s}[%(lookback)s])
              - acme_ari_window_start_timestamp_seconds{%(sel)s}
              > %(moved)d
            )
            unless on (%(j)s)
            (
              max without (address) (changes(acme_certificate_not_before_timestamp_seconds{%(sel)s}[%(lookback)s])) > 0
            )
            unless on (%(j)s)
            %(ended)s
          ||| % { sel: sel, j: j, moved: c.ariWindowMovedEarlierSeconds, lookback: alert.duration(c.ariWindowMovedLookbackSeconds), ended: ended },
        ),
        alert.rule(
          c,
          'AcmeAriWindowUnusuallyEarly',
          'warning',
          15 * 60,
          'An ARI renewal window ends unusually early in the certificate lifetime.',
          'The ARI window of %s ends at {{ $value | humanizePercentage }} of its lifetime (normally about 2/3, or 1/2 for short-lived certificates); the CA asks for an early renewal.' % cert,
          |||
            %(endFraction)s < %(ratio)g
            unless on (%(j)s)
            %(ended)s
          ||| % { endFraction: std.rstripChars(endFraction, '\n'), ratio: c.ariWindowEarlyEndRatio, j: j, ended: ended },
        ),
      ]),
    ],
  },
}
