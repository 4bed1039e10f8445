// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/acme-exporter/acme_exporter/config"
)

// A family as the metric reference describes it: its labels and, for the
// bounded ones, every value the code can give them.
type family struct {
	labels map[string]bool
	values map[string]map[string]bool
}

var (
	// | `acme_x` | gauge | `a`, `b` | collector | help |
	familyRow = regexp.MustCompile("^\\|\\s*`(acme_[a-zA-Z0-9_]+)`\\s*\\|\\s*(?:gauge|counter)\\s*\\|([^|]*)\\|")
	// | `acme_x` | `label` | `v1`, `v2` |   (the bounded values table)
	valuesRow = regexp.MustCompile("^\\|\\s*`(acme_[a-zA-Z0-9_]+)`\\s*\\|\\s*`([a-zA-Z_][a-zA-Z0-9_]*)`\\s*\\|([^|]*)\\|\\s*$")
	backticks = regexp.MustCompile("`([^`]*)`")
)

// readFamilies reads the labels and bounded label values of every family
// in the metric reference.
func readFamilies(path string) (map[string]*family, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fams := map[string]*family{}
	get := func(name string) *family {
		if fams[name] == nil {
			fams[name] = &family{labels: map[string]bool{}, values: map[string]map[string]bool{}}
		}
		return fams[name]
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if m := valuesRow.FindStringSubmatch(line); m != nil {
			vs := map[string]bool{}
			for _, v := range backticks.FindAllStringSubmatch(m[3], -1) {
				vs[v[1]] = true
			}
			get(m[1]).values[m[2]] = vs
			continue
		}
		if m := familyRow.FindStringSubmatch(line); m != nil {
			fam := get(m[1])
			for _, l := range backticks.FindAllStringSubmatch(m[2], -1) {
				fam.labels[l[1]] = true
			}
		}
	}
	return fams, sc.Err()
}

// targetLabels are added by Prometheus (and a global view), not by the
// exporter: any selector may match them.
var targetLabels = map[string]bool{"job": true, "instance": true, "cluster": true, "__name__": true}

type matcher struct{ label, op, value string }

type selector struct {
	name     string
	matchers []matcher
}

// selectors returns the vector selectors of a PromQL expression with their
// label matchers. It is a small lexer, not a parser: it skips string
// literals outside braces and reads name{label op "value", ...}.
func selectors(expr string) ([]selector, error) {
	var out []selector
	for i := 0; i < len(expr); {
		c := expr[i]
		switch {
		case c == '"' || c == '\'' || c == '`':
			j, err := skipString(expr, i)
			if err != nil {
				return nil, err
			}
			i = j
		case isIdentStart(c):
			j := i
			for j < len(expr) && isIdent(expr[j]) {
				j++
			}
			name := expr[i:j]
			k := j
			for k < len(expr) && expr[k] == ' ' {
				k++
			}
			if k < len(expr) && expr[k] == '{' {
				ms, end, err := readMatchers(expr, k)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", name, err)
				}
				out = append(out, selector{name, ms})
				i = end
				continue
			}
			i = j
		case c == '{':
			ms, end, err := readMatchers(expr, i)
			if err != nil {
				return nil, err
			}
			out = append(out, selector{"", ms})
			i = end
		default:
			i++
		}
	}
	return out, nil
}

