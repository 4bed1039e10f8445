// Root cause 1: ACME account keys.
local dashboard = import '../lib/dashboard.libsonnet';
local panel = import '../lib/panel.libsonnet';

{
  local c = $._config,
  local s = c.dashboardSelector,
  local by = 'instance, client, path',

  grafanaDashboards+:: {
    'acme-account.json': dashboard.new(c, 'acme-account.json', 'Account keys', 'Root cause 1: ACME account keys lost, unreadable, insecure or no longer registered.', [
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
      panel.table(
        'Account check failures',
        'Why the account checks fail, from acme_probe_failure_info.',
        [panel.query('acme_probe_failure_info{%s, check=~"account|account_registration"}' % s)],
        [{ name: 'Failing', unit: 'bool_yes_no' }],
        w=12,
        h=8,
      ),
    ]),
  },
}
