// Root cause 6: the wrong certificate file is served (cert.pem instead of
// fullchain.pem, key mismatch, renewed but not reloaded, wrong name).
local alert = import '../lib/alert.libsonnet';
local expr = import '../lib/expr.libsonnet';

{
  local c = $._config,
  local sel = c.acmeExporterSelector,
  local ep = '{{ $labels.name }} at {{ $labels.target }} (instance {{ $labels.instance }})',
  local target = alert.on(c, 'job, instance, name, target'),
  local stale = 'acme:endpoint_serving_latest:min == 0',
  // The served certificate is past the point where every client would have
  // renewed it: the newer certificate on disk is not a normal renewal
  // still waiting for its reload.
  local pastOverdue = 'acme:certificate_remaining_seconds:min{source="endpoint"} < acme:certificate_overdue_threshold_seconds',

  prometheusAlerts+:: {
    groups+: [
      alert.group(c, 'acme-served-certificate', 'acme-served.json', [
        alert.rule(
          c,
          'AcmeServedChainIncomplete',
          'critical',
          15 * 60,
          'An endpoint serves a certificate chain that does not verify.',
          'The chain served for %s at one or more of its addresses does not verify to a trusted root without fetching intermediates (cert.pem served instead of fullchain.pem?); clients that do not fetch intermediates fail now.' % ep,
          'count without (address) %s\n' % expr.chainIncomplete('%s, source="endpoint"' % sel),
        ),
        alert.rule(
          c,
          'AcmeCertificateFileChainIncomplete',
          'warning',
          15 * 60,
          'A certificate file lacks the intermediates needed to verify it.',
          'Certificate file {{ $labels.target }} ({{ $labels.name }}, instance {{ $labels.instance }}) does not contain a chain that verifies; a server configured with it serves an incomplete chain.',
          '%s\n' % expr.chainIncomplete('%s, source="file"' % sel),
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
          'Endpoint %s serves, at one or more of its addresses, an older certificate than the newest one on disk for hours; the server was not reloaded after the renewal.' % ep,
          '%s\nunless on (%s)\n%s\n' % [stale, target, pastOverdue],
        ),
        alert.rule(
          c,
          'AcmeEndpointStalePastRenewal',
          'critical',
          c.endpointStalePageForSeconds,
          'An endpoint serves an old certificate although a renewed one is on disk.',
          'Endpoint %s serves an older certificate than the one on disk, and the served one has {{ $value | humanizeDuration }} left, past the latest normal renewal point; reload the server before it expires.' % ep,
          '%s\nand on (%s)\n%s\n' % [pastOverdue, target, stale],
        ),
        alert.rule(
          c,
          'AcmeCertificateHostnameMismatch',
          'critical',
          15 * 60,
          'An endpoint serves a certificate that does not cover its name.',
          'Endpoint %s serves, at one or more of its addresses, a certificate that does not cover the name asked for; clients reject it now.' % ep,
          'min without (address) (acme_certificate_hostname_match{%s}) == 0\n' % sel,
        ),
        alert.rule(
          c,
          'AcmeCertificateFileUnreadable',
          'warning',
          15 * 60,
          'A certificate file cannot be read or parsed by the exporter.',
          'Certificate file check {{ $labels.target }} on {{ $labels.instance }} fails, so its expiry and chain are unknown.%s' %
          alert.reason(c, 'certificate_file', '%s="%%s", target="%%s", instance="%%s"' % c.clusterLabel, '$labels.%s $labels.target $labels.instance' % c.clusterLabel),
          'acme_probe_success{%s, check="certificate_file"} == 0\n' % sel,
        ),
      ]),
    ],
  },
}