// readMatchers reads {a="x", b=~"y|z"} starting at the brace; it returns
// the matchers and the index after the closing brace.
func readMatchers(s string, i int) ([]matcher, int, error) {
	var ms []matcher
	i++ // {
	for {
		for i < len(s) && (s[i] == ' ' || s[i] == ',' || s[i] == '\n' || s[i] == '\t') {
			i++
		}
		if i >= len(s) {
			return nil, i, fmt.Errorf("unclosed {")
		}
		if s[i] == '}' {
			return ms, i + 1, nil
		}
		j := i
		for j < len(s) && isIdent(s[j]) {
			j++
		}
		label := s[i:j]
		for j < len(s) && s[j] == ' ' {
			j++
		}
		k := j
		for k < len(s) && strings.IndexByte("=!~", s[k]) >= 0 {
			k++
		}
		op := s[j:k]
		for k < len(s) && s[k] == ' ' {
			k++
		}
		if label == "" || (op != "=" && op != "!=" && op != "=~" && op != "!~") || k >= len(s) {
			return nil, k, fmt.Errorf("cannot read a matcher at %q", s[i:min(len(s), i+30)])
		}
		end, err := skipString(s, k)
		if err != nil {
			return nil, k, err
		}
		v, err := unquote(s[k:end])
		if err != nil {
			return nil, k, err
		}
		ms = append(ms, matcher{label, op, v})
		i = end
	}
}

func skipString(s string, i int) (int, error) {
	q := s[i]
	if q != '"' && q != '\'' && q != '`' {
		return i, fmt.Errorf("want a string at %q", s[i:min(len(s), i+30)])
	}
	for j := i + 1; j < len(s); j++ {
		switch {
		case s[j] == '\\' && q != '`':
			j++
		case s[j] == q:
			return j + 1, nil
		}
	}
	return len(s), fmt.Errorf("unterminated string")
}

func unquote(lit string) (string, error) {
	if lit[0] == '\'' { // PromQL single quotes: same escapes as double
		lit = `"` + strings.ReplaceAll(strings.ReplaceAll(lit[1:len(lit)-1], `\'`, `'`), `"`, `\"`) + `"`
	}
	return strconv.Unquote(lit)
}

