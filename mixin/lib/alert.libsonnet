// Helpers that build alerting rules and fail loudly when a field is missing
// or breaks the naming rules (Acme prefix, length, severity, summary).
{
  // duration renders seconds as the shortest exact Prometheus duration.
  duration(seconds)::
    local s = std.max(1, std.floor(seconds + 0.5));
    if s % 3600 == 0 then '%dh' % (s / 3600)
    else if s % 60 == 0 then '%dm' % (s / 60)
    else '%ds' % s,

  // rule builds one alert. forSeconds is scaled by c.forScale unless
  // c.forOverrides names the alert.
  rule(c, name, severity, forSeconds, summary, description, expr)::
    assert std.startsWith(name, 'Acme') : 'alert %s: name must start with Acme' % name;
    assert std.length(name) <= 40 : 'alert %s: name longer than 40 characters' % name;
    assert std.member(['critical', 'warning', 'info'], severity) : 'alert %s: bad severity %s' % [name, severity];
    assert std.endsWith(summary, '.') : 'alert %s: summary must end with a period' % name;
    assert std.length(description) > 0 : 'alert %s: description missing' % name;
    {
      alert: name,
      expr: expr,
      'for': $.duration(
        if std.objectHas(c.forOverrides, name) then c.forOverrides[name]
        else forSeconds * c.forScale
      ),
      labels: { severity: severity },
      annotations: {
        summary: summary,
        description: description,
        runbook_url: c.runbookURLPattern % std.asciiLower(name),
      },
    },

  // dashboardURL links the dashboard file (as named under dashboards/)
  // with the cluster, job and instance variables set from the alert's
  // labels; labels an aggregated alert lacks leave their variable at All.
  dashboardURL(c, file)::
    local vars = std.join('', [
      '{{ with $labels.%s }}&var-%s={{ . | urlquery }}{{ end }}' % [l, l]
      for l in [c.clusterLabel, 'job', 'instance']
    ]);
    '%s/d/%s/%s?orgId=1%s' % [c.grafanaURL, std.md5(file), std.strReplace(file, '.json', ''), vars],

  // group checks the size rules of a rule group and gives every alert in
  // it the dashboard_url of its dashboard file.
  group(c, name, dashboard, rules)::
    assert std.length(name) <= 40 : 'group %s: name longer than 40 characters' % name;
    assert std.length(rules) <= 20 : 'group %s: more than 20 rules' % name;
    {
      name: name,
      rules: [
        if std.objectHas(r, 'alert') then r { annotations+: { dashboard_url: $.dashboardURL(c, dashboard) } } else r
        for r in rules
      ],
    },

  // on is the label list of a join or aggregation: the cluster label
  // first, so that rules stay valid on a global view of many clusters.
  on(c, labels):: '%s, %s' % [c.clusterLabel, labels],

  // reason is a template snippet that appends the failure reason(s) the
  // exporter reports in acme_probe_failure_info for this check. matchers
  // is the label matcher text after check=, in printf form, and args the
  // template arguments that fill it.
  reason(c, check, matchers, args)::
    $.reasonOf(c, 'acme_probe_failure_info', 'reason', 'check="%s", %s' % [check, matchers], args),

  // reasonOf is reason for any _info metric: metric{matchers} is queried
  // and the values of label are listed.
  reasonOf(c, metric, label, matchers, args)::
    '{{ with printf `%s{%s, %s}` %s | query }} Reason: {{ range $i, $s := . }}{{ if $i }}, {{ end }}{{ $s.Labels.%s }}{{ end }}.{{ end }}'
    % [metric, c.acmeExporterSelector, matchers, args, label],
}
