// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package exporter

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/acme-exporter/acme_exporter/config"
	"github.com/acme-exporter/acme_exporter/internal/guard"
	"github.com/acme-exporter/acme_exporter/internal/testcerts"
	"github.com/acme-exporter/acme_exporter/scrape"
)

// netFamily is a test-only network module kind, to exercise the /probe
// name and CIDR refusals before any real network family exists.
type netFamily struct{}

func (netFamily) Targets(*scrape.Env) ([]scrape.Target, error) { return nil, nil }
func (netFamily) Kinds() []string                              { return []string{"test_net"} }
func (netFamily) ProbeTargets(ctx context.Context, env *scrape.Env, m *config.Module, target string) ([]scrape.Target, error) {
	host, _, err := net.SplitHostPort(target)
	if err != nil {
		return nil, scrape.Refuse("target %q is not host:port", target)
	}
	if err := guard.FromModule(m).CheckHost(context.Background(), net.DefaultResolver, host); err != nil {
		return nil, scrape.Refuse("%v", err)
	}
	return []scrape.Target{{Check: "test_net", Target: target, Run: func(context.Context, scrape.Emit) error { return nil }}}, nil
}

func init() {
	scrape.Checks("test_net")
	scrape.Register("test_net", true, func(*slog.Logger) scrape.Collector { return netFamily{} })
	config.RegisterModuleKind("test_net", true, nil)
}

func newTestExporter(t *testing.T, yml string) (*Exporter, *httptest.Server) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "c.yml")
	if err := os.WriteFile(path, []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}
	return newTestExporterFile(t, path)
}