func isIdentStart(c byte) bool {
	return c == '_' || c == ':' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isIdent(c byte) bool { return isIdentStart(c) || (c >= '0' && c <= '9') }

// templated values are filled in later (Grafana variables, printf in
// alert templates, Go templates): only the literal ones can be checked.
func templated(v string) bool {
	return strings.Contains(v, "$") || strings.Contains(v, "%") || strings.Contains(v, "{{")
}

var wordAlternation = regexp.MustCompile(`^[A-Za-z0-9_]+(\|[A-Za-z0-9_]+)*$`)

// labelScope says what a selector's name may match: an exporter family
// with its labels and values, a recording rule (the families its
// expression reads) or ALERTS.
type labelScope struct {
	families map[string]*family
	records  map[string][]string // record name -> acme_* families in its expression
	alerts   map[string]bool
}

// checkMatchers checks every label matcher of expr against the reference:
// the label must exist on the family, and a literal value of a bounded
// label (each alternative of a regex alternation) must be one the code
// can emit. A selector that can never match makes an alert that can never
// fire, which no test of the alert itself notices.
func (sc *labelScope) checkMatchers(expr string) []string {
	sels, err := selectors(expr)
	if err != nil {
		return []string{"cannot read label matchers: " + err.Error()}
	}
	var problems []string
	for _, s := range sels {
		var fams []*family
		switch {
		case s.name == "ALERTS" || s.name == "ALERTS_FOR_STATE":
			for _, m := range s.matchers {
				if m.label == "alertname" && !templated(m.value) {
					problems = append(problems, checkValue(s.name, m, sc.alerts, "an alert of the mixin")...)
				}
			}
			continue
		case sc.families[s.name] != nil:
			fams = []*family{sc.families[s.name]}
		case sc.records[s.name] != nil:
			for _, f := range sc.records[s.name] {
				if sc.families[f] != nil {
					fams = append(fams, sc.families[f])
				}
			}
		default:
			continue // unknown names are the metric-name check's business
		}
		direct := sc.families[s.name] != nil
		for _, m := range s.matchers {
			if targetLabels[m.label] {
				continue
			}
			if direct && !fams[0].labels[m.label] {
				problems = append(problems, fmt.Sprintf("%s has no label %s (matcher %s%s%q)", s.name, m.label, m.label, m.op, m.value))
				continue
			}
			if m.value == "" || templated(m.value) {
				continue
			}
			allowed, bounded := map[string]bool{}, false
			for _, f := range fams {
				if vs, ok := f.values[m.label]; ok {
					bounded = true
					for v := range vs {
						allowed[v] = true
					}
				}
			}
			if !bounded {
				problems = append(problems, fmt.Sprintf("%s{%s%s%q}: label %s has no declared values (declare them with scrape.Bounded next to the metric)",
					s.name, m.label, m.op, m.value, m.label))
				continue
			}
			problems = append(problems, checkValue(s.name, m, allowed, "a declared value")...)
		}
	}
	return problems
}

// checkValue checks one matcher's literal against allowed: each word of
// an alternation must be allowed; another regex must match at least one
// allowed value.
func checkValue(name string, m matcher, allowed map[string]bool, what string) []string {
	var problems []string
	switch {
	case m.op == "=" || m.op == "!=" || wordAlternation.MatchString(m.value):
		for _, v := range strings.Split(m.value, "|") {
			if !allowed[v] {
				problems = append(problems, fmt.Sprintf("%s{%s%s%q}: %q is not %s of %s (%s)",
					name, m.label, m.op, m.value, v, what, m.label, nearest(v, allowed)))
			}
		}
	default:
		re, err := regexp.Compile("^(?:" + m.value + ")$")
		if err != nil {
			return []string{fmt.Sprintf("%s{%s%s%q}: %v", name, m.label, m.op, m.value, err)}
		}
		for v := range allowed {
			if re.MatchString(v) {
				return nil
			}
		}
		problems = append(problems, fmt.Sprintf("%s{%s%s%q}: the regex matches no declared value of %s", name, m.label, m.op, m.value, m.label))
	}
	return problems
}

// nearest suggests the closest allowed values, or lists a short set.
func nearest(v string, allowed map[string]bool) string {
	var all []string
	for a := range allowed {
		all = append(all, a)
	}
	sort.Strings(all)
	best, bestD := "", 1<<30
	for _, a := range all {
		d := config.EditDistance(v, a)
		if strings.Contains(a, v) || strings.Contains(v, a) { // account for account_key
			d = min(d, 2)
		}
		if d < bestD {
			best, bestD = a, d
		}
	}
	if best != "" && bestD <= max(2, len(v)/3) {
		return "did you mean " + best + "?"
	}
	if len(all) <= 8 {
		return "allowed: " + strings.Join(all, ", ")
	}
	return fmt.Sprintf("%d allowed values in docs/metrics.md", len(all))
}

var annotationQuery = regexp.MustCompile("query\\s+(\"(?:[^\"\\\\]|\\\\.)*\"|`[^`]*`)")

// queriesInTemplate returns the PromQL of every `query` call of an alert
// annotation template.
func queriesInTemplate(text string) []string {
	var out []string
	for _, m := range annotationQuery.FindAllStringSubmatch(text, -1) {
		q, err := strconv.Unquote(m[1])
		if err != nil {
			continue
		}
		out = append(out, q)
	}
	return out
}

// checkLabels checks the label matchers of every rule, annotation query
// and dashboard query.
func checkLabels(rf *ruleFile, ds []*dashboard, fams map[string]*family) []string {
	sc := &labelScope{families: fams, records: map[string][]string{}, alerts: map[string]bool{}}
	exprs := map[string]string{}
	for _, g := range rf.Groups {
		for _, r := range g.Rules {
			if r.Record != "" {
				exprs[r.Record] = r.Expr
			}
			if r.Alert != "" {
				sc.alerts[r.Alert] = true
			}
		}
	}
	// A record reads families directly or through other records.
	var resolve func(name string, seen map[string]bool) []string
	resolve = func(name string, seen map[string]bool) []string {
		if seen[name] {
			return nil
		}
		seen[name] = true
		out := metricsIn(exprs[name])
		for other := range exprs {
			if usesName(exprs[name], other) {
				out = append(out, resolve(other, seen)...)
			}
		}
		return out
	}
	for name := range exprs {
		sc.records[name] = resolve(name, map[string]bool{})
	}
	var problems []string
	for _, g := range rf.Groups {
		for _, r := range g.Rules {
			where := "alert " + r.Alert
			if r.Record != "" {
				where = "record " + r.Record
			}
			problems = append(problems, prefix(where+": ", sc.checkMatchers(r.Expr))...)
			names := make([]string, 0, len(r.Annotations))
			for k := range r.Annotations {
				names = append(names, k)
			}
			sort.Strings(names)
			for _, k := range names {
				for _, q := range queriesInTemplate(r.Annotations[k]) {
					problems = append(problems, prefix(where+": annotation "+k+": ", sc.checkMatchers(q))...)
				}
			}
		}
	}
	for _, d := range ds {
		for _, p := range flatten(d.Panels) {
			for _, t := range p.Targets {
				where := fmt.Sprintf("%s: panel %d %q query %s: ", d.file, p.ID, p.Title, t.RefID)
				problems = append(problems, prefix(where, sc.checkMatchers(t.Expr))...)
			}
		}
	}
	return problems
}

// usesName reports whether expr names the metric or record name (not as
// part of a longer identifier).
func usesName(expr, name string) bool {
	for i := 0; ; {
		j := strings.Index(expr[i:], name)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(name)
		if (start == 0 || !isIdent(expr[start-1])) && (end == len(expr) || !isIdent(expr[end])) {
			return true
		}
		i = start + 1
	}
}

type promtoolTests struct {
	Tests []struct {
		InputSeries []struct {
			Series string `yaml:"series"`
		} `yaml:"input_series"`
	} `yaml:"tests"`
}

// checkTestSeries checks the input series of the promtool tests in dir:
// each must be a family the exporter emits (or up), with only the labels
// that family has (plus the target labels) and, for a bounded label, a
// value the code declares. A test fed series the exporter never emits
// proves nothing about the alert in production.
func checkTestSeries(dir string, fams map[string]*family) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	var problems []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var pt promtoolTests
		if err := yaml.Unmarshal(b, &pt); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		seen := map[string]bool{}
		for _, tc := range pt.Tests {
			for _, in := range tc.InputSeries {
				if seen[in.Series] {
					continue
				}
				seen[in.Series] = true
				for _, p := range checkSeries(in.Series, fams) {
					problems = append(problems, fmt.Sprintf("%s: input series %s: %s", filepath.Base(f), in.Series, p))
				}
			}
		}
	}
	return problems, nil
}

