// Certificate lifecycle. Thresholds are min(fraction of the certificate's
// own lifetime, absolute cap) (mixin/config.libsonnet), evaluated on the
// worst address of each target (recording rules in rules/rules.libsonnet).
local alert = import '../lib/alert.libsonnet';

{
  local c = $._config,
  local sel = c.acmeExporterSelector,
  local cl = c.clusterLabel,
  local cert = '{{ $labels.name }} ({{ $labels.source }} {{ $labels.target }}, instance {{ $labels.instance }})',
  local remaining = 'acme:certificate_remaining_seconds:min',
  local target = alert.on(c, 'job, instance, name, target'),
  // f(matcher) is the condition on the series with that source matcher.
  // A file whose name an endpoint also serves alerts through the endpoint
  // (one fault, one page); an endpoint that serves an older certificate
  // than the one on disk has its own page (AcmeEndpointStalePastRenewal)
  // unless exceptStale is false.
  local oncePerCertificate(f, exceptStale=true) =
    '(\n  (%s)\n' % f('source="endpoint"')
    + (if exceptStale then '  unless on (%s)\n  acme:endpoint_serving_latest:min == 0\n' % target else '')
    + ')\nor\n(\n  (%s)\n  unless on (%s, name)\n  (%s)\n)\n' % [f('source="file"'), cl, f('source="endpoint"')],

  prometheusAlerts+:: {
    groups+: [
      alert.group(c, 'acme-lifecycle', 'acme-overview.json', [
        alert.rule(
          c,
          'AcmeCertificateRenewalOverdue',
          'warning',
          15 * 60,
          'A certificate was not renewed by the latest normal renewal point of any ACME client.',
          'Certificate %s has {{ $value | humanizeDuration }} left, past the point where every ACME client would have renewed it (1/4 of its lifetime, at most %d days, left); its renewal keeps failing or is not scheduled.' % [cert, c.renewalOverdueMaxSeconds / 86400],
          oncePerCertificate(function(m) '%(r)s{%(m)s} < acme:certificate_overdue_threshold_seconds\n  and %(r)s{%(m)s} >= acme:certificate_expiring_threshold_seconds' % { r: remaining, m: m }),
        ),
        alert.rule(
          c,
          'AcmeCertificateExpiringSoon',
          'critical',
          15 * 60,
          'A certificate is close to expiry and was not renewed.',
          'Certificate %s expires in {{ $value | humanizeDuration }} and was not renewed (1/5 of its lifetime, at most %d days, left); renew it and reload what serves it.' % [cert, c.expiringSoonMaxSeconds / 86400],
          oncePerCertificate(function(m) '%s{%s} < acme:certificate_expiring_threshold_seconds > 0' % [remaining, m]),
        ),
        alert.rule(
          c,
          'AcmeCertificateExpired',
          'critical',
          5 * 60,
          'A certificate has expired.',
          'Certificate %s expired {{ $value | humanizeDuration }} ago.' % cert,
          oncePerCertificate(function(m) '-%s{%s} >= 0' % [remaining, m], exceptStale=false),
        ),
        alert.rule(
          c,
          'AcmeCertificateRevoked',
          'critical',
          5 * 60,
          'A certificate is listed as revoked on its CA CRL.',
          'Certificate %s is revoked; clients that check revocation reject it.' % cert,
          'max without (address) (acme_certificate_revoked{%s}) == 1\n' % sel,
        ),
      ]),
    ],
  },
}
