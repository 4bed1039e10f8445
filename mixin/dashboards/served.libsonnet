// Root cause 6: the certificate that is served.
local dashboard = import '../lib/dashboard.libsonnet';
local expr = import '../lib/expr.libsonnet';
local panel = import '../lib/panel.libsonnet';

{
  local c = $._config,
  local s = c.dashboardSelector,
  local ok = [{ color: 'red', value: null }, { color: 'green', value: 1 }],

  grafanaDashboards+:: {
    'acme-served.json': dashboard.new(c, 'acme-served.json', 'Served certificates', 'Root cause 6: chain completeness, key match, hostname match and served-vs-disk for files and endpoints.', [
      panel.firingAlerts(c, dashboard.alertsOf($, 'acme-served.json')),
      panel.table(
        'Endpoints',
        'One row per endpoint address. Served latest is 0 when a newer certificate of the same name is on disk (renewed but not reloaded).',
        [
          panel.query('min by (instance, name, target, address) (acme_endpoint_serving_latest{%s})' % s),
          panel.query('min by (instance, name, target, address) (acme_certificate_hostname_match{%s})' % s),
          panel.query('min by (instance, name, target, address) %s' % expr.chainComplete('%s, source="endpoint"' % s)),
        ],
        [
          { name: 'Served latest', unit: 'bool_yes_no', thresholds: ok },
          { name: 'Hostname match', unit: 'bool_yes_no', thresholds: ok },
          { name: 'Chain complete', unit: 'bool_yes_no', thresholds: ok },
        ],
      ),
      panel.table(
        'Files',
        'One row per certificate file: chain verifies without fetching intermediates; the private key matches the leaf.',
        [
          panel.query('min by (instance, name, target) %s' % expr.chainComplete('%s, source="file"' % s)),
          panel.query('min by (instance, name, target) (acme_certificate_key_match{%s})' % s),
        ],
        [
          { name: 'Chain complete', unit: 'bool_yes_no', thresholds: ok },
          { name: 'Key match', unit: 'bool_yes_no', thresholds: ok },
        ],
      ),
      panel.reasons(
        'Endpoint verify reasons',
        'Why a served certificate does not verify per address (expired, not_yet_valid, chain_not_verified, hostname_mismatch), from acme_endpoint_verify_failure_info.',
        'acme_endpoint_verify_failure_info{%s}' % s,
      ),
      panel.reasons(
        'Endpoint check failures',
        'Why an endpoint or certificate file check could not obtain data (handshake timeout, refused ...), from acme_probe_failure_info.',
        'acme_probe_failure_info{%s, check=~"endpoint|certificate_file"}' % s,
      ),
      panel.timeseries(
        'Chain expires in',
        'Time until the earliest notAfter in the verified chain.',
        's',
        [panel.query('acme_certificate_chain_not_after_timestamp_seconds{%s} - time()' % s, '{{name}} {{source}} {{target}} {{address}}')],
        w=24,
      ),
    ]),
  },
}
