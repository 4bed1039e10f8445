// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package http01

import (
	"context"
	"fmt"
	"net/netip"
	"regexp"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"

	"github.com/acme-exporter/acme_exporter/internal/dnsclient"
	"github.com/acme-exporter/acme_exporter/internal/scrapetest"
	"github.com/acme-exporter/acme_exporter/internal/testbed"
	"github.com/acme-exporter/acme_exporter/internal/testcerts"
	"github.com/acme-exporter/acme_exporter/scrape"
)

// noHostResolver stands in for the host's resolver in this package's
// tests: the host's resolver is off-machine, and no test name may reach
// it. A lookup through it fails, so a test that forgets a resolver setting
// sees a DNS failure instead of leaking a query.
type noHostResolver struct{}

func (noHostResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	return nil, fmt.Errorf("test asked the host's resolver for %q", host)
}

func init() { dnsclient.ProbeHostResolver = noHostResolver{} }

// TestHTTP01RedirectOtherHost: real nginx on loopback redirects the
// challenge to other host names. The CA follows such a redirect, resolving
// the new name afresh and preferring its IPv6 address; the exporter
// resolves it through the configured resolver only, never the host's.
func TestHTTP01RedirectOtherHost(t *testing.T) {
	dir := testbed.Dir(t)
	webroot := dir + "/webroot"
	testcerts.Write(t, webroot, ".well-known/acme-challenge/canary-token", []byte("canary-content-42\n"), 0o644)
	p80 := testbed.FreePorts(t, 1, "127.0.0.1", "::1")[0]
	servers := fmt.Sprintf(`
    server {
        listen 127.0.0.1:%[1]d default_server;
        listen [::1]:%[1]d default_server;
        server_name new.example.test v4host.example.test;
        location /.well-known/acme-challenge/ { root %[2]s; default_type text/plain; }
        location / { return 404; }
    }
    server {
        listen 127.0.0.1:%[1]d;
        listen [::1]:%[1]d;
        server_name moved.example.test;
        location / { return 301 http://new.example.test$request_uri; }
    }
    server {
        listen 127.0.0.1:%[1]d;
        listen [::1]:%[1]d;
        server_name tov4.example.test;
        location / { return 302 http://v4host.example.test$request_uri; }
    }
    server {
        listen 127.0.0.1:%[1]d;
        listen [::1]:%[1]d;
        server_name tolocal.example.test;
        location / { return 307 http://localhost$request_uri; }
    }
`, p80, webroot)
	testbed.StartNginx(t, testbed.Dir(t), servers, fmt.Sprintf("127.0.0.1:%d", p80), fmt.Sprintf("[::1]:%d", p80))
	both := []string{"127.0.0.1", "::1"}
	// localhost is deliberately absent: the host's resolver (/etc/hosts)
	// would answer 127.0.0.1, the configured resolver says NXDOMAIN.
	zone := testbed.StartFakeDNS(t, map[string][]string{
		"moved.example.test": both, "new.example.test": both,
		"tov4.example.test": both, "v4host.example.test": {"127.0.0.1"},
		"tolocal.example.test": both,
	})
	vars := map[string]string{"R": zone.Addr, "P80": fmt.Sprint(p80), "WEBROOT": webroot}
	cases := []struct{ name, yml, want string }{
		{
			// Followed to a name the resolver knows, both families.
			name: "other_host_allowed",
			yml: `
http01:
  - domain: moved.example.test
    canary: canary-token
    canary_file: {{WEBROOT}}/.well-known/acme-challenge/canary-token
    resolver: {{R}}
    port: {{P80}}
`,
			want: `
acme_http01_canary{domain="moved.example.test"} 1
acme_http01_reachable{domain="moved.example.test",ip_family="ipv4"} 1
acme_http01_reachable{domain="moved.example.test",ip_family="ipv6"} 1
acme_http01_reachable{domain="moved.example.test",ip_family="ca"} 1
acme_http01_status_code{domain="moved.example.test",ip_family="ipv4"} 200
acme_http01_status_code{domain="moved.example.test",ip_family="ipv6"} 200
acme_http01_status_code{domain="moved.example.test",ip_family="ca"} 200
acme_http01_redirects{domain="moved.example.test",ip_family="ipv4"} 1
acme_http01_redirects{domain="moved.example.test",ip_family="ipv6"} 1
acme_http01_redirects{domain="moved.example.test",ip_family="ca"} 1
acme_probe_success{check="http01",target="moved.example.test"} 1
`,
		},
		{
			// The first hop goes over IPv6; the redirect target has only
			// an A record. The IPv6-only walk cannot follow, the CA takes
			// the A record and succeeds.
			name: "other_host_ipv4_only",
			yml: `
http01:
  - domain: tov4.example.test
    canary: canary-token
    canary_content: "canary-content-42"
    resolver: {{R}}
    port: {{P80}}
`,
			want: `
acme_http01_canary{domain="tov4.example.test"} 1
acme_http01_reachable{domain="tov4.example.test",ip_family="ipv4"} 1
acme_http01_reachable{domain="tov4.example.test",ip_family="ipv6"} 0
acme_http01_reachable{domain="tov4.example.test",ip_family="ca"} 1
acme_http01_status_code{domain="tov4.example.test",ip_family="ipv4"} 200
acme_http01_status_code{domain="tov4.example.test",ip_family="ipv6"} 302
acme_http01_status_code{domain="tov4.example.test",ip_family="ca"} 200
acme_http01_redirects{domain="tov4.example.test",ip_family="ipv4"} 1
acme_http01_redirects{domain="tov4.example.test",ip_family="ipv6"} 1
acme_http01_redirects{domain="tov4.example.test",ip_family="ca"} 1
acme_http01_failure_info{domain="tov4.example.test",ip_family="ipv6",reason="redirect_unresolvable"} 1
acme_probe_success{check="http01",target="tov4.example.test"} 1
`,
		},
		{
			// localhost resolves through /etc/hosts on every machine; the
			// configured resolver does not know it, and is the only one
			// asked. A pinned address with no resolver asks nobody.
			name: "other_host_never_via_host_resolver",
			yml: `
http01:
  - domain: tolocal.example.test
    resolver: {{R}}
    port: {{P80}}
  - domain: moved.example.test
    address: 127.0.0.1
    port: {{P80}}
`,
			want: `
acme_http01_canary{domain="tolocal.example.test"} 0
acme_http01_canary{domain="moved.example.test"} 0
acme_http01_reachable{domain="tolocal.example.test",ip_family="ipv4"} 0
acme_http01_reachable{domain="tolocal.example.test",ip_family="ipv6"} 0
acme_http01_reachable{domain="tolocal.example.test",ip_family="ca"} 0
acme_http01_reachable{domain="moved.example.test",ip_family="ipv4"} 0
acme_http01_reachable{domain="moved.example.test",ip_family="ca"} 0
acme_http01_status_code{domain="tolocal.example.test",ip_family="ipv4"} 307
acme_http01_status_code{domain="tolocal.example.test",ip_family="ipv6"} 307
acme_http01_status_code{domain="tolocal.example.test",ip_family="ca"} 307
acme_http01_status_code{domain="moved.example.test",ip_family="ipv4"} 301
acme_http01_status_code{domain="moved.example.test",ip_family="ca"} 301
acme_http01_redirects{domain="tolocal.example.test",ip_family="ipv4"} 1
acme_http01_redirects{domain="tolocal.example.test",ip_family="ipv6"} 1
acme_http01_redirects{domain="tolocal.example.test",ip_family="ca"} 1
acme_http01_redirects{domain="moved.example.test",ip_family="ipv4"} 1
acme_http01_redirects{domain="moved.example.test",ip_family="ca"} 1
acme_http01_failure_info{domain="tolocal.example.test",ip_family="ipv4",reason="redirect_unresolvable"} 1
acme_http01_failure_info{domain="tolocal.example.test",ip_family="ipv6",reason="redirect_unresolvable"} 1
acme_http01_failure_info{domain="tolocal.example.test",ip_family="ca",reason="redirect_unresolvable"} 1
acme_http01_failure_info{domain="moved.example.test",ip_family="ipv4",reason="redirect_unresolvable"} 1
acme_http01_failure_info{domain="moved.example.test",ip_family="ca",reason="redirect_unresolvable"} 1
acme_probe_success{check="http01",target="tolocal.example.test"} 1
acme_probe_success{check="http01",target="moved.example.test"} 1
`,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := scrapetest.Env(t, scrapetest.Expand(tc.yml, vars), testcerts.Epoch, nil)
			h := scrapetest.NewHarness(env, map[string]scrape.Collector{http01Check: &http01Collector{}})
			scrapetest.Compare(t, h, scrapetest.Expand(tc.want, vars), http01Names...)
			if problems, err := testutil.CollectAndLint(h); err != nil || len(problems) > 0 {
				t.Fatalf("lint: %v %v", err, problems)
			}
		})
	}
}

