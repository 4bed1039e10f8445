// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package endpoint

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/acme-exporter/acme_exporter/internal/failure"
	"github.com/acme-exporter/acme_exporter/internal/scrapetest"
	"github.com/acme-exporter/acme_exporter/internal/testbed"
	"github.com/acme-exporter/acme_exporter/internal/testcerts"
	"github.com/acme-exporter/acme_exporter/scrape"
)

// silentListener is a FAKE TLS server that accepts connections and never
// answers: the handshake must end at the target's timeout, and a scrape
// must not wait past its own deadline.
func silentListener(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		_ = l.Close()
		mu.Lock()
		for _, c := range conns {
			_ = c.Close()
		}
		mu.Unlock()
	})
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	return l.Addr().String()
}

func TestEndpointSilentListener(t *testing.T) {
	addr := silentListener(t)
	cases := []struct {
		name          string
		timeout       string
		scrapeTimeout time.Duration
		want          string
	}{
		{
			name: "target_timeout_inside_scrape", timeout: "300ms", scrapeTimeout: 30 * time.Second,
			want: `
acme_endpoint_up{address="{{A}}",name="silent.example.test",target="{{A}}"} 0
acme_probe_success{check="endpoint",target="{{A}}"} 0
acme_probe_failure_info{check="endpoint",reason="timeout",target="{{A}}"} 1
`,
		},
		{
			// The target's own timeout is longer than the scrape's: the
			// scrape ends at its deadline and says the result is stale.
			name: "scrape_deadline_first", timeout: "1h", scrapeTimeout: 500 * time.Millisecond,
			want: `
acme_probe_success{check="endpoint",target="{{A}}"} 0
acme_probe_failure_info{check="endpoint",reason="timeout",target="{{A}}"} 1
acme_check_stale{check="endpoint",target="{{A}}"} 1
`,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			yml := fmt.Sprintf("endpoints:\n  - target: %s\n    server_name: silent.example.test\n    timeout: %s\n", addr, tc.timeout)
			env := scrapetest.Env(t, yml, testcerts.Epoch, nil)
			h := scrapetest.NewHarness(env, map[string]scrape.Collector{endpointCheck: newEndpointCollector(env.Logger)})
			h.Timeout = tc.scrapeTimeout
			scrapetest.Compare(t, h, strings.ReplaceAll(tc.want, "{{A}}", addr),
				"acme_endpoint_up", "acme_probe_success", "acme_probe_failure_info", "acme_check_stale")
		})
	}
}

func TestEndpointProbeTargets(t *testing.T) {
	yml := `
modules:
  tls:
    kind: endpoint
    names: ["*.example.test"]
    allow_cidrs: ["192.0.2.0/24"]
  tls_loopback:
    kind: endpoint
    names: ["*.example.test"]
    allow_cidrs: ["127.0.0.0/8"]
    settings:
      server_name: full.example.test
`
	env := scrapetest.Env(t, yml, testcerts.Epoch, nil)
	c := newEndpointCollector(env.Logger)
	cases := []struct {
		module, target, refused string
	}{
		{"tls", "evil.example.com:443", `refused by module policy: "evil.example.com" matches none of the module's names`},
		{"tls", "www.example.test", `target "www.example.test": must be host:port: address www.example.test: missing port in address`},
		{"tls", "127.0.0.1:443", `refused by module policy: address 127.0.0.1 is outside allow_cidrs`},
		{"tls", "www.example.test:443", ""},
		{"tls_loopback", "127.0.0.1:443", ""},
	}
	for _, tc := range cases {
		ts, err := c.ProbeTargets(context.Background(), env, env.Config.Modules[tc.module], tc.target)
		switch {
		case tc.refused == "" && err != nil:
			t.Errorf("%s %s: unexpected refusal %v", tc.module, tc.target, err)
		case tc.refused != "" && (!scrape.IsRefused(err) || failure.Detail(err) != tc.refused):
			t.Errorf("%s %s: got %v, want refusal %q", tc.module, tc.target, err, tc.refused)
		case tc.refused == "" && len(ts) != 1:
			t.Errorf("%s %s: %d targets", tc.module, tc.target, len(ts))
		}
	}
	// A name that passes the pattern but resolves (here: is pinned by the
	// probe's dialer) outside allow_cidrs is refused inside the dialer.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = l.Close() }()
	ts, err := c.ProbeTargets(context.Background(), env, env.Config.Modules["tls"], l.Addr().String())
	if err == nil || len(ts) != 0 {
		t.Fatalf("loopback literal accepted by a module without loopback: %v", err)
	}
	ts, err = c.ProbeTargets(context.Background(), env, env.Config.Modules["tls_loopback"], l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	res := ts[0]
	var out []string
	ctx, cancel := context.WithTimeout(t.Context(), time.Second)
	defer cancel()
	err = res.Run(ctx, func(m prometheus.Metric) { out = append(out, m.Desc().String()) })
	if scrape.ReasonOf(err) != "tls_handshake_failed" && scrape.ReasonOf(err) != "timeout" {
		// The listener never accepts: the kernel completes the TCP
		// handshake, so the TLS handshake fails or times out; never a
		// policy refusal.
		t.Fatalf("reason %q (%v)", scrape.ReasonOf(err), err)
	}
}

// The probe offers classical key exchange groups only: the hybrid
// post-quantum share Go offers by default cost a quarter of a probe's CPU,
// for a connection that carries nothing secret. The handshake still
// completes with a TLS 1.3 server on its default settings.
func TestEndpointOffersClassicalGroups(t *testing.T) {
	chain := testcerts.NewChain(t, "Groups Test")
	leaf := chain.Leaf(t, testcerts.Options{DNSNames: []string{"groups.example.test"}})
	pair, err := tls.X509KeyPair(chain.FullChain(leaf), leaf.KeyPEM())
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var offered [][]tls.CurveID
	cfg := &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS13,
		GetConfigForClient: func(hello *tls.ClientHelloInfo) (*tls.Config, error) {
			mu.Lock()
			offered = append(offered, hello.SupportedCurves)
			mu.Unlock()
			return nil, nil
		}}
	addr := testbed.ServeTCP(t, "127.0.0.1:0", func(c net.Conn) {
		_ = tls.Server(c, cfg).Handshake()
		_ = c.Close()
	})
	yml := fmt.Sprintf("endpoints:\n  - target: %s\n    server_name: groups.example.test\n", addr)
	env := scrapetest.Env(t, yml, testcerts.Epoch, chain.Pool())
	h := scrapetest.NewHarness(env, map[string]scrape.Collector{endpointCheck: newEndpointCollector(env.Logger)})
	scrapetest.Compare(t, h, fmt.Sprintf("\nacme_endpoint_up{address=%q,name=\"groups.example.test\",target=%q} 1\n", addr, addr),
		"acme_endpoint_up")
	mu.Lock()
	defer mu.Unlock()
	if len(offered) == 0 {
		t.Fatal("no ClientHello reached the server")
	}
	for _, curves := range offered {
		if slices.Contains(curves, tls.X25519MLKEM768) || !slices.Contains(curves, tls.X25519) {
			t.Errorf("probe offered %v, want X25519 and no X25519MLKEM768", curves)
		}
	}
}