func newTestExporterFile(t testing.TB, path string) (*Exporter, *httptest.Server) {
	t.Helper()
	reg := prometheus.NewRegistry()
	sc := config.NewSafeConfig(path, reg, nil)
	if err := sc.Reload(nil); err != nil {
		t.Fatal(err)
	}
	e, err := New(sc, reg, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", e.MetricsHandler(nil, 0))
	mux.Handle("/probe", e.ProbeHandler())
	mux.Handle("/-/reload", e.ReloadHandler(func() error { return sc.Reload(nil) }))
	srv := httptest.NewServer(mux)
	t.Cleanup(func() {
		srv.Close()
		if err := e.Close(); err != nil {
			t.Error(err)
		}
	})
	return e, srv
}

func get(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusOK && strings.Contains(u, "/probe?") && !strings.Contains(u, "debug=true") {
		return resp.StatusCode, canonical(t, b)
	}
	return resp.StatusCode, string(b)
}

// canonical re-renders a /probe answer with labels sorted by name, as
// client_golang writes them, so that tests can look for whole lines
// whatever label order the writer keeps (it keeps the descriptions').
func canonical(t *testing.T, body []byte) string {
	t.Helper()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := parser.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("probe answer does not parse: %v\n%s", err, body)
	}
	names := make([]string, 0, len(mfs))
	for n := range mfs {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		for _, m := range mfs[n].GetMetric() {
			sort.Slice(m.Label, func(i, j int) bool { return m.Label[i].GetName() < m.Label[j].GetName() })
		}
		if _, err := expfmt.MetricFamilyToText(&b, mfs[n]); err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}

func TestProbeRefusals(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	ch := testcerts.NewChain(t, "Test")
	leaf := ch.Leaf(t, testcerts.Options{})
	testcerts.Write(t, root, "live/site/fullchain.pem", ch.FullChain(leaf), 0o644)
	testcerts.Write(t, outside, "secret.pem", ch.FullChain(leaf), 0o644)
	if err := os.Symlink(filepath.Join(outside, "secret.pem"), filepath.Join(root, "live/site/escape.pem")); err != nil {
		t.Fatal(err)
	}
	_, srv := newTestExporter(t, `
modules:
  files:
    kind: certificate_file
    file_roots: [`+root+`]
  web:
    kind: test_net
    names: ["localhost", "*.example.test"]
  loopback:
    kind: test_net
    names: ["localhost"]
    allow_cidrs: ["127.0.0.0/8", "::1/128"]
`)
	cases := []struct {
		name, module, target string
		code                 int
		body                 string
	}{
		{"file inside root", "files", root + "/live/site/fullchain.pem", 200, `acme_probe_success{check="certificate_file"`},
		{"missing file inside root is a result", "files", root + "/live/site/nope.pem", 200, `reason="not_found"`},
		{"file outside roots through a symlink", "files", root + "/live/site/escape.pem", 400, "inside the module's file_roots"},
		{"file outside roots", "files", "/etc/passwd", 400, "inside the module's file_roots"},
		{"dot-dot escape", "files", root + "/live/../../etc/passwd", 400, "refuses target"},
		{"relative path", "files", "live/site/fullchain.pem", 400, "not an absolute path"},
		{"unknown module", "nosuch", "x", 400, `unknown module "nosuch"`},
		{"missing target", "files", "", 400, "required"},
		{"unlisted name", "web", "www.other.test:443", 400, "matches none of the module's names"},
		{"name resolving to a denied address", "web", "localhost:443", 400, "refused unless allow_cidrs covers it"},
		{"ip literal not allowed", "web", "169.254.169.254:80", 400, "matches none"},
		// A refusal's text reaches the answer as the module wrote it, with
		// no reason word in front (the refusal is a failure.Error).
		{"not host:port", "web", "nohostport", 400, "module \"web\" refuses target: target \"nohostport\" is not host:port\n"},
		{"allowed loopback", "loopback", "localhost:443", 200, `acme_probe_success{check="test_net",target="localhost:443"} 1`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, body := get(t, srv.URL+"/probe?module="+url.QueryEscape(c.module)+"&target="+url.QueryEscape(c.target))
			if code != c.code || !strings.Contains(body, c.body) || (c.name == "not host:port" && body != c.body) {
				t.Fatalf("got %d %q, want %d containing %q", code, body, c.code, c.body)
			}
		})
	}
	_, metrics := get(t, srv.URL+"/metrics")
	for _, want := range []string{
		`acme_exporter_probe_refused_total{reason="target_refused"} 8`,
		`acme_exporter_probe_refused_total{reason="unknown_module"} 1`,
		`acme_exporter_probe_refused_total{reason="bad_request"} 1`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// The scrape deadline comes from Prometheus's header minus the offset.
func TestDeadlineFromHeader(t *testing.T) {
	g := config.Default().Global
	now := time.Unix(0, 0)
	r := httptest.NewRequest("GET", "/metrics", nil)
	if got := deadline(r, g, now).Sub(now); got != g.ScrapeTimeout.D()-g.TimeoutOffset.D() {
		t.Errorf("no header: %v", got)
	}
	r.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", "3")
	if got := deadline(r, g, now).Sub(now); got != 2500*time.Millisecond {
		t.Errorf("header 3s: %v", got)
	}
}

// POST /-/reload: good, bad (old config stays, 500 with the reason), good.
func TestReloadEndpoint(t *testing.T) {
	e, srv := newTestExporter(t, "global:\n  concurrency: 2\n")
	path := e.Config.Path()
	post := func() (int, string) {
		resp, err := http.Post(srv.URL+"/-/reload", "", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if err := os.WriteFile(path, []byte("global:\n  concurrency: nope\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, body := post()
	if code != 500 || !strings.Contains(body, path+":2: global.concurrency") {
		t.Fatalf("bad reload: %d %q", code, body)
	}
	if e.Config.Get().Global.Concurrency != 2 {
		t.Fatal("old config lost")
	}
	_, metrics := get(t, srv.URL+"/metrics")
	if !strings.Contains(metrics, "acme_exporter_config_last_reload_successful 0") {
		t.Fatal("failed reload not visible in metrics")
	}
	if err := os.WriteFile(path, []byte("global:\n  concurrency: 4\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, body := post(); code != 200 {
		t.Fatalf("good reload: %d %q", code, body)
	}
	if e.Config.Get().Global.Concurrency != 4 {
		t.Fatal("new config not taken")
	}
	if code, _ := get(t, srv.URL+"/-/reload"); code != http.StatusMethodNotAllowed {
		t.Fatalf("GET /-/reload: %d", code)
	}
}
