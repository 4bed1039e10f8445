// Renders alerts/acme_alerts.yaml.
std.manifestYamlDoc((import 'mixin.libsonnet').prometheusAlerts, quote_keys=false) + '\n'
