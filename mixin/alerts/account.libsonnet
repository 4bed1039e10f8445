// Root cause 1: the ACME account key is lost, unreadable, insecure or no
// longer registered at the CA.
local alert = import '../lib/alert.libsonnet';

{
  local c = $._config,
  local sel = c.acmeExporterSelector,
  local key = 'ACME account key {{ $labels.path }} of {{ $labels.client }} on {{ $labels.instance }}',
  local reason = alert.reason(c, 'account', 'target="%s", instance="%s"', '$labels.path $labels.instance'),

  prometheusAlerts+:: {
    groups+: [
      alert.group('acme-account', [
        alert.rule(
          c,
          'AcmeAccountKeyUnusable',
          'critical',
          15 * 60,
          'An ACME account key is missing, unparsable or unreadable.',
          '%s is missing, does not parse, or is not readable by the service user; the next renewal will fail.%s' % [key, reason],
          'acme_account_key_usable{%s} == 0\n' % sel,
        ),
        alert.rule(
          c,
          'AcmeAccountNotRegistered',
          'critical',
          15 * 60,
          'An ACME account key is not registered at its CA.',
          '%s is unknown or deactivated at {{ $labels.directory }}; the next renewal with it will fail.%s' % [
            key,
            alert.reason(c, 'account_registration', 'target="%s", instance="%s"', '$labels.path $labels.instance'),
          ],
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
      ]),
    ],
  },
}
