// Dashboard skeleton (no grafonnet): uid from the file name, datasource,
// job and instance variables, ids and grid positions for the panels.
{
  local datasourceVar = {
    name: 'datasource',
    label: 'Data source',
    type: 'datasource',
    query: 'prometheus',
    current: {},
    hide: 0,
    refresh: 1,
    regex: '',
  },

  local queryVar(name, label, query, allValue='.+', hide=0) = {
    name: name,
    label: label,
    type: 'query',
    datasource: { type: 'prometheus', uid: '${datasource}' },
    query: { query: query, refId: 'PrometheusVariableQueryEditor-VariableQuery' },
    definition: query,
    current: {},
    hide: hide,
    includeAll: true,
    allValue: allValue,
    multi: true,
    refresh: 2,
    regex: '',
    sort: 1,
  },

  // layout assigns ids 1..n and packs panels left to right in 24 columns.
  layout(panels)::
    local step(state, p) =
      local newRow = state.x + p.gridPos.w > 24;
      local x = if newRow then 0 else state.x;
      local y = if newRow then state.y + state.rowH else state.y;
      local rowH = if newRow then p.gridPos.h else std.max(state.rowH, p.gridPos.h);
      {
        x: x + p.gridPos.w,
        y: y,
        rowH: rowH,
        out: state.out + [p { id: std.length(state.out) + 1, gridPos+: { x: x, y: y } }],
      };
    std.foldl(step, panels, { x: 0, y: 0, rowH: 0, out: [] }).out,

  // new builds a dashboard; file is its file name under dashboards/.
  new(c, file, title, description, panels):: {
    uid: std.md5(file),
    title: c.dashboardNamePrefix + title,
    description: description,
    tags: c.dashboardTags,
    editable: false,
    graphTooltip: 1,
    refresh: c.dashboardRefresh,
    schemaVersion: 39,
    time: { from: c.dashboardTimeFrom, to: 'now' },
    timepicker: {},
    timezone: 'utc',
    annotations: { list: [] },
    links: [{
      title: 'ACME dashboards',
      type: 'dashboards',
      tags: c.dashboardTags,
      asDropdown: true,
      includeVars: true,
      keepTime: true,
    }],
    templating: { list: [
      datasourceVar,
      // The cluster label is absent on a single Prometheus: "All" is .*
      // so that it matches the empty value; hidden unless multi-cluster.
      queryVar(
        c.clusterLabel,
        'Cluster',
        'label_values(%s, %s)' % [c.dashboardVariableMetric, c.clusterLabel],
        allValue='.*',
        hide=if c.showMultiCluster then 0 else 2,
      ),
      queryVar('job', 'Job', 'label_values(%s, job)' % std.strReplace(
        c.dashboardVariableMetric, '}', ', %s=~"$%s"}' % [c.clusterLabel, c.clusterLabel]
      )),
      queryVar('instance', 'Instance', 'label_values(%s, instance)' % std.strReplace(
        c.dashboardVariableMetric, '}', ', %s=~"$%s", job=~"$job"}' % [c.clusterLabel, c.clusterLabel]
      )),
    ] },
    panels: $.layout(panels),
  },

  // alertsOf is a regex of the alerts whose dashboard_url points at file.
  alertsOf(mixin, file)::
    std.join('|', std.sort([
      r.alert
      for g in mixin.prometheusAlerts.groups
      for r in g.rules
      if std.objectHas(r, 'alert') && std.length(std.findSubstr('/d/%s/' % std.md5(file), r.annotations.dashboard_url)) > 0
    ])),
}
