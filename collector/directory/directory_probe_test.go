// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package directory

import (
	"context"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/acme-exporter/acme_exporter/internal/scrapetest"
	"github.com/acme-exporter/acme_exporter/internal/testbed"
	"github.com/acme-exporter/acme_exporter/scrape"
)

// TestDirectoryProbe drives the acme_directory /probe kind the way the
// exporter does (ProbeTargets, then the probe scheduler) against real
// in-process Pebble, with the module's guard: an allowed target, targets
// refused before any connection (400), and an address refused inside the
// dialer on a redirect hop.
func TestDirectoryProbe(t *testing.T) {
	p := testbed.StartPebble(t, 0)
	pu, _ := url.Parse(p.DirectoryURL())
	// An in-process fake redirecting to a loopback address the module does
	// not allow: only the dialer can catch it.
	_, pebblePort, _ := net.SplitHostPort(pu.Host)
	redirectTo := "https://127.0.0.2:" + pebblePort + "/dir"
	fakeRedirect := httptest.NewTLSServer(http.RedirectHandler(redirectTo, http.StatusFound))
	defer fakeRedirect.Close()
	yml := `
acme_directories:
  default: ""
modules:
  ca_loopback:
    kind: acme_directory
    names: ["*.example.test"]
    allow_cidrs: ["127.0.0.1/32"]
  ca_public:
    kind: acme_directory
    names: ["*.example.test", "127.0.0.1"]
`
	roots := x509.NewCertPool()
	roots.AddCert(p.Server.Certificate())
	env := scrapetest.Env(t, yml, time.Time{}, roots)
	env.Now = time.Now
	c := newDirectoryCollector(env.Logger)

	t.Run("refused before connecting", func(t *testing.T) {
		for _, tc := range []struct{ module, target, msg string }{
			{"ca_loopback", "https://ca.other.test/dir", "matches none of the module's names"},
			{"ca_loopback", "http://ca.example.test/dir", "not an https URL"},
			{"ca_loopback", "not a url", "not an https URL"},
			{"ca_loopback", "https://127.0.0.2:" + pebblePort + "/dir", "outside allow_cidrs"},
			{"ca_public", p.DirectoryURL(), "refused unless allow_cidrs covers it"},
			{"ca_public", "https://169.254.169.254/dir", "matches none of the module's names"},
		} {
			_, err := c.ProbeTargets(context.Background(), env, env.Config.Modules[tc.module], tc.target)
			if !scrape.IsRefused(err) || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("%s %q: got %v, want a refusal containing %q", tc.module, tc.target, err, tc.msg)
			}
		}
	})

	probe := func(t *testing.T, module, target string) *scrapetest.ProbeCollector {
		t.Helper()
		ts, err := c.ProbeTargets(context.Background(), env, env.Config.Modules[module], target)
		if err != nil {
			t.Fatal(err)
		}
		return &scrapetest.ProbeCollector{Sched: scrape.NewScheduler(2, env.Now, env.Logger), Targets: ts}
	}

	t.Run("allowed", func(t *testing.T) {
		u := p.DirectoryURL()
		scrapetest.Compare(t, probe(t, "ca_loopback", u), fmt.Sprintf(`
acme_directory_up{directory=%[1]q} 1
acme_directory_nonce_ok{directory=%[1]q} 1
acme_probe_success{check="acme_directory",target=%[1]q} 1
`, u), "acme_directory_up", "acme_directory_nonce_ok", "acme_probe_success", "acme_probe_failure_info")
		// A probed directory is not published to CAA and ARI.
		if _, ok := env.Directories.Get(u); ok {
			t.Error("a /probe target was put into the directory store")
		}
	})

	t.Run("redirect to a refused address", func(t *testing.T) {
		u := fakeRedirect.URL + "/dir"
		scrapetest.Compare(t, probe(t, "ca_loopback", u), fmt.Sprintf(`
acme_directory_up{directory=%[1]q} 0
acme_probe_failure_info{check="acme_directory",reason="directory_refused",target=%[1]q} 1
`, u), "acme_directory_up", "acme_probe_failure_info")
	})
}

// fakeResolver is an in-process fake DNS server (miekg/dns) answering A
// questions from a fixed table, NXDOMAIN otherwise, and recording every
// question it is asked.
type fakeResolver struct {
	Addr string
	mu   sync.Mutex
	asks []string
}

func (f *fakeResolver) asked() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.asks)
}

