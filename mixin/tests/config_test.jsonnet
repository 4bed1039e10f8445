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
local recorded(m) = std.flattenArrays([g.rules for g in m.prometheusRules.groups]);
local byName(m) = { [r.alert]: r for r in rules(m) };
local panels(m) = std.flattenArrays([m.grafanaDashboards[d].panels for d in std.objectFields(m.grafanaDashboards)]);

local checks = {
  // The default selector is in every alert and recording rule, directly
  // or through a recorded acme: series (whose rules carry it).
  everyAlertUsesSelector: std.all([
    std.length(std.findSubstr(mixin._config.acmeExporterSelector, r.expr)) > 0
    || std.length(std.findSubstr('acme:', r.expr)) > 0
    for r in rules(mixin) + recorded(mixin)
  ]),
  everyRecordingRuleUsesSelector: std.all([
    std.length(std.findSubstr(mixin._config.acmeExporterSelector, r.expr)) > 0
    || std.length(std.findSubstr('acme:', r.expr)) > 0
    for r in recorded(mixin)
  ]),
  // An overridden selector replaces the default everywhere.
  overrideReachesAlerts: std.all([
    std.length(std.findSubstr('job=~"acme.*"', r.expr)) == 0
    for r in rules(custom) + recorded(custom)
  ]) && std.all([
    std.length(std.findSubstr('job="certs"', r.expr)) > 0
    for r in recorded(custom)
    if std.length(std.findSubstr('acme:', r.expr)) == 0
  ]),
  overrideReachesVariables: std.all([
    std.length(std.findSubstr('job="certs"', v.definition)) > 0
    for d in std.objectFields(custom.grafanaDashboards)
    for v in custom.grafanaDashboards[d].templating.list
    if v.type == 'query'
  ]),
  // Every alert carries a dashboard_url into a dashboard that exists.
  dashboardURLs: std.all([
    std.length([
      d
      for d in std.objectFields(mixin.grafanaDashboards)
      if std.length(std.findSubstr('/d/%s/' % mixin.grafanaDashboards[d].uid, r.annotations.dashboard_url)) > 0
    ]) == 1
    for r in rules(mixin)
  ]),
  // Every join and aggregation over exporters keeps the cluster label.
  clusterInJoins: std.all([
    std.length(std.findSubstr(' by (', r.expr)) == std.length(std.findSubstr(' by (cluster', r.expr))
    && std.length(std.findSubstr(' on (', r.expr)) == std.length(std.findSubstr(' on (cluster', r.expr)) + std.length(std.findSubstr(' on ()', r.expr))
    for r in rules(mixin) + recorded(mixin)
  ]),
  // forScale shortens every for; forOverrides wins over it.
  forScale: byName(custom).AcmeCertificateRenewalOverdue['for'] == '9s'
            && byName(custom).AcmeCertificateKeyMismatch['for'] == '18s',
  forOverride: byName(custom).AcmeCertificateExpired['for'] == '2s',
  defaults: byName(mixin).AcmeCertificateRenewalOverdue['for'] == '15m'
            && byName(mixin).AcmeEndpointStalePastRenewal['for'] == '2h',
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
