// Small Grafana panel helpers (no grafonnet). Every panel gets a title,
// a description, a unit and the $datasource variable; ids and positions are
// assigned by dashboard.new.
local ds = { type: 'prometheus', uid: '${datasource}' };

{
  // query is one Prometheus target. refId is filled in by the panel.
  query(expr, legend='', instant=false, format=null):: {
    datasource: ds,
    expr: expr,
    legendFormat: legend,
    [if instant then 'instant']: true,
    [if instant then 'range']: false,
    [if format != null then 'format']: format,
  },

  local withRefIds(targets) = [
    targets[i] { refId: std.char(std.codepoint('A') + i) }
    for i in std.range(0, std.length(targets) - 1)
  ],

  base(type, title, description, unit, targets, w, h):: {
    assert std.length(description) > 0 : 'panel %s: description missing' % title,
    type: type,
    title: title,
    description: description,
    datasource: ds,
    targets: withRefIds(targets),
    fieldConfig: { defaults: { unit: unit }, overrides: [] },
    gridPos: { w: w, h: h },
    options: {},
  },

  // thresholds sets green below the first step and the given colours above.
  thresholds(steps):: {
    fieldConfig+: { defaults+: { thresholds: {
      mode: 'absolute',
      steps: [{ color: 'green', value: null }] + [{ color: s[1], value: s[0] } for s in steps],
    } } },
  },

  timeseries(title, description, unit, targets, w=12, h=8)::
    $.base('timeseries', title, description, unit, targets, w, h) {
      options: {
        legend: { displayMode: 'table', placement: 'bottom', showLegend: true, calcs: ['lastNotNull'] },
        tooltip: { mode: 'multi', sort: 'desc' },
      },
    },

  stat(title, description, unit, targets, w=4, h=4)::
    $.base('stat', title, description, unit, targets, w, h) {
      options: {
        colorMode: 'background',
        graphMode: 'none',
        reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
      },
    },

  // table shows instant queries merged into one row per label set. columns
  // is a list of { name, unit } matching the targets in order.
  table(title, description, targets, columns, w=24, h=10)::
    assert std.length(targets) == std.length(columns) : 'table %s: one column per target' % title;
    $.base('table', title, description, 'none', [t { instant: true, range: false, format: 'table' } for t in targets], w, h) {
      fieldConfig+: {
        overrides: [
          {
            matcher: { id: 'byName', options: 'Value #%s' % std.char(std.codepoint('A') + i) },
            properties: [
              { id: 'displayName', value: columns[i].name },
              { id: 'unit', value: columns[i].unit },
            ] + (if std.objectHas(columns[i], 'thresholds') then [
                   { id: 'thresholds', value: { mode: 'absolute', steps: columns[i].thresholds } },
                   { id: 'custom.cellOptions', value: { type: 'color-background' } },
                 ] else []),
          }
          for i in std.range(0, std.length(columns) - 1)
        ],
      },
      options: { showHeader: true, cellHeight: 'sm', footer: { show: false } },
      transformations: [
        { id: 'merge', options: {} },
        { id: 'organize', options: { excludeByName: { Time: true, job: true, __name__: true } } },
      ],
    },

  // firingAlerts lists the alerts of the mixin that fire now (alertnames
  // matching the regex), one row each with its labels: the first thing an
  // on-call wants to see on a dashboard.
  firingAlerts(c, alertnames, w=24, h=6)::
    $.base(
      'table',
      'Firing alerts',
      'Alerts of this dashboard that fire now, with their labels (severity, and the name, target, domain or path they are about). The alert annotations link the runbook.',
      'none',
      [$.query('ALERTS{alertstate="firing", alertname=~"%s", %s=~"$%s"}' % [alertnames, c.clusterLabel, c.clusterLabel], instant=true, format='table') { instant: true, range: false }],
      w,
      h,
    ) {
      options: { showHeader: true, cellHeight: 'sm', footer: { show: false }, sortBy: [{ displayName: 'severity', desc: false }] },
      transformations: [
        { id: 'organize', options: { excludeByName: { Time: true, Value: true, __name__: true, alertstate: true } } },
      ],
    },

  // reasons is a table of an _info metric's current series: one row per
  // series, its labels as columns (the reason among them).
  reasons(title, description, expr, w=12, h=8)::
    $.base('table', title, description, 'none', [$.query(expr, instant=true, format='table') { instant: true, range: false }], w, h) {
      options: { showHeader: true, cellHeight: 'sm', footer: { show: false } },
      transformations: [
        { id: 'organize', options: { excludeByName: { Time: true, Value: true, __name__: true, job: true } } },
      ],
    },
}
