// Renders dashboards/*.json: jsonnet -J mixin -m dashboards mixin/dashboards.jsonnet
local mixin = import 'mixin.libsonnet';

{ [name]: mixin.grafanaDashboards[name] for name in std.objectFields(mixin.grafanaDashboards) }
