// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{
		"AcmeCertificateExpired": "acmecertificateexpired",
		"Severity matrix":        "severity-matrix",
		"How to fix (certbot)":   "how-to-fix-certbot",
	} {
		if got := slug(in); got != want {
			t.Errorf("slug(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMetricsIn(t *testing.T) {
	expr := `max by (ca) (acme_rate_limit{job=~"acme.*", limit="x"}) / on (ca) group_left sum(rate(acme_client_errors_total{problem="acme_x"}[5m])) + up`
	want := []string{"acme_client_errors_total", "acme_rate_limit"}
	if got := metricsIn(expr); !reflect.DeepEqual(got, want) {
		t.Errorf("metricsIn = %v, want %v", got, want)
	}
}

func TestIsKnown(t *testing.T) {
	known := map[string]bool{"acme_client_errors": true, "acme_rate_limit": true}
	for name, want := range map[string]bool{
		"acme_client_errors_total": true,
		"acme_rate_limit":          true,
		"acme_rate_limits":         false,
		"acme_made_up":             false,
	} {
		if got := isKnown(known, name); got != want {
			t.Errorf("isKnown(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestCheckQuery(t *testing.T) {
	known := map[string]bool{"acme_directory_up": true}
	good := `sum(rate(acme_directory_up{job=~"$job", instance=~"$instance"}[$__rate_interval]))`
	if p := checkQuery(good, known); len(p) != 0 {
		t.Errorf("good query: %v", p)
	}
	for _, bad := range []string{
		`acme_directory_up{job=~"$job"}`,
		`acme_directory_up`,
		`acme_nope{job=~"$job", instance=~"$instance"}`,
		`rate(acme_directory_up{job=~"$job", instance=~"$instance"}[5m])`,
	} {
		if p := checkQuery(bad, known); len(p) == 0 {
			t.Errorf("bad query %q passed", bad)
		}
	}
}

// TestRun runs the checker on a minimal good mixin and on broken variants.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("metrics.md", "| family |\n|---|\n| `acme_directory_up` | directory | ok |\n")
	write("runbook.md", "# Runbook\n\n## AcmeDirectoryUnreachable\n\ntext\n")
	alerts := `{"groups":[{"name":"acme-directory","rules":[{"alert":"AcmeDirectoryUnreachable","expr":"acme_directory_up == 0","for":"15m",
	  "labels":{"severity":"warning"},"annotations":{"summary":"The directory is down.","description":"{{ $labels.directory }} is down.",
	  "runbook_url":"https://example.com/runbook.md#acmedirectoryunreachable"}}]}]}`
	write("alerts.json", alerts)
	dash := `{"uid":"UID","title":"t","editable":false,"templating":{"list":[
	  {"name":"datasource","type":"datasource"},
	  {"name":"job","type":"query","multi":true,"allValue":".+","refresh":2,"definition":"label_values(up, job)"},
	  {"name":"instance","type":"query","multi":true,"allValue":".+","refresh":2,"definition":"label_values(up{job=~\"$job\"}, instance)"}]},
	  "panels":[{"id":1,"type":"stat","title":"p","description":"d","datasource":{"uid":"${datasource}"},"fieldConfig":{"defaults":{"unit":"none"}},
	  "targets":[{"refId":"A","expr":"acme_directory_up{job=~\"$job\", instance=~\"$instance\"}"}]}]}`
	uid := "4d45734ef1aba051e0678ab366e1c737" // md5("acme-x.json")
	write("dashboards/acme-x.json", strings.Replace(dash, "UID", uid, 1))

	args := func(extra ...string) []string {
		return append([]string{
			"-alerts", filepath.Join(dir, "alerts.json"),
			"-dashboards", filepath.Join(dir, "dashboards"),
			"-metrics", filepath.Join(dir, "metrics.md"),
			"-runbook", filepath.Join(dir, "runbook.md"),
			"-promql-out", filepath.Join(dir, "queries.yaml"),
		}, extra...)
	}
	var out, errOut bytes.Buffer
	if code := run(args(), &out, &errOut); code != 0 {
		t.Fatalf("good mixin: exit %d: %s", code, errOut.String())
	}
	q, err := os.ReadFile(filepath.Join(dir, "queries.yaml"))
	if err != nil || !strings.Contains(string(q), "dashboard_query_3") {
		t.Errorf("queries file: %v %s", err, q)
	}

	for name, c := range map[string]struct{ file, content, want string }{
		"unknown metric": {"alerts.json", strings.Replace(alerts, "acme_directory_up == 0", "acme_directory_down == 0", 1), "acme_directory_down is not in the metric reference"},
		"no runbook":     {"runbook.md", "# Runbook\n", "no section with anchor #acmedirectoryunreachable"},
		"stray section":  {"runbook.md", "## AcmeDirectoryUnreachable\n## AcmeGone\n", "section AcmeGone names no alert"},
		"bad summary":    {"alerts.json", strings.Replace(alerts, "The directory is down.", "the directory is down", 1), "summary must be a sentence"},
		"bad uid":        {"dashboards/acme-x.json", strings.Replace(dash, "UID", "x", 1), "want md5 of the file name"},
		"editable":       {"dashboards/acme-x.json", strings.Replace(strings.Replace(dash, "UID", uid, 1), `"editable":false`, `"editable":true`, 1), "editable must be false"},
		"no selector":    {"dashboards/acme-x.json", strings.Replace(strings.Replace(dash, "UID", uid, 1), `, instance=~\"$instance\"`, "", 1), `lacks instance=~"$instance"`},
	} {
		t.Run(name, func(t *testing.T) {
			orig, err := os.ReadFile(filepath.Join(dir, c.file))
			if err != nil {
				t.Fatal(err)
			}
			defer write(c.file, string(orig))
			write(c.file, c.content)
			var out, errOut bytes.Buffer
			if code := run(args(), &out, &errOut); code == 0 || !strings.Contains(errOut.String(), c.want) {
				t.Errorf("exit %d, stderr %q, want it to contain %q", code, errOut.String(), c.want)
			}
		})
	}
}
