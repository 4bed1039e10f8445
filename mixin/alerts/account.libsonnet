// Root cause 1: the ACME account key is lost, unreadable, insecure or no
// longer registered at the CA, or the client cannot write its storage.
local alert = import '../lib/alert.libsonnet';

{
  local c = $._config,
  local sel = c.acmeExporterSelector,
  local cl = c.clusterLabel,
  local key = 'ACME account key {{ $labels.path }} of {{ $labels.client }} on {{ $labels.instance }}',
  // The account key's reason is in acme_account_key_problem_info.
  local problem = alert.reasonOf(
    c,
    'acme_account_key_problem_info',
    'problem',
    '%s="%%s", instance="%%s", client="%%s", path="%%s"' % cl,
    '$labels.%s $labels.instance $labels.client $labels.path' % cl,
  ),

  prometheusAlerts+:: {
    groups+: [
      alert.group(c, 'acme-account', 'acme-account.json', [
        alert.rule(
          c,
          'AcmeAccountKeyUnusable',
          'critical',
          15 * 60,
          'An ACME account key is missing, unparsable or unreadable.',
          '%s is missing, does not parse, or is not readable by the service user; the next renewal will fail.%s' % [key, problem],
          'acme_account_key_usable{%s} == 0\n' % sel,
        ),
        alert.rule(
          c,
          'AcmeAccountNotRegistered',
          'critical',
          15 * 60,
          'An ACME account key is not registered at its CA.',
          '%s is unknown or deactivated at {{ $labels.directory }}; the next renewal with it will fail.%s' % [key, problem],
          'acme_account_registered{%s} == 0\n' % sel,
        ),
        alert.rule(
          c,
          'AcmeAccountKeyInsecure',
          'warning',
          60 * 60,
          'An ACME account key is readable by group or others.',
          '%s is readable by group or others; anyone who can read it can revoke or request certificates for this account.' % key,
          'acme_account_key_insecure{%s} == 1\n' % sel,
        ),
        alert.rule(
          c,
          'AcmeAccountStorageNotWritable',
          'critical',
          60 * 60,
          'An ACME client cannot write its storage directory.',
          'The storage directory of {{ $labels.client }} on {{ $labels.instance }} (account key {{ $labels.path }}) is not writable by the service user; the client cannot store a renewed certificate or its account, so the next renewal fails.',
          'acme_account_storage_writable{%s} == 0\n' % sel,
        ),
      ]),
    ],
  },
}
