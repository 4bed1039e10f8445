// acme_exporter mixin: prometheusAlerts, prometheusRules, grafanaDashboards.
(import 'config.libsonnet') +
(import 'alerts/alerts.libsonnet') +
(import 'dashboards/dashboards.libsonnet') +
{ prometheusRules+:: { groups+: [] } }
