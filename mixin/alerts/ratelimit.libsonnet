// Root cause 4: ACME rate limits. One host sees only its own certificates,
// so counts are lower bounds and are aggregated with max across exporters.
local alert = import '../lib/alert.libsonnet';

{
  local c = $._config,
  local sel = c.acmeExporterSelector,
  local limit(name) = 'max by (ca) (acme_rate_limit{%s, limit="%s"})' % [sel, name],

  prometheusAlerts+:: {
    groups+: [
      alert.group('acme-ratelimit', [
        alert.rule(
          c,
          'AcmeRateLimitHeadroomLow',
          'warning',
          15 * 60,
          'Few new certificates per registered domain are left at the CA.',
          'Certificates issued for {{ $labels.registered_domain }} by {{ $labels.ca }} in the last 7 days use {{ $value | humanizePercentage }} of the certificates_per_registered_domain limit; new names may be refused (renewals are exempt).',
          |||
            max by (ca, registered_domain) (acme_certificates_issued{%(sel)s})
            / on (ca) group_left
            %(limit)s
            > %(ratio)g
          ||| % { sel: sel, limit: limit('certificates_per_registered_domain'), ratio: c.rateLimitCertificatesRatio },
        ),
        alert.rule(
          c,
          'AcmeDuplicateCertificateLimitNear',
          'warning',
          15 * 60,
          'One exact set of names is close to the duplicate certificate limit.',
          'The most reissued exact name set under {{ $labels.registered_domain }} uses {{ $value | humanizePercentage }} of the duplicate_certificates limit of {{ $labels.ca }} in the last 7 days; the next non-ARI renewal may be refused.',
          |||
            max by (ca, registered_domain) (acme_duplicate_certificates{%(sel)s})
            / on (ca) group_left
            %(limit)s
            >= %(ratio)g
          ||| % { sel: sel, limit: limit('duplicate_certificates'), ratio: c.rateLimitDuplicatesRatio },
        ),
        alert.rule(
          c,
          'AcmeClientRateLimited',
          'warning',
          5 * 60,
          'An ACME client was refused with rateLimited.',
          'The ACME client log {{ $labels.log }} on {{ $labels.instance }} shows {{ $value | humanize }} rateLimited errors in the last %s; renewals are being refused until the limit refills.' % c.clientErrorsWindow,
          |||
            sum by (job, instance, log) (increase(acme_client_errors_total{%(sel)s, problem="rateLimited"}[%(w)s])) > 0
          ||| % { sel: sel, w: c.clientErrorsWindow },
        ),
        alert.rule(
          c,
          'AcmeValidationFailuresNearLimit',
          'warning',
          5 * 60,
          'An ACME client is approaching the failed validations limit.',
          'The ACME client log {{ $labels.log }} on {{ $labels.instance }} shows failed validations at {{ $value | humanizePercentage }} of the failed_validations limit per hour; after the limit, new orders for the identifier are refused.',
          |||
            sum by (job, instance, log) (increase(acme_client_errors_total{%(sel)s, problem=~"%(problems)s"}[1h]))
            / on () group_left
            min(acme_rate_limit{%(sel)s, limit="failed_validations"})
            >= %(ratio)g
          ||| % { sel: sel, problems: c.failedValidationProblems, ratio: c.rateLimitFailedValidationsRatio },
        ),
      ]),
    ],
  },
}
