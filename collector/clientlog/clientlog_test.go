// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package clientlog

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/acme-exporter/acme_exporter/internal/scrapetest"
	"github.com/acme-exporter/acme_exporter/internal/testbed"
	"github.com/acme-exporter/acme_exporter/internal/testcerts"
	"github.com/acme-exporter/acme_exporter/inventory"
	"github.com/acme-exporter/acme_exporter/scrape"
)

// fixture returns a log recorded by scripts/regen-logs.sh (real certbot
// and lego runs against Pebble) or a synthetic-* sample.
func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "internal", "acmelog", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func appendTo(t *testing.T, path string, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(b); err != nil {
		t.Fatal(err)
	}
}

// zeroSeries are the series every log has from the first scrape.
func zeroSeries(log string, except ...string) string {
	var b strings.Builder
	skip := map[string]bool{}
	for _, e := range except {
		skip[e] = true
	}
	for _, p := range clInitialProblems {
		if !skip[p] {
			fmt.Fprintf(&b, "acme_client_errors_total{log=%q,problem=%q} 0\n", log, p)
		}
	}
	for _, l := range clInitialLimits {
		if !skip[l] {
			fmt.Fprintf(&b, "acme_client_rate_limited_total{limit=%q,log=%q} 0\n", l, log)
		}
	}
	return b.String()
}

var clNames = []string{"acme_client_errors_total", "acme_client_error_last_seen_timestamp_seconds",
	"acme_client_remote_validation_errors_total", "acme_client_rate_limited_total", "acme_client_log_lines_cut_total",
	"acme_probe_failure_info"}

