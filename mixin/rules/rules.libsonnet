// Recording rules for the expressions that alerts and dashboards share:
// the remaining lifetime of each certificate target, taken at its worst
// address (an endpoint name behind round robin or changing backends is
// probed at every address; the address label churns, the target does not).
{
  local c = $._config,
  local sel = c.acmeExporterSelector,

  prometheusRules+:: {
    groups+: [
      {
        name: 'acme-certificate-rules',
        rules: [
          {
            // Earliest notAfter over the target's addresses.
            record: 'acme:certificate_not_after:min',
            expr: 'min without (address) (acme_certificate_not_after_timestamp_seconds{%s})\n' % sel,
          },
          {
            // Latest notBefore over the target's addresses (with the
            // lifetime: where in its life the served certificate is).
            record: 'acme:certificate_not_before:max',
            expr: 'max without (address) (acme_certificate_not_before_timestamp_seconds{%s})\n' % sel,
          },
          {
            // Longest lifetime over the addresses: thresholds scale with it,
            // so the longer one alerts earlier.
            record: 'acme:certificate_lifetime_seconds:max',
            expr: 'max without (address) (\n  acme_certificate_not_after_timestamp_seconds{%(s)s}\n  - acme_certificate_not_before_timestamp_seconds{%(s)s}\n)\n' % { s: sel },
          },
          {
            // Seconds left at the worst address (negative once expired).
            record: 'acme:certificate_remaining_seconds:min',
            expr: 'acme:certificate_not_after:min - time()\n',
          },
          {
            // Fraction of its lifetime the worst address's certificate has
            // left (1 at notBefore, 0 at notAfter).
            record: 'acme:certificate_remaining_ratio:min',
            expr: 'min without (address) (\n  (acme_certificate_not_after_timestamp_seconds{%(s)s} - time())\n  / (acme_certificate_not_after_timestamp_seconds{%(s)s} - acme_certificate_not_before_timestamp_seconds{%(s)s})\n)\n' % { s: sel },
          },
          {
            // 0 when any address of an endpoint target serves an older
            // certificate than the newest of its name on disk.
            record: 'acme:endpoint_serving_latest:min',
            expr: 'min without (address) (acme_endpoint_serving_latest{%s})\n' % sel,
          },
          {
            // The lifecycle thresholds in seconds: min(ratio x lifetime, cap).
            record: 'acme:certificate_overdue_threshold_seconds',
            expr: 'clamp_max(acme:certificate_lifetime_seconds:max * %g, %d)\n' % [c.renewalOverdueRatio, c.renewalOverdueMaxSeconds],
          },
          {
            record: 'acme:certificate_expiring_threshold_seconds',
            expr: 'clamp_max(acme:certificate_lifetime_seconds:max * %g, %d)\n' % [c.expiringSoonRatio, c.expiringSoonMaxSeconds],
          },
        ],
      },
    ],
  },
}
