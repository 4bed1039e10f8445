// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package scrapetest

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
	"github.com/acme-exporter/acme_exporter/scrape"
)

// PebbleEnv starts in-process Pebble and returns an Env whose only
// directory is Pebble's, trusted through tls_ca_file.
func PebbleEnv(t *testing.T, dirURL string, p *testbed.Pebble, clock func() time.Time, extra string) *scrape.Env {
	t.Helper()
	caFile := filepath.Join(t.TempDir(), "pebble-tls.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.Server.Certificate().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	yml := fmt.Sprintf("acme_directories:\n  directories:\n    - url: %s\n      tls_ca_file: %s\n      issuers: [\"Pebble Intermediate CA *\"]\n%s", dirURL, caFile, extra)
	env := Env(t, yml, time.Time{}, nil)
	env.Now = clock
	return env
}

// MutableClock is a test clock that can be moved.
type MutableClock struct {
	mu sync.Mutex
	T  time.Time
}

func (m *MutableClock) Now() time.Time { m.mu.Lock(); defer m.mu.Unlock(); return m.T }

func (m *MutableClock) Add(d time.Duration) {
	m.mu.Lock()
	m.T = m.T.Add(d)
	m.mu.Unlock()
}

func TS(t time.Time) string { return fmt.Sprintf("%.10e", float64(t.Unix())) }

// ScrapeText renders one scrape of c as exposition text.
func ScrapeText(t *testing.T, c interface {
	Collect(chan<- prometheus.Metric)
}) string {
	t.Helper()
	return gatherText(t, c)
}

// MetricValue finds one sample's value in exposition text.
func MetricValue(t *testing.T, text, series string) float64 {
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

// TLSFiles writes a certificate file and key for nginx.
func TLSFiles(t testing.TB, dir, base string, chain []byte, leaf *testcerts.Cert) [2]string {
	t.Helper()
	return [2]string{
		testcerts.Write(t, dir, base+".pem", chain, 0o644),
		testcerts.Write(t, dir, base+".key", leaf.KeyPEM(), 0o600),
	}
}

func Expand(s string, vars map[string]string) string {
	for k, v := range vars {
		s = strings.ReplaceAll(s, "{{"+k+"}}", v)
	}
	return s
}

func MustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// ProbeCollector serves one /probe request's targets as a collector.
type ProbeCollector struct {
	Sched   *scrape.Scheduler
	Targets []scrape.Target
}

func (p *ProbeCollector) Describe(chan<- *prometheus.Desc) {}

func (p *ProbeCollector) Collect(ch chan<- prometheus.Metric) {
	p.Sched.Probe(p.Targets, time.Now().Add(10*time.Second), ch)
}

type dnsBed struct {
	Primary, Secondary, Parent *testbed.Knot
	Resolver                   string
}

func StartDNSBed(t *testing.T) *dnsBed {
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
	b := &dnsBed{Primary: p, Secondary: s, Parent: par}
	b.Resolver = testbed.StartStubResolver(t, map[string]string{
		"test.": par.Addr, "caa.test.": par.Addr, "example.test.": p.Addr, "auth.test.": p.Addr,
	})
	b.WaitSerial(t, s, "2026112601")
	return b
}

func (b *dnsBed) WaitSerial(t *testing.T, k *testbed.Knot, serial string) {
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

func (b *dnsBed) Config(domains string) string {
	return fmt.Sprintf(`
dns01_defaults:
  resolver: %s
  query_timeout: 2s
dns01:
%s`, b.Resolver, strings.NewReplacer("$P", b.Primary.Addr, "$S", b.Secondary.Addr, "$R", b.Parent.Addr).Replace(domains))
}

// ChildModes are test bodies run in a re-executed copy of the test binary,
// for cases that need another uid (CI runs as root, which reads anything).
// A test file adds one from init(); the child is selected by the
// ACME_TEST_CHILD environment variable and its stdout goes to the parent.
var ChildModes = map[string]func() int{}

// RunAsNobody runs child mode as uid/gid 65534 via setpriv and returns its
// stdout. The test binary is copied to dir, which must be world-readable.
func RunAsNobody(t *testing.T, dir, mode string, env ...string) string {
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

// NewFamilies makes fresh instances of the families registered under names,
// for tests that combine families without importing their internals. They
// are closed when the test ends.
func NewFamilies(t testing.TB, logger *slog.Logger, names ...string) map[string]scrape.Collector {
	t.Helper()
	out := map[string]scrape.Collector{}
	t.Cleanup(func() {
		if err := scrape.Close(out); err != nil {
			t.Error(err)
		}
	})
	for _, n := range names {
		c, err := scrape.New(n, logger)
		if err != nil {
			t.Fatal(err)
		}
		out[n] = c
	}
	return out
}

const zoneTest = `$ORIGIN test.
$TTL 60
@        SOA ns.test. hostmaster.test. 1 3600 600 86400 60
@        NS  ns.test.
ns       A   127.0.0.2
example  NS  ns1.example.test.
example  NS  ns2.example.test.
ns1.example A 127.0.0.2
ns2.example A 127.0.0.3
auth     NS  ns1.example.test.
caa      NS  ns.test.
`

const zoneExample = `$ORIGIN example.test.
$TTL 60
@               SOA ns1 hostmaster 2026112601 3600 600 86400 60
@               NS  ns1
@               NS  ns2
ns1             A   127.0.0.2
ns2             A   127.0.0.3
_acme-challenge TXT "token-old"
_acme-challenge TXT "canary-123"
_acme-challenge.cn CNAME cn.auth.test.
`

const zoneAuth = `$ORIGIN auth.test.
$TTL 300
@   SOA ns1.example.test. hostmaster.auth.test. 7 3600 600 86400 60
@   NS  ns1.example.test.
cn  TXT "acme-dns-value-1"
cn  TXT "acme-dns-value-2"
`

const zoneCAA = `$ORIGIN caa.test.
$TTL 60
@            SOA ns.test. hostmaster.test. 1 3600 600 86400 60
@            NS  ns.test.
allow        CAA 0 issue "letsencrypt.org"
forbid       CAA 0 issue "pebble.letsencrypt.org"
empty        CAA 0 issue ";"
acct         CAA 0 issue "letsencrypt.org; accounturi=https://acme-v02.api.letsencrypt.org/acme/acct/1"
vm           CAA 0 issue "letsencrypt.org; validationmethods=http-01"
crit         CAA 128 tbs "unknown"
crit         CAA 0 issue "letsencrypt.org"
wild         CAA 0 issue "letsencrypt.org"
wild         CAA 0 issuewild ";"
iodef        CAA 0 iodef "mailto:security@caa.test"
`