// TestClientLogAcrossRotation tails a certbot log through a rename
// rotation (certbot's own) and a copytruncate (logrotate's), with real
// certbot and lego output appended, and a discovered lego log that does
// not exist at first.
func TestClientLogAcrossRotation(t *testing.T) {
	dir := t.TempDir()
	certbotLog := filepath.Join(dir, "letsencrypt.log")
	legoLog := filepath.Join(dir, "lego.log")
	appendTo(t, certbotLog, fixture(t, "certbot-connection-refused.log")) // before start: not counted

	clock := testcerts.Epoch
	env := scrapetest.Env(t, fmt.Sprintf("client_logs:\n  files:\n    - path: %s\n      format: certbot\n", certbotLog), clock, nil)
	env.Now = func() time.Time { return clock }
	env.Discovered = &inventory.Snapshot{Logs: []inventory.LogFile{{Client: "lego", Path: legoLog, Format: "lego"}}}
	h := scrapetest.NewHarness(env, map[string]scrape.Collector{clientLogCheck: newClientLogCollector(env.Logger)})
	ts := func(t time.Time) string { return fmt.Sprint(t.Unix()) }

	// 1. Start: the existing content is history; the lego log is missing.
	scrapetest.Compare(t, h, zeroSeries(certbotLog)+zeroSeries(legoLog)+fmt.Sprintf(`
acme_client_log_lines_cut_total{log=%q} 0
acme_client_log_lines_cut_total{log=%q} 0
acme_probe_failure_info{check="client_log",reason="not_found",target=%q} 1
`, certbotLog, legoLog, legoLog), clNames...)

	// 2. New failures in both logs.
	clock = clock.Add(time.Minute)
	appendTo(t, certbotLog, fixture(t, "certbot-unauthorized.log"))
	appendTo(t, legoLog, fixture(t, "lego-badnonce.log"))
	clock2 := clock
	scrapetest.Compare(t, h, zeroSeries(certbotLog, "unauthorized")+zeroSeries(legoLog, "badNonce")+fmt.Sprintf(`
acme_client_errors_total{log=%[1]q,problem="unauthorized"} 1
acme_client_error_last_seen_timestamp_seconds{log=%[1]q,problem="unauthorized"} %[3]s
acme_client_errors_total{log=%[2]q,problem="badNonce"} 11
acme_client_error_last_seen_timestamp_seconds{log=%[2]q,problem="badNonce"} %[3]s
acme_client_log_lines_cut_total{log=%[1]q} 0
acme_client_log_lines_cut_total{log=%[2]q} 0
`, certbotLog, legoLog, ts(clock2)), clNames...)

	// 3. certbot rotates by rename and starts a new file; a late line
	// still lands in the old one before the next scrape.
	clock = clock.Add(time.Minute)
	if err := os.Rename(certbotLog, certbotLog+".1"); err != nil {
		t.Fatal(err)
	}
	appendTo(t, certbotLog+".1", fixture(t, "certbot-connection-refused.log"))
	appendTo(t, certbotLog, fixture(t, "certbot-account-does-not-exist.log"))
	// 4. logrotate's copytruncate on the lego log, then new output.
	b, _ := os.ReadFile(legoLog)
	if err := os.WriteFile(legoLog+".1", b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(legoLog, 0); err != nil {
		t.Fatal(err)
	}
	appendTo(t, legoLog, fixture(t, "synthetic-lego.log"))
	scrapetest.Compare(t, h, zeroSeries(certbotLog, "unauthorized", "connection", "accountDoesNotExist")+
		zeroSeries(legoLog, "badNonce", "rateLimited", "dns", "unauthorized",
			"new_orders_per_account", "failed_validations")+fmt.Sprintf(`
acme_client_errors_total{log=%[1]q,problem="unauthorized"} 1
acme_client_errors_total{log=%[1]q,problem="connection"} 1
acme_client_errors_total{log=%[1]q,problem="accountDoesNotExist"} 1
acme_client_error_last_seen_timestamp_seconds{log=%[1]q,problem="unauthorized"} %[3]s
acme_client_error_last_seen_timestamp_seconds{log=%[1]q,problem="connection"} %[4]s
acme_client_error_last_seen_timestamp_seconds{log=%[1]q,problem="accountDoesNotExist"} %[4]s
acme_client_errors_total{log=%[2]q,problem="badNonce"} 11
acme_client_errors_total{log=%[2]q,problem="rateLimited"} 2
acme_client_errors_total{log=%[2]q,problem="dns"} 1
acme_client_errors_total{log=%[2]q,problem="unauthorized"} 1
acme_client_error_last_seen_timestamp_seconds{log=%[2]q,problem="badNonce"} %[3]s
acme_client_error_last_seen_timestamp_seconds{log=%[2]q,problem="rateLimited"} %[4]s
acme_client_error_last_seen_timestamp_seconds{log=%[2]q,problem="dns"} %[4]s
acme_client_error_last_seen_timestamp_seconds{log=%[2]q,problem="unauthorized"} %[4]s
acme_client_remote_validation_errors_total{log=%[2]q,problem="unauthorized"} 1
acme_client_rate_limited_total{limit="new_orders_per_account",log=%[2]q} 1
acme_client_rate_limited_total{limit="failed_validations",log=%[2]q} 1
acme_client_log_lines_cut_total{log=%[1]q} 0
acme_client_log_lines_cut_total{log=%[2]q} 0
`, certbotLog, legoLog, ts(clock2), ts(clock)), clNames...)

	if problems, err := testutil.CollectAndLint(h); err != nil || len(problems) > 0 {
		t.Fatalf("lint: %v %v", err, problems)
	}
}

// TestClientLogPausedAndHugeLines: the paused-identifier case in a Caddy
// JSON log, and a line longer than the limit that is cut, not buffered.
func TestClientLogPausedAndHugeLines(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "caddy.log")
	appendTo(t, log, nil)
	env := scrapetest.Env(t, fmt.Sprintf("client_logs:\n  max_line_bytes: 1024\n  files:\n    - path: %s\n      format: caddy-json\n", log), testcerts.Epoch, nil)
	h := scrapetest.NewHarness(env, map[string]scrape.Collector{clientLogCheck: newClientLogCollector(env.Logger)})
	testutil.CollectAndCount(h)
	appendTo(t, log, []byte(strings.Repeat("A", 5<<20)+"\n"))
	appendTo(t, log, fixture(t, "synthetic-caddy.log"))
	scrapetest.Compare(t, h, zeroSeries(log, "connection", "rateLimited", "paused_identifier")+fmt.Sprintf(`
acme_client_errors_total{log=%[1]q,problem="connection"} 1
acme_client_errors_total{log=%[1]q,problem="rateLimited"} 1
acme_client_rate_limited_total{limit="paused_identifier",log=%[1]q} 1
acme_client_log_lines_cut_total{log=%[1]q} 1
`, log), "acme_client_errors_total", "acme_client_rate_limited_total", "acme_client_log_lines_cut_total")
}