// TestHTTP01ProbeRedirectPolicy: through the http01 module kind, a redirect
// to a name outside the module's names, or to a name resolving outside its
// allow_cidrs, is refused by policy, never dialled.
func TestHTTP01ProbeRedirectPolicy(t *testing.T) {
	dir := testbed.Dir(t)
	webroot := dir + "/webroot"
	testcerts.Write(t, webroot, ".well-known/acme-challenge/x", []byte("x\n"), 0o644)
	p80 := testbed.FreePort(t, "127.0.0.1")
	servers := fmt.Sprintf(`
    server {
        listen 127.0.0.1:%[1]d default_server;
        server_name new.example.test;
        location / { return 404; }
    }
    server {
        listen 127.0.0.1:%[1]d;
        server_name moved.example.test;
        location / { return 301 http://new.example.test$request_uri; }
    }
    server {
        listen 127.0.0.1:%[1]d;
        server_name todenied.example.test;
        location / { return 301 http://denied.example.test$request_uri; }
    }
    server {
        listen 127.0.0.1:%[1]d;
        server_name toliteral.example.test;
        location / { return 301 http://127.0.0.2$request_uri; }
    }
`, p80)
	testbed.StartNginx(t, testbed.Dir(t), servers, fmt.Sprintf("127.0.0.1:%d", p80))
	zone := testbed.StartFakeDNS(t, map[string][]string{
		"moved.example.test": {"127.0.0.1"}, "new.example.test": {"127.0.0.1"},
		"todenied.example.test": {"127.0.0.1"}, "denied.example.test": {"127.0.0.2"},
		"toliteral.example.test": {"127.0.0.1"},
	})
	env := scrapetest.Env(t, fmt.Sprintf(`
modules:
  narrow:
    kind: http01
    names: ["moved.example.test"]
    allow_cidrs: ["127.0.0.1/32"]
    settings: {resolver: "%[1]s", port: %[2]d}
  wide:
    kind: http01
    names: ["*.example.test"]
    allow_cidrs: ["127.0.0.1/32"]
    settings: {resolver: "%[1]s", port: %[2]d}
`, zone.Addr, p80), testcerts.Epoch, nil)
	c := &http01Collector{}
	cases := []struct{ module, target, status, reason string }{
		{"wide", "moved.example.test", "404", ""},
		{"narrow", "moved.example.test", "301", "refused_by_policy"},
		{"wide", "todenied.example.test", "301", "refused_by_policy"},
		{"wide", "toliteral.example.test", "301", "refused_by_policy"},
	}
	for _, tc := range cases {
		t.Run(tc.module+"/"+tc.target, func(t *testing.T) {
			ts, err := c.ProbeTargets(context.Background(), env, env.Config.Modules[tc.module], tc.target)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			err = ts[0].Run(t.Context(), func(m prometheus.Metric) {
				name, labels, value := h01Sample(t, m)
				if labels["ip_family"] != "ca" {
					return
				}
				switch name {
				case "acme_http01_status_code":
					got["status"] = value
				case "acme_http01_failure_info":
					got["reason"] = labels["reason"]
				}
			})
			if err != nil {
				t.Fatal(err)
			}
			if got["status"] != tc.status || got["reason"] != tc.reason {
				t.Fatalf("got status %q reason %q, want %q %q", got["status"], got["reason"], tc.status, tc.reason)
			}
		})
	}
	// The name itself resolving outside allow_cidrs is refused before any
	// connection (the exporter answers 400).
	_, err := c.ProbeTargets(context.Background(), env, env.Config.Modules["wide"], "denied.example.test")
	if err == nil || !strings.Contains(err.Error(), `"denied.example.test" resolves to a refused address`) {
		t.Fatalf("denied.example.test: %v", err)
	}
	if !scrape.IsRefused(err) {
		t.Fatalf("not a refusal: %T %v", err, err)
	}
}

