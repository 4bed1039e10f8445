// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

// Package scrapetest holds what the check families' tests share: an Env
// from YAML, a harness that scrapes families through the real scheduler,
// golden comparisons, real servers (Pebble, Knot) set up for checks, and
// re-running a test binary as an unprivileged user.
package scrapetest

import (
	"crypto/x509"
	"flag"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/common/expfmt"

	"github.com/acme-exporter/acme_exporter/config"
	"github.com/acme-exporter/acme_exporter/inventory"
	"github.com/acme-exporter/acme_exporter/scrape"
)

// The families' tests never reach the public NTP pool or Let's Encrypt by
// default: every test binary that builds an Env imports this package.
func init() { config.OfflineDefaults = true }

// Env builds an Env from yml with a fixed clock.
func Env(t testing.TB, yml string, now time.Time, roots *x509.CertPool) *scrape.Env {
	t.Helper()
	c, err := config.Parse([]byte(yml))
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	return &scrape.Env{
		Config:      c,
		Now:         func() time.Time { return now },
		Logger:      slog.New(slog.DiscardHandler),
		Roots:       roots,
		Inventory:   inventory.New(),
		Discovered:  &inventory.Snapshot{},
		Directories: inventory.NewDirectoryStore(),
	}
}

// Harness runs some families through a scheduler, as one scrape.
type Harness struct {
	Sched    *scrape.Scheduler
	Env      *scrape.Env
	Families map[string]scrape.Collector
	Timeout  time.Duration
}

func (f *Harness) Describe(chan<- *prometheus.Desc) {}

func (f *Harness) Collect(ch chan<- prometheus.Metric) {
	f.Sched.Collect(f.Env, f.Families, time.Now().Add(f.Timeout), ch)
}

// NewHarness returns a prometheus.Collector scraping the given families
// with env, with a long deadline.
func NewHarness(env *scrape.Env, fams map[string]scrape.Collector) *Harness {
	return &Harness{
		Sched:    scrape.NewScheduler(4, env.Now, env.Logger),
		Env:      env,
		Families: fams,
		Timeout:  30 * time.Second,
	}
}

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// CompareFile checks the named families against testdata/<golden>, in
// which the string DIR stands for dir. With -update it rewrites the file.
func CompareFile(t testing.TB, c prometheus.Collector, golden, dir string, names ...string) {
	t.Helper()
	path := "testdata/" + golden
	if *update {
		reg := prometheus.NewPedanticRegistry()
		reg.MustRegister(c)
		mfs, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for _, mf := range mfs {
			for _, n := range names {
				if mf.GetName() == n {
					if _, err := expfmt.MetricFamilyToText(&b, mf); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		out := strings.ReplaceAll(b.String(), dir, "DIR")
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if err := testutil.CollectAndCompare(c, strings.NewReader(strings.ReplaceAll(string(want), "DIR", dir)), names...); err != nil {
		t.Fatal(err)
	}
}

// Compare checks the named metric families against the exposition text
// in want (HELP/TYPE lines are added from the code, so write only samples
// and list the names to compare).
func Compare(t testing.TB, c prometheus.Collector, want string, names ...string) {
	t.Helper()
	var b strings.Builder
	known := map[string]bool{}
	for _, d := range scrape.Docs() {
		known[d.Name] = true
	}
	// A name no code declares would otherwise drop its expected lines
	// unseen: a test could keep expecting a family that was removed.
	for _, n := range names {
		if !known[n] {
			t.Fatalf("Compare: no family %s is declared", n)
		}
	}
	for _, d := range scrape.Docs() {
		for _, n := range names {
			if d.Name == n {
				b.WriteString("# HELP " + d.Name + " " + d.Help + "\n# TYPE " + d.Name + " " + d.Kind + "\n")
				for _, line := range strings.Split(want, "\n") {
					line = strings.TrimSpace(line)
					if strings.HasPrefix(line, n+"{") || strings.HasPrefix(line, n+" ") {
						b.WriteString(line + "\n")
					}
				}
			}
		}
	}
	if err := testutil.CollectAndCompare(c, strings.NewReader(b.String()), names...); err != nil {
		t.Fatal(err)
	}
}

func StringsReader(s string) *strings.Reader { return strings.NewReader(s) }