// TestClientLogNotRegular: a directory where the log should be is a
// bounded failure, not an error of the scrape.
func TestClientLogNotRegular(t *testing.T) {
	dir := t.TempDir()
	env := scrapetest.Env(t, fmt.Sprintf("client_logs:\n  files:\n    - path: %s\n", dir), testcerts.Epoch, nil)
	h := scrapetest.NewHarness(env, map[string]scrape.Collector{clientLogCheck: newClientLogCollector(env.Logger)})
	scrapetest.Compare(t, h, fmt.Sprintf(`acme_probe_failure_info{check="client_log",reason="not_regular_file",target=%q} 1`, dir),
		"acme_probe_failure_info")
}

// TestClientLogRealCertbot runs the real certbot against the real Pebble
// (its VA resolving through pebble-challtestsrv, nothing listening on the
// HTTP-01 port), twice: the log does not exist before the first run; the
// second run uses upstream certbot's own rotation (--max-log-backups;
// Debian sets it to 0 and leaves rotation to logrotate), which renames the
// log at the start of the run.
func TestClientLogRealCertbot(t *testing.T) {
	certbot := testbed.Binary(t, "certbot")
	dir := testbed.Dir(t)
	dns := testbed.StartChallTestSrv(t, dir)
	pb := testbed.StartPebbleProcess(t, dir, dns, testbed.FreePort(t, "127.0.0.1"))
	logDir := filepath.Join(dir, "logs")
	logFile := filepath.Join(logDir, "letsencrypt.log")

	env := scrapetest.Env(t, fmt.Sprintf("client_logs:\n  files:\n    - path: %s\n", logFile), testcerts.Epoch, nil)
	h := scrapetest.NewHarness(env, map[string]scrape.Collector{clientLogCheck: newClientLogCollector(env.Logger)})
	scrapetest.Compare(t, h, fmt.Sprintf(`acme_probe_failure_info{check="client_log",reason="not_found",target=%q} 1`, logFile),
		"acme_probe_failure_info")

	webroot := filepath.Join(dir, "webroot")
	if err := os.MkdirAll(webroot, 0o755); err != nil {
		t.Fatal(err)
	}
	run := func(extra ...string) {
		cmd := exec.Command(certbot, append(extra, "certonly", "--non-interactive", "--agree-tos", "-m", "admin@example.test",
			"--no-eff-email", "--server", pb.DirectoryURL,
			"--config-dir", filepath.Join(dir, "config"), "--work-dir", filepath.Join(dir, "work"), "--logs-dir", logDir,
			"--webroot", "-w", webroot, "-d", "down.example.test")...)
		cmd.Env = append(os.Environ(), "REQUESTS_CA_BUNDLE="+pb.CAFile)
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), "connection") {
			t.Fatalf("certbot should fail validation with a connection problem: %v\n%s\npebble:\n%s", err, out, pb.Proc.Logs())
		}
	}
	for i, extra := range [][]string{nil, {"--max-log-backups", "10"}} {
		i++
		run(extra...)
		scrapetest.Compare(t, h, zeroSeries(logFile, "connection")+
			fmt.Sprintf(`acme_client_errors_total{log=%q,problem="connection"} %d`, logFile, i),
			"acme_client_errors_total")
	}
	if _, err := os.Stat(logFile + ".1"); err != nil {
		t.Fatalf("certbot did not rotate its log: %v", err)
	}
}
