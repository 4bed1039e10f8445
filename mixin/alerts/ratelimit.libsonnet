// Root cause 4: ACME rate limits. One host sees only its own certificates,
// so counts are lower bounds and are aggregated with max across exporters.
local alert = import '../lib/alert.libsonnet';

{
  local c = $._config,
  local sel = c.acmeExporterSelector,
  local cl = c.clusterLabel,
  local limit(name) = 'max by (%s, ca) (acme_rate_limit{%s, limit="%s"})' % [cl, sel, name],
  local dupRatio = |||
    max by (%(cl)s, ca, registered_domain) (acme_duplicate_certificates{%(sel)s})
    / on (%(cl)s, ca) group_left
    %(limit)s
  ||| % { sel: sel, cl: cl, limit: limit('duplicate_certificates') },
  // The fullest name set's next normal renewal falls due before the
  // window frees a slot for it: that renewal will be refused (unless the
  // client renews through ARI, which is exempt).
  local blocked = |||
    min by (%(cl)s, ca, registered_domain) (acme_duplicate_certificates_renewal_due_timestamp_seconds{%(sel)s})
    < on (%(cl)s, ca, registered_domain)
    max by (%(cl)s, ca, registered_domain) (acme_duplicate_certificates_slot_free_timestamp_seconds{%(sel)s})
  ||| % { sel: sel, cl: cl },
  local paused = 'sum by (%s, job, instance, log) (increase(acme_client_rate_limited_total{%s, limit="paused_identifier"}[%s])) > 0' % [cl, sel, c.pausedIdentifierWindow],

  prometheusAlerts+:: {
    groups+: [
      alert.group(c, 'acme-ratelimit', 'acme-ratelimit.json', [
        alert.rule(
          c,
          'AcmeRateLimitHeadroomLow',
          'warning',
          15 * 60,
          'Few new certificates per registered domain are left at the CA.',
          'Certificates issued for {{ $labels.registered_domain }} by {{ $labels.ca }} in the last 7 days use {{ $value | humanizePercentage }} of the certificates_per_registered_domain limit; new names may be refused (renewals are exempt).',
          |||
            max by (%(cl)s, ca, registered_domain) (acme_certificates_issued{%(sel)s})
            / on (%(cl)s, ca) group_left
            %(limit)s
            > %(ratio)g
          ||| % { sel: sel, cl: cl, limit: limit('certificates_per_registered_domain'), ratio: c.rateLimitCertificatesRatio },
        ),
        alert.rule(
          c,
          'AcmeDuplicateCertificateLimitNear',
          'warning',
          15 * 60,
          'One exact set of names is close to the duplicate certificate limit.',
          'The most reissued exact name set under {{ $labels.registered_domain }} uses {{ $value | humanizePercentage }} of the duplicate_certificates limit of {{ $labels.ca }} in the last 7 days; the next non-ARI renewal may be refused.',
          '%s >= %g < 1\n' % [std.rstripChars(dupRatio, '\n'), c.rateLimitDuplicatesRatio],
        ),
        alert.rule(
          c,
          'AcmeDuplicateCertificateLimitReached',
          'warning',
          15 * 60,
          'One exact set of names has reached the duplicate certificate limit.',
          'The most reissued exact name set under {{ $labels.registered_domain }} has {{ $value | humanizePercentage }} of the duplicate_certificates limit of {{ $labels.ca }} in the last 7 days: the limit is reached or exceeded, and a new certificate for that set is refused until the window frees a slot. Its next renewal falls due after that; stop forced renewals.',
          '%s >= 1\nunless on (%s, ca, registered_domain)\n(%s)\n' % [std.rstripChars(dupRatio, '\n'), cl, std.rstripChars(blocked, '\n')],
        ),
        alert.rule(
          c,
          'AcmeDuplicateLimitBlocksRenewal',
          'critical',
          15 * 60,
          'A renewal falls due while its name set is over the duplicate certificate limit.',
          'The most reissued exact name set under {{ $labels.registered_domain }} has reached the duplicate_certificates limit of {{ $labels.ca }}, and its next renewal falls due {{ with printf `acme_duplicate_certificates_slot_free_timestamp_seconds{%s="%%s", ca="%%s", registered_domain="%%s"}` $labels.%s $labels.ca $labels.registered_domain | query }}before the window frees a slot at {{ . | first | value | humanizeTimestamp }}{{ else }}before the window frees a slot{{ end }}: a non-ARI renewal will be refused.' % [cl, cl],
          '(%s)\nand on (%s, ca, registered_domain)\n(%s >= 1)\n' % [std.rstripChars(blocked, '\n'), cl, std.rstripChars(dupRatio, '\n')],
        ),
        alert.rule(
          c,
          'AcmeAccountPaused',
          'critical',
          5 * 60,
          'The CA paused an ACME account for an identifier.',
          'The ACME client log {{ $labels.log }} on {{ $labels.instance }} shows the CA refusing orders because the account is paused for an identifier (too many failed validations in a row); no renewal for it succeeds until someone unpauses the account at the URL in the log.',
          paused + '\n',
        ),
        alert.rule(
          c,
          'AcmeClientRateLimited',
          'warning',
          5 * 60,
          'An ACME client was refused with rateLimited.',
          'The ACME client log {{ $labels.log }} on {{ $labels.instance }} shows {{ $value | humanize }} rateLimited errors in the last %s; renewals are being refused until the limit refills.' % c.clientErrorsWindow,
          |||
            sum by (%(cl)s, job, instance, log) (increase(acme_client_errors_total{%(sel)s, problem="rateLimited"}[%(w)s])) > 0
            unless on (%(cl)s, job, instance, log)
            %(paused)s
          ||| % { sel: sel, cl: cl, w: c.clientErrorsWindow, paused: paused },
        ),
        alert.rule(
          c,
          'AcmeValidationFailuresNearLimit',
          'warning',
          5 * 60,
          'An ACME client is approaching the failed validations limit.',
          'The ACME client log {{ $labels.log }} on {{ $labels.instance }} shows failed validations at {{ $value | humanizePercentage }} of the failed_validations limit per hour; after the limit, new orders for the identifier are refused.',
          |||
            sum by (%(cl)s, job, instance, log) (increase(acme_client_errors_total{%(sel)s, problem=~"%(problems)s"}[1h]))
            / on (%(cl)s) group_left
            min by (%(cl)s) (acme_rate_limit{%(sel)s, limit="failed_validations"})
            >= %(ratio)g
          ||| % { sel: sel, cl: cl, problems: c.failedValidationProblems, ratio: c.rateLimitFailedValidationsRatio },
        ),
      ]),
    ],
  },
}
