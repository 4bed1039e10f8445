// ACME Renewal Information (RFC 9773). A normal certificate sits inside its
// suggested window every cycle, so "the window has started" is no alert.
local alert = import '../lib/alert.libsonnet';
local expr = import '../lib/expr.libsonnet';

{
  local c = $._config,
  local sel = c.acmeExporterSelector,
  local j = c.certificateJoinLabels,
  local cert = '{{ $labels.name }} ({{ $labels.source }} {{ $labels.target }}, instance {{ $labels.instance }})',
  local lifetime = expr.byCert(c, expr.lifetime(sel)),
  local notBefore = expr.byCert(c, 'acme_certificate_not_before_timestamp_seconds{%s}' % sel),

  prometheusAlerts+:: {
    groups+: [
      alert.group('acme-ari', [
        alert.rule(
          c,
          'AcmeAriExplanationAttached',
          'warning',
          5 * 60,
          'The CA attached an explanation to an ARI renewal window.',
          'The CA published an explanation for the renewal window of {{ $labels.name }} (instance {{ $labels.instance }}): {{ $labels.url }}. This usually means an incident or a revocation; renew now.',
          'acme_ari_explanation_info{%s} == 1\n' % sel,
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
              max by (%(j)s) (changes(acme_certificate_not_before_timestamp_seconds{%(sel)s}[%(lookback)s])) > 0
            )
          ||| % { sel: sel, j: j, moved: c.ariWindowMovedEarlierSeconds, lookback: alert.duration(c.ariWindowMovedLookbackSeconds) },
        ),
        alert.rule(
          c,
          'AcmeAriWindowUnusuallyEarly',
          'warning',
          15 * 60,
          'An ARI renewal window ends unusually early in the certificate lifetime.',
          'The ARI window of %s ends at {{ $value | humanizePercentage }} of its lifetime (normally about 2/3, or 1/2 for short-lived certificates); the CA asks for an early renewal.' % cert,
          |||
            (
              acme_ari_window_end_timestamp_seconds{%(sel)s}
              - on (%(j)s) group_left %(notBefore)s
            )
            / on (%(j)s) group_left
            %(lifetime)s
            < %(ratio)g
          ||| % { sel: sel, j: j, notBefore: notBefore, lifetime: lifetime, ratio: c.ariWindowEarlyEndRatio },
        ),
        alert.rule(
          c,
          'AcmeAriWindowEndedNotReplaced',
          'warning',
          15 * 60,
          'An ARI renewal window ended and the certificate was not replaced.',
          'The ARI window of %s ended {{ $value | humanizeDuration }} ago and the certificate was not replaced.' % cert,
          |||
            (time() - acme_ari_window_end_timestamp_seconds{%(sel)s})
            > on (%(j)s) group_left
            %(grace)g * %(lifetime)s
          ||| % { sel: sel, j: j, lifetime: lifetime, grace: c.ariWindowEndGraceRatio },
        ),
      ]),
    ],
  },
}
