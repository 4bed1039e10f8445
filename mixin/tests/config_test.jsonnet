// Assertions on the evaluated mixin: overrides of _config reach every alert
// and dashboard query. Run: jsonnet -J mixin mixin/tests/config_test.jsonnet
local mixin = import 'mixin.libsonnet';

local custom = mixin {
  _config+:: {
    acmeExporterSelector: 'job="certs"',
    forScale: 0.01,
    forOverrides: { AcmeCertificateExpired: 2 },
  },
};

local rules(m) = std.flattenArrays([g.rules for g in m.prometheusAlerts.groups]);
local byName(m) = { [r.alert]: r for r in rules(m) };
local panels(m) = std.flattenArrays([m.grafanaDashboards[d].panels for d in std.objectFields(m.grafanaDashboards)]);

local checks = {
  // The default selector is in every alert.
  everyAlertUsesSelector: std.all([
    std.length(std.findSubstr(mixin._config.acmeExporterSelector, r.expr)) > 0
    for r in rules(mixin)
  ]),
  // An overridden selector replaces the default everywhere.
  overrideReachesAlerts: std.all([
    std.length(std.findSubstr('job="certs"', r.expr)) > 0
    && std.length(std.findSubstr('job=~"acme.*"', r.expr)) == 0
    for r in rules(custom)
  ]),
  overrideReachesVariables: std.all([
    std.length(std.findSubstr('job="certs"', v.definition)) > 0
    for d in std.objectFields(custom.grafanaDashboards)
    for v in custom.grafanaDashboards[d].templating.list
    if v.type == 'query'
  ]),
  // forScale shortens every for; forOverrides wins over it.
  forScale: byName(custom).AcmeCertificateRenewalOverdue['for'] == '9s'
            && byName(custom).AcmeCertificateKeyMismatch['for'] == '18s',
  forOverride: byName(custom).AcmeCertificateExpired['for'] == '2s',
  defaults: byName(mixin).AcmeCertificateRenewalOverdue['for'] == '15m'
            && byName(mixin).AcmeEndpointStalePastRenewal['for'] == '1h',
  // Every dashboard query uses the job and instance variables.
  dashboardSelectors: std.all([
    std.length(std.findSubstr(mixin._config.dashboardSelector, t.expr)) > 0
    for p in panels(mixin)
    for t in p.targets
    if std.length(std.findSubstr('acme_', t.expr)) > 0
  ]),
  // Unique uids.
  uniqueUids: std.length(std.set([mixin.grafanaDashboards[d].uid for d in std.objectFields(mixin.grafanaDashboards)]))
              == std.length(std.objectFields(mixin.grafanaDashboards)),
};

local failed = [k for k in std.objectFields(checks) if !checks[k]];
if std.length(failed) == 0 then 'ok' else error 'failed: ' + std.join(', ', failed)
