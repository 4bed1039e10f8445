// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"os"
	"os/user"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/acme-exporter/acme_exporter/config"
	"github.com/acme-exporter/acme_exporter/discovery"
	"github.com/acme-exporter/acme_exporter/exporter"
	"github.com/acme-exporter/acme_exporter/internal/testbed"
)

var update = flag.Bool("update", false, "rewrite golden files")

// fixtureNow is inside the validity of the fixture certificates Pebble
// issued (2026-11-27, 90 days), so the test keeps passing after they expire.
var fixtureNow = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

func TestMain(m *testing.M) {
	// The trust roots are the Pebble root saved with the fixtures: with no
	// config file the exporter uses the system pool, which Go reads from
	// SSL_CERT_FILE on first use.
	root, _ := filepath.Abs("../../discovery/testdata/pebble-root.pem")
	_ = os.Setenv("SSL_CERT_FILE", root)
	_ = os.Setenv("SSL_CERT_DIR", "/nonexistent")
	// Checks of discovered domains (HTTP-01) without a resolver setting
	// use Go's default resolver: in these tests it answers nothing, so no
	// fixture name ever reaches the host's resolver.
	net.DefaultResolver = &net.Resolver{PreferGo: true, Dial: func(context.Context, string, string) (net.Conn, error) {
		return nil, errors.New("tests never ask the host's resolver")
	}}
	os.Exit(m.Run())
}

// TestNoConfigCertbotFlag: the exporter started with no config file and
// one flag pointing at the certbot fixture tree exports certificate,
// account, renewal and discovery metrics for every lineage, and no
// lifecycle series for archive/.
func TestNoConfigCertbotFlag(t *testing.T) {
	dst := testbed.Dir(t)
	testbed.CopyTree(t, "../../discovery/testdata", dst)
	timers := filepath.Join(dst, "timers")
	if err := os.MkdirAll(timers, 0o755); err != nil {
		t.Fatal(err)
	}
	stamp := filepath.Join(timers, "stamp-certbot.timer")
	if err := os.WriteFile(stamp, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	ran := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	if err := os.Chtimes(stamp, ran, ran); err != nil {
		t.Fatal(err)
	}

	// What main does, with the flag parsed into Overrides.
	app := kingpin.New("acme_exporter", "")
	flags := addDiscoveryFlags(app)
	if _, err := app.Parse([]string{"--discovery.certbot-dir=" + filepath.Join(dst, "certbot"),
		"--discovery.certbot-log-dir=" + filepath.Join(dst, "certbot-logs"),
		"--discovery.systemd-timer-dir=" + timers, "--no-discovery.defaults"}); err != nil {
		t.Fatal(err)
	}
	got := normalize(scrapeWithDiscovery(t, flags.options()), dst)

	for _, fam := range []string{"acme_certificate_not_after_timestamp_seconds", "acme_account_key_usable",
		"acme_renewal_last_run_timestamp_seconds", "acme_discovery_items"} {
		if !strings.Contains(got, fam+"{") {
			t.Errorf("no %s series", fam)
		}
	}
	for _, line := range strings.Split(got, "\n") {
		if strings.Contains(line, "/archive/") && !strings.HasPrefix(line, "#") {
			t.Errorf("lifecycle series for a history file: %s", line)
		}
	}
	golden(t, "testdata/certbot-noconfig.prom", got)
}

// inScope are the families this test is about (issue 3): others (clock,
// DNS, directory, ...) depend on the machine and have their own tests.
var inScope = regexp.MustCompile(`^acme_(certificate|account|renewal|discovery)_`)

// scopedChecks are the checks whose probe series are compared.
var scopedChecks = map[string]bool{"certificate_file": true, "account_key": true,
	"account_registration": true, "renewal": true, "renewal_last_run": true, "discovery": true}

// normalize parses the exposition, keeps the families in scope, replaces
// the temporary directory and the test's uid/gid, writes every sample with
// its labels sorted, and sorts the lines.
func normalize(s, dst string) string {
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(s))
	if err != nil {
		return "unparsable exposition: " + err.Error()
	}
	var out []string
	uid, gid := fmt.Sprint(os.Getuid()), fmt.Sprint(os.Getgid())
	uname, gname := uid, gid // owner and group are names where they have one
	if u, err := user.LookupId(uid); err == nil {
		uname = u.Username
	}
	if g, err := user.LookupGroupId(gid); err == nil {
		gname = g.Name
	}
	for name, mf := range fams {
		probe := strings.HasPrefix(name, "acme_probe_") || name == "acme_check_last_success_timestamp_seconds"
		if !inScope.MatchString(name) && !probe {
			continue
		}
		for _, m := range mf.GetMetric() {
			var labels []string
			keep := !probe
			for _, lp := range m.GetLabel() {
				if lp.GetName() == "check" && scopedChecks[lp.GetValue()] {
					keep = true
				}
				labels = append(labels, fmt.Sprintf("%s=%q", lp.GetName(), lp.GetValue()))
			}
			if !keep {
				continue
			}
			sort.Strings(labels)
			v := m.GetGauge().GetValue()
			if m.Counter != nil {
				v = m.GetCounter().GetValue()
			}
			l := fmt.Sprintf("%s{%s} %g", name, strings.Join(labels, ","), v)
			l = strings.ReplaceAll(l, dst, "FIXTURES")
			l = strings.ReplaceAll(l, `owner="`+uname+`"`, `owner="UID"`)
			l = strings.ReplaceAll(l, `group="`+gname+`"`, `group="GID"`)
			l = strings.ReplaceAll(l, `service_user="owner:`+uid+`"`, `service_user="owner:UID"`)
			out = append(out, l)
		}
	}
	sort.Strings(out)
	return strings.Join(out, "\n") + "\n"
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create)", err)
	}
	if string(want) != got {
		t.Errorf("output differs from %s (run with -update and review the diff):\n%s", path, diffLines(string(want), got))
	}
}

