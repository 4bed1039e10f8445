// The renewal job itself: not running, late, or configured to fail.
local alert = import '../lib/alert.libsonnet';

{
  local c = $._config,
  local sel = c.acmeExporterSelector,

  prometheusAlerts+:: {
    groups+: [
      alert.group(c, 'acme-renewal', 'acme-exporter.json', [
        alert.rule(
          c,
          'AcmeRenewalJobNotRunning',
          'warning',
          15 * 60,
          'The ACME client renewal job has not run recently.',
          'The renewal job of {{ $labels.client }} on {{ $labels.instance }} last ran {{ $value | humanizeDuration }} ago; check its timer or cron entry.',
          'time() - acme_renewal_last_run_timestamp_seconds{%s} > %d\n' % [sel, c.renewalJobMaxAgeSeconds],
        ),
        alert.rule(
          c,
          'AcmeRenewalScheduledTimePassed',
          'warning',
          15 * 60,
          'An ACME client planned a renewal that did not happen.',
          '{{ $labels.client }} on {{ $labels.instance }} planned to renew {{ $labels.name }} {{ $value | humanizeDuration }} ago and has not.',
          'time() - acme_renewal_scheduled_timestamp_seconds{%s} > %d\n' % [sel, c.renewalScheduledGraceSeconds],
        ),
        alert.rule(
          c,
          'AcmeCertificateMustStaple',
          'warning',
          60 * 60,
          "A certificate requests OCSP Must-Staple, which Let's Encrypt no longer issues.",
          "Certificate {{ $labels.name }} ({{ $labels.source }} {{ $labels.target }}, instance {{ $labels.instance }}) requests OCSP Must-Staple; Let's Encrypt refuses such orders since 2025-05-07, so its renewal fails unless the option is removed.",
          'max without (serial, issuer, key_type, dns_names, must_staple) (acme_certificate_info{%s, must_staple="true"}) == 1\n' % sel,
        ),
        alert.rule(
          c,
          'AcmeRenewalConfigProblem',
          'warning',
          60 * 60,
          'An ACME client renewal configuration has a problem.',
          'The renewal configuration of {{ $labels.name }} ({{ $labels.client }}, instance {{ $labels.instance }}) has problem {{ $labels.problem }}.',
          'acme_renewal_config_problem_info{%s} == 1\n' % sel,
        ),
      ]),
    ],
  },
}
