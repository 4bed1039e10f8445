// Renders alerts/acme_rules.yaml (recording rules the alerts read).
std.manifestYamlDoc((import 'mixin.libsonnet').prometheusRules, quote_keys=false) + '\n'