func diffLines(a, b string) string {
	as, bs := map[string]bool{}, map[string]bool{}
	for _, l := range strings.Split(a, "\n") {
		as[l] = true
	}
	for _, l := range strings.Split(b, "\n") {
		bs[l] = true
	}
	var d []string
	for l := range as {
		if !bs[l] {
			d = append(d, "- "+l)
		}
	}
	for l := range bs {
		if !as[l] {
			d = append(d, "+ "+l)
		}
	}
	sort.Strings(d)
	return strings.Join(d, "\n")
}

// TestInstalledButUnused: a client installed but never used to get a
// certificate is found, and nothing fails: no renewal job is expected to
// have run for it. Each tree is what the client's package or first
// command leaves behind.
func TestInstalledButUnused(t *testing.T) {
	for _, tc := range []struct {
		client string
		files  map[string]string // below the host root; "" content for directories
		copyTo map[string]string // fixture tree -> below the host root
	}{
		{client: "certbot", files: map[string]string{
			// Debian's certbot package, before any certbot run.
			"etc/letsencrypt/cli.ini": "max-log-backups = 0\npreconfigured-renewal = True\n",
		}},
		{client: "lego", copyTo: map[string]string{
			// `lego run` registered the account, then failed: no
			// certificates/ directory.
			"../../discovery/testdata/lego/accounts": "root/.lego/accounts",
		}},
		{client: "acmesh", files: map[string]string{
			// `acme.sh --install`: registration waits for the first issue.
			"root/.acme.sh/account.conf": "LOG_FILE=\"/root/.acme.sh/acme.sh.log\"\n",
			"root/.acme.sh/acme.sh":      "#!/usr/bin/env sh\n",
			"root/.acme.sh/acme.sh.env":  "export LE_WORKING_DIR=\"/root/.acme.sh\"\n",
			"root/.acme.sh/dnsapi/":      "",
		}},
		{client: "caddy", files: map[string]string{
			// Caddy serving plain HTTP only.
			"var/lib/caddy/.local/share/caddy/instance.uuid":   "6a1a6c6e-0b4c-4a53-9d5e-2b7b3f1f2b10\n",
			"var/lib/caddy/.local/share/caddy/last_clean.json": "{\"tls\":{\"timestamp\":\"2026-11-30T00:00:00Z\"}}\n",
		}},
	} {
		t.Run(tc.client, func(t *testing.T) {
			host := testbed.Dir(t)
			for p, content := range tc.files {
				full := filepath.Join(host, p)
				if strings.HasSuffix(p, "/") {
					if err := os.MkdirAll(full, 0o755); err != nil {
						t.Fatal(err)
					}
					continue
				}
				if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
					t.Fatal(err)
				}
				writeFile(t, full, content)
			}
			for from, to := range tc.copyTo {
				testbed.CopyTree(t, from, filepath.Join(host, to))
			}
			got := scrapeWithDiscovery(t, discovery.Overrides{RootFS: host})
			if !strings.Contains(got, `acme_discovery_root_info{client="`+tc.client+`"`) {
				t.Fatalf("%s not discovered:\n%s", tc.client, got)
			}
			for _, l := range strings.Split(got, "\n") {
				if strings.HasPrefix(l, "acme_probe_failure_info{") {
					t.Errorf("installed-but-unused %s fails a check: %s", tc.client, l)
				}
			}
		})
	}
}

// scrapeWithDiscovery runs the exporter without a config file, discovery
// set by o, and returns one scrape of /metrics.
func scrapeWithDiscovery(t *testing.T, o discovery.Overrides) string {
	t.Helper()
	exp, _ := startWithDiscovery(t, "", o)
	srv := httptest.NewServer(exp.MetricsHandler(nil, 0))
	t.Cleanup(srv.Close)
	resp, err := srv.Client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, _ := io.ReadAll(resp.Body)
	return string(body)
}

// startWithDiscovery starts what main starts, at fixtureNow: the config
// file cfg ("" for none) and discovery set by o.
func startWithDiscovery(t *testing.T, cfg string, o discovery.Overrides) (*exporter.Exporter, *config.SafeConfig) {
	t.Helper()
	now := func() time.Time { return fixtureNow }
	reg := prometheus.NewRegistry()
	sc := config.NewSafeConfig(cfg, reg, now)
	if err := sc.Reload(nil); err != nil {
		t.Fatal(err)
	}
	exp, err := exporter.New(sc, reg, slog.New(slog.DiscardHandler), now)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	StartDiscovery(ctx, exp, o)
	return exp, sc
}