func checkSeries(series string, fams map[string]*family) []string {
	sels, err := selectors(series)
	if err != nil || len(sels) != 1 {
		name := strings.TrimSpace(series)
		if isIdentStart(name[0]) && !strings.ContainsAny(name, "{ ") {
			sels = []selector{{name: name}} // a series without labels
		} else {
			return []string{fmt.Sprintf("cannot read it (%v)", err)}
		}
	}
	s := sels[0]
	var problems []string
	if s.name == "up" {
		for _, m := range s.matchers {
			if !targetLabels[m.label] {
				problems = append(problems, "up has no label "+m.label)
			}
		}
		return problems
	}
	base := s.name
	for _, suffix := range []string{"_total", "_created"} {
		if b, ok := strings.CutSuffix(base, suffix); ok && fams[base] == nil && fams[b] != nil {
			base = b
		}
	}
	f := fams[base]
	if f == nil {
		return []string{s.name + " is not in the metric reference"}
	}
	for _, m := range s.matchers {
		switch {
		case m.op != "=":
			problems = append(problems, "matcher "+m.label+m.op+" in a series")
		case targetLabels[m.label]:
		case !f.labels[m.label]:
			problems = append(problems, fmt.Sprintf("%s has no label %s", s.name, m.label))
		case f.values[m.label] != nil && m.value != "" && !f.values[m.label][m.value]:
			problems = append(problems, fmt.Sprintf("%s=%q is not a value the code declares for %s (%s)",
				m.label, m.value, s.name, nearest(m.value, f.values[m.label])))
		}
	}
	return problems
}
