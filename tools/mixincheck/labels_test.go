// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestSelectors(t *testing.T) {
	expr := `sum by (check) (acme_probe_failure_info{job=~"acme.*", check='clock_ntp', reason=~"a|b"}) ` +
		`* on (x) group_left label_replace(up{job="j"}, "a", "{b}", "c", "d") + {__name__="acme_x"} and ALERTS{alertname="AcmeY"}`
	got, err := selectors(expr)
	if err != nil {
		t.Fatal(err)
	}
	want := []selector{
		{"acme_probe_failure_info", []matcher{{"job", "=~", "acme.*"}, {"check", "=", "clock_ntp"}, {"reason", "=~", "a|b"}}},
		{"up", []matcher{{"job", "=", "j"}}},
		{"", []matcher{{"__name__", "=", "acme_x"}}},
		{"ALERTS", []matcher{{"alertname", "=", "AcmeY"}}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("selectors =\n%+v\nwant\n%+v", got, want)
	}
	if _, err := selectors(`acme_x{check="a"`); err == nil {
		t.Error("an unclosed selector was read without error")
	}
}

// metricsFixture is a metric reference with the two tables mixincheck reads.
const metricsFixture = "| metric | type | labels | collector | meaning |\n|---|---|---|---|---|\n" +
	"| `acme_probe_failure_info` | gauge | `check`, `target`, `reason` | exporter | m |\n" +
	"| `acme_http01_failure_info` | gauge | `domain`, `ip_family`, `reason` | http01 | m |\n" +
	"| `acme_account_key_problem_info` | gauge | `client`, `path`, `problem` | account | m |\n" +
	"\n## Bounded label values\n\n| metric | label | values |\n|---|---|---|\n" +
	"| `acme_probe_failure_info` | `check` | `account_key`, `account_registration`, `acme_directory`, `clock_ntp` |\n" +
	"| `acme_probe_failure_info` | `reason` | `pending`, `timeout` |\n" +
	"| `acme_http01_failure_info` | `ip_family` | `ipv4`, `ipv6`, `local` |\n" +
	"| `acme_http01_failure_info` | `reason` | `prober_no_ipv6`, `timeout` |\n"

// TestLabelMatchers shows the checker failing on the mistakes a hand-edited
// rule makes (a check name from memory, a typo inside an alternation, a
// label the family does not have) and passing the correct forms.
func TestLabelMatchers(t *testing.T) {
	p := filepath.Join(t.TempDir(), "metrics.md")
	if err := os.WriteFile(p, []byte(metricsFixture), 0o644); err != nil {
		t.Fatal(err)
	}
	fams, err := readFamilies(p)
	if err != nil {
		t.Fatal(err)
	}
	rules := func(expr, annotation string) *ruleFile {
		return &ruleFile{Groups: []ruleGroup{{Name: "g", Rules: []rule{
			{Alert: "AcmeX", Expr: expr, Annotations: map[string]string{"description": annotation}},
		}}}}
	}
	for _, c := range []struct {
		name, expr, annotation string
		want                   string // "" = no problem
	}{
		{"exact check", `acme_probe_failure_info{check="account_key"}`, "", ""},
		{"typo in check", `acme_probe_failure_info{check="account"}`, "", `"account" is not a declared value of check (did you mean account_key?)`},
		{"typo in alternation", `acme_probe_failure_info{check=~"account_key|acount_registration"}`, "", `"acount_registration" is not a declared value`},
		{"negative matcher typo", `acme_probe_failure_info{check!~"clock_ntp|clock_ntpd"}`, "", `"clock_ntpd" is not a declared value`},
		{"regex that matches", `acme_probe_failure_info{check=~"account_.*"}`, "", ""},
		{"regex that matches nothing", `acme_probe_failure_info{check=~"accounts_.*"}`, "", "the regex matches no declared value of check"},
		{"reason", `acme_http01_failure_info{reason="prober_no_ipv6", ip_family!="local"}`, "", ""},
		{"label the family lacks", `acme_account_key_problem_info{reason="missing"}`, "", "acme_account_key_problem_info has no label reason"},
		{"literal on an undeclared label", `acme_account_key_problem_info{problem="missing"}`, "", "label problem has no declared values"},
		{"templated values are not checked", `acme_probe_failure_info{check=~"$check", target="%s", job=~"acme.*"}`, "", ""},
		{"empty value", `acme_probe_failure_info{reason!=""}`, "", ""},
		{"annotation query", `vector(1)`, `{{ with query "acme_probe_failure_info{check=\"directory\"}" }}{{ end }}`, `"directory" is not a declared value of check (did you mean acme_directory?)`},
		{"ALERTS names a real alert", `ALERTS{alertname="AcmeX"}`, "", ""},
		{"ALERTS names no alert", `ALERTS{alertname=~"AcmeX|AcmeGone"}`, "", `"AcmeGone" is not an alert of the mixin`},
		{"recording rule reads a bounded family", `acme:failing{check="clock_ntpp"}`, "", `"clock_ntpp" is not a declared value`},
	} {
		t.Run(c.name, func(t *testing.T) {
			rf := rules(c.expr, c.annotation)
			rf.Groups[0].Rules = append(rf.Groups[0].Rules, rule{Record: "acme:failing", Expr: `max by (check) (acme_probe_failure_info)`})
			got := strings.Join(checkLabels(rf, nil, fams), "\n")
			switch {
			case c.want == "" && got != "":
				t.Errorf("want no problem, got %s", got)
			case c.want != "" && !strings.Contains(got, c.want):
				t.Errorf("got %q, want it to contain %q", got, c.want)
			}
		})
	}
}

// TestRealReferenceDeclaresChecks reads the generated reference: the check
// label's values come from the code (scrape.Checks), so a rule can be
// checked against them.
func TestRealReferenceDeclaresChecks(t *testing.T) {
	fams, err := readFamilies("../../docs/metrics.md")
	if err != nil {
		t.Fatal(err)
	}
	f := fams["acme_probe_failure_info"]
	if f == nil || !f.values["check"]["account_key"] || !f.values["check"]["acme_directory"] || f.values["check"]["account"] ||
		!f.values["reason"]["pending"] || !f.labels["reason"] {
		t.Fatalf("acme_probe_failure_info in docs/metrics.md: %+v", f)
	}
	if !fams["acme_http01_failure_info"].values["reason"]["prober_no_ipv6"] {
		t.Error("acme_http01_failure_info reason prober_no_ipv6 not declared")
	}
}
