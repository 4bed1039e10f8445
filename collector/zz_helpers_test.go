// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package collector

import (
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/acme-exporter/acme_exporter/internal/testbed"
	"github.com/acme-exporter/acme_exporter/internal/testcerts"
)

// pebbleEnv starts in-process Pebble and returns an Env whose only
// directory is Pebble's, trusted through tls_ca_file.
func pebbleEnv(t *testing.T, dirURL string, p *testbed.Pebble, clock func() time.Time, extra string) *Env {
	t.Helper()
	caFile := filepath.Join(t.TempDir(), "pebble-tls.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.Server.Certificate().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	yml := fmt.Sprintf("acme_directories:\n  directories:\n    - url: %s\n      tls_ca_file: %s\n%s", dirURL, caFile, extra)
	env := testEnv(t, yml, time.Time{}, nil)
	env.Now = clock
	return env
}

// mutableClock is a test clock that can be moved.
type mutableClock struct {
	mu sync.Mutex
	t  time.Time
}

func (m *mutableClock) Now() time.Time { m.mu.Lock(); defer m.mu.Unlock(); return m.t }

func (m *mutableClock) Add(d time.Duration) {
	m.mu.Lock()
	m.t = m.t.Add(d)
	m.mu.Unlock()
}

func ts(t time.Time) string { return fmt.Sprintf("%.10e", float64(t.Unix())) }

// scrapeText renders one scrape of c as exposition text.
func scrapeText(t *testing.T, c interface {
	Collect(chan<- prometheus.Metric)
}) string {
	t.Helper()
	return gatherText(t, c)
}

// metricValue finds one sample's value in exposition text.
func metricValue(t *testing.T, text, series string) float64 {
	t.Helper()
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, series+" ") {
			v, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimPrefix(line, series)), 64)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
	}
	t.Fatalf("no %s in\n%s", series, text)
	return 0
}

// tlsFiles writes a certificate file and key for nginx.
func tlsFiles(t testing.TB, dir, base string, chain []byte, leaf *testcerts.Cert) [2]string {
	t.Helper()
	return [2]string{
		testcerts.Write(t, dir, base+".pem", chain, 0o644),
		testcerts.Write(t, dir, base+".key", leaf.KeyPEM(), 0o600),
	}
}

func expand(s string, vars map[string]string) string {
	for k, v := range vars {
		s = strings.ReplaceAll(s, "{{"+k+"}}", v)
	}
	return s
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// probeCollector serves one /probe request's targets as a collector.
type probeCollector struct {
	sched   *Scheduler
	targets []Target
}

func (p *probeCollector) Describe(chan<- *prometheus.Desc) {}

func (p *probeCollector) Collect(ch chan<- prometheus.Metric) {
	p.sched.Probe(p.targets, time.Now().Add(10*time.Second), ch)
}

type dnsBed struct {
	primary, secondary, parent *testbed.Knot
	resolver                   string
}

func startDNSBed(t *testing.T) *dnsBed {
	t.Helper()
	p := testbed.StartKnot(t, "127.0.0.2", []testbed.KnotZone{
		{Name: "example.test.", Text: zoneExample},
		{Name: "auth.test.", Text: zoneAuth},
	})
	par := testbed.StartKnot(t, "127.0.0.2", []testbed.KnotZone{
		{Name: "test.", Text: zoneTest},
		{Name: "caa.test.", Text: zoneCAA},
	})
	s := testbed.StartKnot(t, "127.0.0.3", []testbed.KnotZone{{Name: "example.test.", Primary: p.Addr}})
	b := &dnsBed{primary: p, secondary: s, parent: par}
	b.resolver = testbed.StartStubResolver(t, map[string]string{
		"test.": par.Addr, "caa.test.": par.Addr, "example.test.": p.Addr, "auth.test.": p.Addr,
	})
	b.waitSerial(t, s, "2026112601")
	return b
}

func (b *dnsBed) waitSerial(t *testing.T, k *testbed.Knot, serial string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		out := k.Control(t, "zone-status", "example.test.")
		if strings.Contains(out, "serial: "+serial) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not reach serial %s: %s", k.Addr, serial, out)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (b *dnsBed) config(domains string) string {
	return fmt.Sprintf(`
dns01_defaults:
  resolver: %s
  query_timeout: 2s
dns01:
%s`, b.resolver, strings.NewReplacer("$P", b.primary.Addr, "$S", b.secondary.Addr, "$R", b.parent.Addr).Replace(domains))
}

// childModes are test bodies run in a re-executed copy of the test binary,
// for cases that need another uid (CI runs as root, which reads anything).
// A test file adds one from init(); the child is selected by the
// ACME_TEST_CHILD environment variable and its stdout goes to the parent.
var childModes = map[string]func() int{}

// runAsNobody runs child mode as uid/gid 65534 via setpriv and returns its
// stdout. The test binary is copied to dir, which must be world-readable.
func runAsNobody(t *testing.T, dir, mode string, env ...string) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "collector.test")
	data, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		t.Fatal("setpriv (util-linux) is needed to test as an unprivileged user")
	}
	cmd := exec.Command(setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", bin)
	cmd.Env = append([]string{"ACME_TEST_CHILD=" + mode, "PATH=/usr/bin:/bin"}, env...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			stderr = ee.Stderr
		}
		t.Fatalf("child %s: %v\n%s%s", mode, err, out, stderr)
	}
	return string(out)
}

// newFamilies makes fresh instances of the families registered under names,
// for tests that combine families without importing their internals.
func newFamilies(t testing.TB, logger *slog.Logger, names ...string) map[string]Collector {
	t.Helper()
	out := map[string]Collector{}
	for _, n := range names {
		c, err := New(n, logger)
		if err != nil {
			t.Fatal(err)
		}
		out[n] = c
	}
	return out
}
