// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

type dashboard struct {
	file       string
	UID        string  `json:"uid"`
	Title      string  `json:"title"`
	Editable   *bool   `json:"editable"`
	Panels     []panel `json:"panels"`
	Templating struct {
		List []variable `json:"list"`
	} `json:"templating"`
}

type variable struct {
	Name     string          `json:"name"`
	Type     string          `json:"type"`
	Query    json.RawMessage `json:"query"`
	Multi    bool            `json:"multi"`
	AllValue string          `json:"allValue"`
	Refresh  int             `json:"refresh"`
	Def      string          `json:"definition"`
}

type datasource struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

type panel struct {
	ID          int         `json:"id"`
	Type        string      `json:"type"`
	Title       string      `json:"title"`
	Description string      `json:"description"`
	Datasource  *datasource `json:"datasource"`
	FieldConfig struct {
		Defaults struct {
			Unit string `json:"unit"`
		} `json:"defaults"`
	} `json:"fieldConfig"`
	Targets []target `json:"targets"`
	Panels  []panel  `json:"panels"` // collapsed rows
}

type target struct {
	RefID      string      `json:"refId"`
	Expr       string      `json:"expr"`
	Datasource *datasource `json:"datasource"`
}

func readDashboards(dir string) ([]*dashboard, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%s: no dashboards", dir)
	}
	sort.Strings(files)
	var out []*dashboard
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		d := &dashboard{file: filepath.Base(f)}
		if err := json.Unmarshal(b, d); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		out = append(out, d)
	}
	return out, nil
}

// Matchers every dashboard query must carry on every acme_* (and up) selector.
var requiredMatchers = []string{`job=~"$job"`, `instance=~"$instance"`}

var (
	selectorUse = regexp.MustCompile(`(?:^|[^a-zA-Z0-9_:"])((?:acme_[a-zA-Z0-9_]+|up))\s*(\{[^}]*\})?`)
	rateUse     = regexp.MustCompile(`\b(?:rate|irate)\s*\(`)
)

func isDatasourceVar(ds *datasource) bool {
	return ds != nil && (ds.UID == "${datasource}" || ds.UID == "$datasource")
}

func flatten(ps []panel) []panel {
	var out []panel
	for _, p := range ps {
		out = append(out, p)
		out = append(out, flatten(p.Panels)...)
	}
	return out
}

func checkDashboards(ds []*dashboard, known map[string]bool) []string {
	var problems []string
	uids := map[string]string{}
	for _, d := range ds {
		bad := func(format string, args ...any) {
			problems = append(problems, d.file+": "+fmt.Sprintf(format, args...))
		}
		sum := md5.Sum([]byte(d.file))
		if want := hex.EncodeToString(sum[:]); d.UID != want {
			bad("uid %q, want md5 of the file name %q", d.UID, want)
		}
		if other, ok := uids[d.UID]; ok {
			bad("uid %q also used by %s", d.UID, other)
		}
		uids[d.UID] = d.file
		if d.Editable == nil || *d.Editable {
			bad("editable must be false")
		}
		vars := map[string]variable{}
		for _, v := range d.Templating.List {
			vars[v.Name] = v
		}
		if v, ok := vars["datasource"]; !ok || v.Type != "datasource" {
			bad("no datasource variable named datasource")
		}
		for _, name := range []string{"job", "instance"} {
			v, ok := vars[name]
			if !ok {
				bad("no %s variable", name)
				continue
			}
			if !v.Multi || v.AllValue != ".+" || v.Refresh != 2 {
				bad("variable %s: want multi, allValue .+ and refresh 2", name)
			}
		}
		ids := map[int]string{}
		for _, p := range flatten(d.Panels) {
			where := fmt.Sprintf("panel %d %q", p.ID, p.Title)
			if p.ID <= 0 {
				bad("%s: no id", where)
			} else if other, ok := ids[p.ID]; ok {
				bad("%s: id also used by %q", where, other)
			}
			ids[p.ID] = p.Title
			if p.Type == "row" {
				continue
			}
			if p.Title == "" || p.Description == "" {
				bad("%s: title and description are required", where)
			}
			if p.FieldConfig.Defaults.Unit == "" {
				bad("%s: no unit", where)
			}
			if !isDatasourceVar(p.Datasource) {
				bad("%s: datasource must be ${datasource}", where)
			}
			if len(p.Targets) == 0 {
				bad("%s: no queries", where)
			}
			for _, t := range p.Targets {
				tw := where + " query " + t.RefID
				if t.Datasource != nil && !isDatasourceVar(t.Datasource) {
					bad("%s: datasource must be ${datasource}", tw)
				}
				problems = append(problems, prefix(d.file+": "+tw+": ", checkQuery(t.Expr, known))...)
			}
		}
	}
	return problems
}

// checkQuery checks that every metric is known and carries the job and
// instance matchers, and that rate() uses $__rate_interval.
func checkQuery(expr string, known map[string]bool) []string {
	var problems []string
	if strings.TrimSpace(expr) == "" {
		return []string{"empty expression"}
	}
	for _, m := range selectorUse.FindAllStringSubmatch(expr, -1) {
		name, sel := m[1], m[2]
		if name != "up" && !isKnown(known, name) {
			problems = append(problems, fmt.Sprintf("metric %s is not in the metric reference", name))
		}
		for _, req := range requiredMatchers {
			if !strings.Contains(sel, req) {
				problems = append(problems, fmt.Sprintf("%s%s lacks %s", name, sel, req))
			}
		}
	}
	if rateUse.MatchString(expr) && !strings.Contains(expr, "$__rate_interval") {
		problems = append(problems, "rate() must use $__rate_interval")
	}
	return problems
}

func prefix(p string, ss []string) []string {
	for i := range ss {
		ss[i] = p + ss[i]
	}
	return ss
}

// grafanaVars replaces Grafana's range variables with durations so that
// promtool can parse the query; $job and friends sit inside strings.
var grafanaVars = strings.NewReplacer(
	"$__rate_interval", "5m",
	"$__interval", "1m",
	"$__range", "1d",
)

var labelValues = regexp.MustCompile(`^label_values\((.*),\s*[a-zA-Z_][a-zA-Z0-9_]*\)$`)

// writePromQLRules writes every dashboard query (and the selector of every
// label_values variable) as a recording rule, in JSON, which is valid YAML
// for promtool check rules.
func writePromQLRules(path string, ds []*dashboard) error {
	type rec struct {
		Record string `json:"record"`
		Expr   string `json:"expr"`
	}
	var rules []rec
	n := 0
	add := func(expr string) {
		n++
		rules = append(rules, rec{Record: fmt.Sprintf("dashboard_query_%d", n), Expr: grafanaVars.Replace(expr)})
	}
	for _, d := range ds {
		for _, v := range d.Templating.List {
			if m := labelValues.FindStringSubmatch(v.Def); m != nil {
				add(m[1])
			}
		}
		for _, p := range flatten(d.Panels) {
			for _, t := range p.Targets {
				add(t.Expr)
			}
		}
	}
	out := map[string]any{"groups": []any{map[string]any{"name": "dashboard-queries", "rules": rules}}}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