var fqNameRe = regexp.MustCompile(`fqName: "([^"]+)"`)

// h01Sample returns a const metric's name, labels and value as text.
func h01Sample(t testing.TB, m prometheus.Metric) (string, map[string]string, string) {
	t.Helper()
	var pb dto.Metric
	if err := m.Write(&pb); err != nil {
		t.Fatal(err)
	}
	name := ""
	if sm := fqNameRe.FindStringSubmatch(m.Desc().String()); sm != nil {
		name = sm[1]
	}
	labels := map[string]string{}
	for _, lp := range pb.GetLabel() {
		labels[lp.GetName()] = lp.GetValue()
	}
	return name, labels, fmt.Sprint(pb.GetGauge().GetValue())
}

// TestHTTP01BodyLimit: real nginx serves canaries around Let's Encrypt's
// limit. Boulder reads at most 128 bytes and fails a body of 128 bytes or
// more, then ignores trailing whitespace; the canary comparison does the
// same, so a canary the CA would reject is never reported healthy.
func TestHTTP01BodyLimit(t *testing.T) {
	dir := testbed.Dir(t)
	webroot := dir + "/webroot"
	a127 := strings.Repeat("a", 126) + "\n" // 127 bytes: the largest body the CA accepts
	a128 := strings.Repeat("a", 127) + "\n" // 128 bytes: refused although it trims to 127 a's
	for name, body := range map[string]string{"edge127": a127, "edge128": a128, "spaces": "canary-42 \t\r\n\n"} {
		testcerts.Write(t, webroot, ".well-known/acme-challenge/"+name, []byte(body), 0o644)
	}
	p80 := testbed.FreePort(t, "127.0.0.1")
	servers := fmt.Sprintf(`
    server {
        listen 127.0.0.1:%[1]d default_server;
        location /.well-known/acme-challenge/ { root %[2]s; default_type text/plain; }
    }
`, p80, webroot)
	testbed.StartNginx(t, testbed.Dir(t), servers, fmt.Sprintf("127.0.0.1:%d", p80))
	vars := map[string]string{"P80": fmt.Sprint(p80), "WEBROOT": webroot, "A127": strings.Repeat("a", 127)}
	yml := `
http01:
  - domain: edge127.example.test
    webroot: {{WEBROOT}}
    canary: edge127
    address: 127.0.0.1
    port: {{P80}}
  - domain: edge128.example.test
    canary: edge128
    canary_content: "{{A127}}"
    address: 127.0.0.1
    port: {{P80}}
  - domain: spaces.example.test
    canary: spaces
    canary_content: "canary-42"
    address: 127.0.0.1
    port: {{P80}}
  - domain: toolarge.example.test
    webroot: {{WEBROOT}}
    canary: edge128
    address: 127.0.0.1
    port: {{P80}}
`
	want := `
acme_http01_canary{domain="edge127.example.test"} 1
acme_http01_canary{domain="edge128.example.test"} 1
acme_http01_canary{domain="spaces.example.test"} 1
acme_http01_reachable{domain="edge127.example.test",ip_family="ipv4"} 1
acme_http01_reachable{domain="edge127.example.test",ip_family="ca"} 1
acme_http01_reachable{domain="edge128.example.test",ip_family="ipv4"} 0
acme_http01_reachable{domain="edge128.example.test",ip_family="ca"} 0
acme_http01_reachable{domain="spaces.example.test",ip_family="ipv4"} 1
acme_http01_reachable{domain="spaces.example.test",ip_family="ca"} 1
acme_http01_status_code{domain="edge127.example.test",ip_family="ipv4"} 200
acme_http01_status_code{domain="edge127.example.test",ip_family="ca"} 200
acme_http01_status_code{domain="edge128.example.test",ip_family="ipv4"} 200
acme_http01_status_code{domain="edge128.example.test",ip_family="ca"} 200
acme_http01_status_code{domain="spaces.example.test",ip_family="ipv4"} 200
acme_http01_status_code{domain="spaces.example.test",ip_family="ca"} 200
acme_http01_redirects{domain="edge127.example.test",ip_family="ipv4"} 0
acme_http01_redirects{domain="edge127.example.test",ip_family="ca"} 0
acme_http01_redirects{domain="edge128.example.test",ip_family="ipv4"} 0
acme_http01_redirects{domain="edge128.example.test",ip_family="ca"} 0
acme_http01_redirects{domain="spaces.example.test",ip_family="ipv4"} 0
acme_http01_redirects{domain="spaces.example.test",ip_family="ca"} 0
acme_http01_failure_info{domain="edge128.example.test",ip_family="ipv4",reason="body_too_large"} 1
acme_http01_failure_info{domain="edge128.example.test",ip_family="ca",reason="body_too_large"} 1
acme_probe_success{check="http01",target="edge127.example.test"} 1
acme_probe_success{check="http01",target="edge128.example.test"} 1
acme_probe_success{check="http01",target="spaces.example.test"} 1
acme_probe_success{check="http01",target="toolarge.example.test"} 0
acme_probe_failure_info{check="http01",reason="canary_too_large",target="toolarge.example.test"} 1
`
	env := scrapetest.Env(t, scrapetest.Expand(yml, vars), testcerts.Epoch, nil)
	h := scrapetest.NewHarness(env, map[string]scrape.Collector{http01Check: &http01Collector{}})
	scrapetest.Compare(t, h, want, http01Names...)
	if problems, err := testutil.CollectAndLint(h); err != nil || len(problems) > 0 {
		t.Fatalf("lint: %v %v", err, problems)
	}
}
