// Root cause 6: the wrong certificate file is served (cert.pem instead of
// fullchain.pem, key mismatch, renewed but not reloaded, wrong name).
local alert = import '../lib/alert.libsonnet';
local expr = import '../lib/expr.libsonnet';

{
  local c = $._config,
  local sel = c.acmeExporterSelector,
  local ep = '{{ $labels.name }} at {{ $labels.target }} via {{ $labels.address }} (instance {{ $labels.instance }})',
  local stale = 'acme_endpoint_serving_latest{%s} == 0' % sel,
  local pastRenewal = expr.remainingBetween(
    c, sel + ', source="endpoint"', c.renewalPointRatio, c.renewalPointRatioShort
  ),
  local endpointJoin = 'job, instance, name, target, address',

  prometheusAlerts+:: {
    groups+: [
      alert.group('acme-served-certificate', [
        alert.rule(
          c,
          'AcmeServedChainIncomplete',
          'critical',
          15 * 60,
          'An endpoint serves a certificate chain that does not verify.',
          'The chain served for {{ $labels.name }} at {{ $labels.target }}{{ with $labels.address }} via {{ . }}{{ end }} (instance {{ $labels.instance }}) does not verify to a trusted root without fetching intermediates (cert.pem served instead of fullchain.pem?); clients that do not fetch intermediates fail now.',
          'acme_certificate_chain_complete{%s, source="endpoint"} == 0\n' % sel,
        ),
        alert.rule(
          c,
          'AcmeCertificateFileChainIncomplete',
          'warning',
          15 * 60,
          'A certificate file lacks the intermediates needed to verify it.',
          'Certificate file {{ $labels.target }} ({{ $labels.name }}, instance {{ $labels.instance }}) does not contain a chain that verifies; a server configured with it serves an incomplete chain.',
          'acme_certificate_chain_complete{%s, source="file"} == 0\n' % sel,
        ),
        alert.rule(
          c,
          'AcmeCertificateKeyMismatch',
          'critical',
          c.keyMismatchForSeconds,
          'A certificate file does not match its private key.',
          'Certificate {{ $labels.target }} ({{ $labels.name }}, instance {{ $labels.instance }}) does not match its private key file; the next server reload fails or serves errors.',
          'acme_certificate_key_match{%s} == 0\n' % sel,
        ),
        alert.rule(
          c,
          'AcmeEndpointServingStaleCert',
          'warning',
          c.endpointStaleForSeconds,
          'An endpoint serves an older certificate than the one on disk.',
          'Endpoint %s serves an older certificate than the newest one on disk; the server was not reloaded after renewal.' % ep,
          '(%s)\nunless on (%s)\n(\n%s)\n' % [stale, endpointJoin, pastRenewal],
        ),
        alert.rule(
          c,
          'AcmeEndpointStalePastRenewal',
          'critical',
          c.endpointStaleForSeconds,
          'An endpoint serves an old certificate that is past its renewal point.',
          'Endpoint %s serves an older certificate than the one on disk, and the served one is past its renewal point; reload the server before it expires.' % ep,
          '(%s)\nand on (%s)\n(\n%s)\n' % [stale, endpointJoin, pastRenewal],
        ),
        alert.rule(
          c,
          'AcmeCertificateHostnameMismatch',
          'critical',
          15 * 60,
          'An endpoint serves a certificate that does not cover its name.',
          'Endpoint %s serves a certificate that does not cover the name asked for; clients reject it now.' % ep,
          'acme_certificate_hostname_match{%s} == 0\n' % sel,
        ),
        alert.rule(
          c,
          'AcmeCertificateFileUnreadable',
          'warning',
          15 * 60,
          'A certificate file cannot be read or parsed by the exporter.',
          'Certificate file check {{ $labels.target }} on {{ $labels.instance }} fails, so its expiry and chain are unknown.%s' %
          alert.reason(c, 'certificate_file', 'target="%s", instance="%s"', '$labels.target $labels.instance'),
          'acme_probe_success{%s, check="certificate_file"} == 0\n' % sel,
        ),
      ]),
    ],
  },
}