func startFakeResolver(t *testing.T, a map[string]string) *fakeResolver {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeResolver{Addr: pc.LocalAddr().String()}
	srv := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(r)
		m.RecursionAvailable = true
		if len(r.Question) == 1 {
			q := r.Question[0]
			f.mu.Lock()
			f.asks = append(f.asks, fmt.Sprintf("%s %s", strings.ToLower(q.Name), dns.TypeToString[q.Qtype]))
			f.mu.Unlock()
			ip, ok := a[strings.ToLower(q.Name)]
			switch {
			case !ok:
				m.Rcode = dns.RcodeNameError
			case q.Qtype == dns.TypeA:
				rr, _ := dns.NewRR(q.Name + " 60 IN A " + ip)
				m.Answer = append(m.Answer, rr)
			}
		}
		_ = w.WriteMsg(m)
	})}
	go func() { _ = srv.ActivateAndServe() }()
	t.Cleanup(func() { _ = srv.Shutdown() })
	return f
}

// TestDirectoryResolver: the directory's `resolver` option sends the name
// to the configured DNS server (an in-process fake, named as such) and
// nowhere else. Pebble's TLS certificate covers example.com (Go's test
// certificate), so the directory is reached by that name through the fake
// answering 127.0.0.1; the name is never given to the host's resolver.
func TestDirectoryResolver(t *testing.T) {
	p := testbed.StartPebble(t, 0)
	if err := p.Server.Certificate().VerifyHostname("example.com"); err != nil {
		t.Fatalf("Pebble's TLS certificate no longer covers example.com: %v", err)
	}
	fake := startFakeResolver(t, map[string]string{"example.com.": "127.0.0.1"})
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(p.Server.URL, "https://"))
	for _, tc := range []struct {
		name, host, want string
	}{
		{"resolved by the fake", "example.com", `acme_directory_up{directory="URL"} 1
acme_directory_nonce_ok{directory="URL"} 1
acme_probe_success{check="acme_directory",target="URL"} 1`},
		{"NXDOMAIN from the fake", "ca.example.com", `acme_directory_up{directory="URL"} 0
acme_probe_success{check="acme_directory",target="URL"} 0
acme_probe_failure_info{check="acme_directory",reason="directory_dns_error",target="URL"} 1`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := "https://" + net.JoinHostPort(tc.host, port) + "/dir"
			env := scrapetest.PebbleEnv(t, u, p, time.Now, "")
			env.Config.ACMEDirectories.Directories[0].Resolver = fake.Addr
			h := scrapetest.NewHarness(env, map[string]scrape.Collector{directoryCheck: newDirectoryCollector(env.Logger)})
			scrapetest.Compare(t, h, strings.ReplaceAll(tc.want, "URL", u),
				"acme_directory_up", "acme_directory_nonce_ok", "acme_probe_success", "acme_probe_failure_info")
			if q := tc.host + ". A"; !slices.Contains(fake.asked(), q) {
				t.Errorf("the fake resolver was not asked %q: %v", q, fake.asked())
			}
		})
	}
}

// TestDirectoryProbeResolver: an acme_directory /probe module's `resolver`
// setting resolves the target's host through that DNS server (an
// in-process fake, named as such), and the module's guard still applies
// to the address it answers.
func TestDirectoryProbeResolver(t *testing.T) {
	p := testbed.StartPebble(t, 0)
	fake := startFakeResolver(t, map[string]string{"example.com.": "127.0.0.1", "www.example.com.": "127.0.0.2"})
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(p.Server.URL, "https://"))
	yml := fmt.Sprintf(`
acme_directories:
  default: ""
modules:
  ca:
    kind: acme_directory
    names: ["example.com", "www.example.com"]
    allow_cidrs: ["127.0.0.1/32"]
    settings:
      resolver: %s
`, fake.Addr)
	roots := x509.NewCertPool()
	roots.AddCert(p.Server.Certificate())
	env := scrapetest.Env(t, yml, time.Time{}, roots)
	env.Now = time.Now
	c := newDirectoryCollector(env.Logger)
	for _, tc := range []struct{ host, want string }{
		{"example.com", `acme_directory_up{directory="URL"} 1
acme_probe_success{check="acme_directory",target="URL"} 1`},
		// The fake answers an address outside allow_cidrs: refused in the dialer.
		{"www.example.com", `acme_directory_up{directory="URL"} 0
acme_probe_success{check="acme_directory",target="URL"} 0
acme_probe_failure_info{check="acme_directory",reason="directory_refused",target="URL"} 1`},
	} {
		u := "https://" + net.JoinHostPort(tc.host, port) + "/dir"
		ts, err := c.ProbeTargets(context.Background(), env, env.Config.Modules["ca"], u)
		if err != nil {
			t.Fatal(err)
		}
		scrapetest.Compare(t, &scrapetest.ProbeCollector{Sched: scrape.NewScheduler(2, env.Now, env.Logger), Targets: ts},
			strings.ReplaceAll(tc.want, "URL", u), "acme_directory_up", "acme_probe_success", "acme_probe_failure_info")
		if q := tc.host + ". A"; !slices.Contains(fake.asked(), q) {
			t.Errorf("the fake resolver was not asked %q: %v", q, fake.asked())
		}
	}
}
