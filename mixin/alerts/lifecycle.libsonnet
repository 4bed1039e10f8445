// Certificate lifecycle, relative to each certificate's own lifetime.
local alert = import '../lib/alert.libsonnet';
local expr = import '../lib/expr.libsonnet';

{
  local c = $._config,
  local sel = c.acmeExporterSelector,
  local cert = '{{ $labels.name }} ({{ $labels.source }} {{ $labels.target }}{{ with $labels.address }} via {{ . }}{{ end }}, instance {{ $labels.instance }})',

  prometheusAlerts+:: {
    groups+: [
      alert.group('acme-lifecycle', [
        alert.rule(
          c,
          'AcmeCertificateRenewalOverdue',
          'warning',
          15 * 60,
          'An ACME certificate was not renewed at its normal renewal point.',
          'Certificate %s has {{ $value | humanizePercentage }} of its lifetime left; ACME clients renew at 1/3 left (1/2 for certificates shorter than 10 days).' % cert,
          expr.remainingBetween(c, sel, c.renewalOverdueRatio, c.renewalOverdueRatioShort, c.expiringSoonRatio, c.expiringSoonRatioShort),
        ),
        alert.rule(
          c,
          'AcmeCertificateExpiringSoon',
          'critical',
          15 * 60,
          'An ACME certificate is close to expiry and was not renewed.',
          'Certificate %s has {{ $value | humanizePercentage }} of its lifetime left and expires soon.' % cert,
          expr.remainingBetween(c, sel, c.expiringSoonRatio, c.expiringSoonRatioShort, 0, 0, strictLower=true),
        ),
        alert.rule(
          c,
          'AcmeCertificateExpired',
          'critical',
          5 * 60,
          'An ACME certificate has expired.',
          'Certificate %s expired {{ $value | humanizeDuration }} ago.' % cert,
          '(time() - acme_certificate_not_after_timestamp_seconds{%s}) >= 0\n' % sel,
        ),
        alert.rule(
          c,
          'AcmeCertificateRevoked',
          'critical',
          5 * 60,
          'An ACME certificate is listed as revoked on its CA CRL.',
          'Certificate %s is revoked; clients that check revocation reject it.' % cert,
          'acme_certificate_revoked{%s} == 1\n' % sel,
        ),
      ]),
    ],
  },
}
