// Renders examples/kubernetes/prometheusrule.yaml (prometheus-operator).
local mixin = import 'mixin.libsonnet';

std.manifestYamlDoc({
  apiVersion: 'monitoring.coreos.com/v1',
  kind: 'PrometheusRule',
  metadata: {
    name: 'acme-exporter',
    namespace: 'monitoring',
    labels: { 'app.kubernetes.io/name': 'acme-exporter', 'app.kubernetes.io/component': 'alerts' },
  },
  // Recording rules first: the alerts read them.
  spec: { groups: mixin.prometheusRules.groups + mixin.prometheusAlerts.groups },
}, quote_keys=false) + '\n'
