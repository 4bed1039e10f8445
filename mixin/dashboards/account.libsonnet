// Root cause 1: ACME account keys.
local dashboard = import '../lib/dashboard.libsonnet';
local panel = import '../lib/panel.libsonnet';

{
  local c = $._config,
  local s = c.dashboardSelector,
  local by = 'instance, client, path',

  grafanaDashboards+:: {
    'acme-account.json': dashboard.new(c, 'acme-account.json', 'Account keys', 'Root cause 1: ACME account keys lost, unreadable, insecure or no longer registered.', [
      panel.firingAlerts(c, dashboard.alertsOf($, 'acme-account.json')),
      panel.table(
        'Account keys',
        'One row per account key file. Usable: present, parses and readable by the service user. Insecure: readable by group or others. Registered: the opt-in onlyReturnExisting lookup found the key at the CA (empty when the lookup is off).',
        [
          panel.query('max by (%s) (acme_account_key_usable{%s})' % [by, s]),
          panel.query('max by (%s) (acme_account_key_insecure{%s})' % [by, s]),
          panel.query('min by (%s) (acme_account_registered{%s})' % [by, s]),
        ],
        [
          { name: 'Usable', unit: 'bool_yes_no', thresholds: [{ color: 'red', value: null }, { color: 'green', value: 1 }] },
          { name: 'Insecure', unit: 'bool_yes_no', thresholds: [{ color: 'green', value: null }, { color: 'red', value: 1 }] },
          { name: 'Registered', unit: 'bool_yes_no', thresholds: [{ color: 'red', value: null }, { color: 'green', value: 1 }] },
        ],
      ),
      panel.timeseries(
        'Account key usable',
        '1 while the account key is present, parses and is readable by the service user.',
        'bool_yes_no',
        [panel.query('acme_account_key_usable{%s}' % s, '{{client}} {{path}} {{instance}}')],
      ),
      panel.reasons(
        'Account key problems',
        'One row per problem with an account key file (missing, parse_error, unreadable_by_service_user, service_user_unknown, not_registered, deactivated), from acme_account_key_problem_info.',
        'acme_account_key_problem_info{%s}' % s,
      ),
      panel.reasons(
        'Account check failures',
        'Why the account checks could not obtain data, from acme_probe_failure_info.',
        'acme_probe_failure_info{%s, check=~"account_key|account_registration"}' % s,
      ),
      panel.table(
        'Client storage writable',
        'Whether the service user can write each client storage directory (where renewed certificates and the account are stored).',
        [panel.query('min by (%s) (acme_account_storage_writable{%s})' % [by, s])],
        [{ name: 'Writable', unit: 'bool_yes_no', thresholds: [{ color: 'red', value: null }, { color: 'green', value: 1 }] }],
        w=12,
        h=8,
      ),
    ]),
  },
}
