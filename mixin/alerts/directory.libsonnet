// The ACME directory and newNonce as seen from each host.
local alert = import '../lib/alert.libsonnet';

{
  local c = $._config,
  local sel = c.acmeExporterSelector,

  prometheusAlerts+:: {
    groups+: [
      alert.group(c, 'acme-directory', 'acme-exporter.json', [
        alert.rule(
          c,
          'AcmeDirectoryUnreachable',
          'warning',
          15 * 60,
          'The ACME directory cannot be fetched.',
          'ACME directory {{ $labels.directory }} cannot be fetched from {{ $labels.instance }}; renewals from this host fail until it is reachable.%s' %
          alert.reason(c, 'acme_directory', '%s="%%s", target="%%s", instance="%%s"' % c.clusterLabel, '$labels.%s $labels.directory $labels.instance' % c.clusterLabel),
          'acme_directory_up{%s} == 0\n' % sel,
        ),
        alert.rule(
          c,
          'AcmeDirectoryNonceFailing',
          'warning',
          15 * 60,
          'The ACME newNonce endpoint does not return a nonce.',
          'newNonce of {{ $labels.directory }} does not answer with a Replay-Nonce from {{ $labels.instance }}, although the directory loads.',
          |||
            acme_directory_nonce_ok{%(sel)s} == 0
            and on (%(cl)s, job, instance, directory)
            acme_directory_up{%(sel)s} == 1
          ||| % { sel: sel, cl: c.clusterLabel },
        ),
      ]),
    ],
  },
}
