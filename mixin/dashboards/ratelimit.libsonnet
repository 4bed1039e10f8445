// Root cause 4: rate-limit headroom and client errors.
local dashboard = import '../lib/dashboard.libsonnet';
local panel = import '../lib/panel.libsonnet';

{
  local c = $._config,
  local s = c.dashboardSelector,
  local limit(name) = 'max by (ca) (acme_rate_limit{%s, limit="%s"})' % [s, name],

  grafanaDashboards+:: {
    'acme-ratelimit.json': dashboard.new(c, 'acme-ratelimit.json', 'Rate limits', 'Root cause 4: use of the CA rate limits (7-day windows, counted from certificates on disk, so lower bounds) and ACME errors in client logs.', [
      panel.firingAlerts(c, dashboard.alertsOf($, 'acme-ratelimit.json')),
      panel.timeseries(
        'Certificates per registered domain',
        'New-name certificates in the last 7 days as a fraction of the certificates_per_registered_domain limit (renewals do not count).',
        'percentunit',
        [panel.query('max by (ca, registered_domain) (acme_certificates_issued{%s}) / on (ca) group_left %s' % [s, limit('certificates_per_registered_domain')], '{{registered_domain}} {{ca}}')],
      ),
      panel.timeseries(
        'Duplicate certificates',
        'Largest count for one exact name set in 7 days as a fraction of the duplicate_certificates limit.',
        'percentunit',
        [panel.query('max by (ca, registered_domain) (acme_duplicate_certificates{%s}) / on (ca) group_left %s' % [s, limit('duplicate_certificates')], '{{registered_domain}} {{ca}}')],
      ),
      panel.timeseries(
        'Client errors per hour',
        'ACME problem types seen in client logs, per hour.',
        'short',
        [panel.query('sum by (instance, log, problem) (rate(acme_client_errors_total{%s}[$__rate_interval])) * 3600' % s, '{{problem}} {{log}} {{instance}}')],
        w=24,
      ),
      panel.table(
        'Configured limits',
        'Limit values the exporter is configured with: certificates_per_registered_domain, duplicate_certificates, new_orders_per_account, failed_validations.',
        [panel.query('max by (ca, limit) (acme_rate_limit{%s})' % s)],
        [{ name: 'Limit', unit: 'none' }],
      ),
    ]),
  },
}
