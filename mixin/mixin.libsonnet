// acme_exporter mixin: prometheusAlerts, prometheusRules, grafanaDashboards.
// The alerts read the recording rules: load both rule files.
(import 'config.libsonnet') +
(import 'rules/rules.libsonnet') +
(import 'alerts/alerts.libsonnet') +
(import 'dashboards/dashboards.libsonnet')
