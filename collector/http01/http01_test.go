// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package http01

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/acme-exporter/acme_exporter/internal/failure"
	"github.com/acme-exporter/acme_exporter/internal/scrapetest"
	"github.com/acme-exporter/acme_exporter/internal/testbed"
	"github.com/acme-exporter/acme_exporter/internal/testcerts"
	"github.com/acme-exporter/acme_exporter/inventory"
	"github.com/acme-exporter/acme_exporter/scrape"
)

var http01Names = []string{"acme_http01_reachable", "acme_http01_status_code", "acme_http01_redirects",
	"acme_http01_failure_info", "acme_http01_canary", "acme_http01_standalone_port_available",
	"acme_probe_success", "acme_probe_failure_info"}

// TestHTTP01Nginx fetches challenge paths from real nginx on loopback.
// A random port P80 stands for :80 and P443 for :443 (the documented,
// test-only port override); vhosts pick the behaviour by Host header.
func TestHTTP01Nginx(t *testing.T) {
	dir := testbed.Dir(t)
	ca := testcerts.NewChain(t, "HTTP01 Test")
	leaf := ca.Leaf(t, testcerts.Options{DNSNames: []string{"https.example.test"}})
	tlsPair := scrapetest.TLSFiles(t, dir, "tls/fullchain", ca.FullChain(leaf), leaf)
	webroot := dir + "/webroot"
	testcerts.Write(t, webroot, ".well-known/acme-challenge/canary-token", []byte("canary-content-42\n"), 0o644)
	testcerts.Write(t, dir, "htpasswd", []byte("user:{PLAIN}secret\n"), 0o644)

	free := testbed.FreePorts(t, 4, "127.0.0.1", "::1")
	p80, p443, p80v4, closed := free[0], free[1], free[2], free[3]
	servers := fmt.Sprintf(`
    server {
        listen 127.0.0.1:%[1]d default_server;
        listen [::1]:%[1]d default_server;
        server_name healthy.example.test v4only.example.test;
        location /.well-known/acme-challenge/ { root %[3]s; default_type text/plain; }
        location / { return 404; }
    }
    server {
        listen 127.0.0.1:%[1]d;
        listen [::1]:%[1]d;
        server_name auth.example.test;
        auth_basic "private";
        auth_basic_user_file %[4]s/htpasswd;
        location /.well-known/acme-challenge/ { root %[3]s; }
    }
    server {
        listen 127.0.0.1:%[1]d;
        listen [::1]:%[1]d;
        server_name login.example.test;
        port_in_redirect off; # at :80 nginx names no port; P80 stands for 80
        location = /login { default_type text/html; return 200 "<form>login</form>"; }
        location / { return 302 /login; }
    }
    server {
        listen 127.0.0.1:%[1]d;
        listen [::1]:%[1]d;
        server_name port8443.example.test;
        location / { return 301 https://port8443.example.test:8443$request_uri; }
    }
    server {
        listen 127.0.0.1:%[1]d;
        listen [::1]:%[1]d;
        server_name https.example.test;
        location / { return 301 https://https.example.test$request_uri; }
    }
    server {
        listen 127.0.0.1:%[2]d ssl;
        listen [::1]:%[2]d ssl;
        server_name https.example.test;
        ssl_certificate %[5]s;
        ssl_certificate_key %[6]s;
        location /.well-known/acme-challenge/ { root %[3]s; default_type text/plain; }
    }
    server {
        listen 127.0.0.1:%[7]d;
        server_name v6broken.example.test;
        location /.well-known/acme-challenge/ { root %[3]s; default_type text/plain; }
    }
`, p80, p443, webroot, dir, tlsPair[0], tlsPair[1], p80v4)
	testbed.StartNginx(t, testbed.Dir(t), servers,
		fmt.Sprintf("127.0.0.1:%d", p80), fmt.Sprintf("[::1]:%d", p80), fmt.Sprintf("127.0.0.1:%d", p443),
		fmt.Sprintf("127.0.0.1:%d", p80v4))

	both := []string{"127.0.0.1", "::1"}
	zone := testbed.StartFakeDNS(t, map[string][]string{
		"healthy.example.test": both, "auth.example.test": both, "login.example.test": both,
		"port8443.example.test": both, "https.example.test": both, "closed.example.test": both,
		"v6broken.example.test": both, "v4only.example.test": {"127.0.0.1"},
	})
	vars := map[string]string{"R": zone.Addr, "P80": fmt.Sprint(p80), "P443": fmt.Sprint(p443),
		"P80V4": fmt.Sprint(p80v4), "CLOSED": fmt.Sprint(closed), "WEBROOT": webroot}

	cases := []struct{ name, yml, want string }{
		{
			name: "healthy_canary_and_random_token",
			yml: `
http01:
  - domain: healthy.example.test
    webroot: {{WEBROOT}}
    canary: canary-token
    resolver: {{R}}
    port: {{P80}}
  - domain: v4only.example.test
    resolver: {{R}}
    port: {{P80}}
`,
			want: `
acme_http01_canary{domain="healthy.example.test"} 1
acme_http01_canary{domain="v4only.example.test"} 0
acme_http01_reachable{domain="healthy.example.test",ip_family="ipv4"} 1
acme_http01_reachable{domain="healthy.example.test",ip_family="ipv6"} 1
acme_http01_reachable{domain="healthy.example.test",ip_family="ca"} 1
acme_http01_reachable{domain="v4only.example.test",ip_family="ipv4"} 1
acme_http01_reachable{domain="v4only.example.test",ip_family="ca"} 1
acme_http01_status_code{domain="healthy.example.test",ip_family="ipv4"} 200
acme_http01_status_code{domain="healthy.example.test",ip_family="ipv6"} 200
acme_http01_status_code{domain="healthy.example.test",ip_family="ca"} 200
acme_http01_status_code{domain="v4only.example.test",ip_family="ipv4"} 404
acme_http01_status_code{domain="v4only.example.test",ip_family="ca"} 404
acme_http01_redirects{domain="healthy.example.test",ip_family="ipv4"} 0
acme_http01_redirects{domain="healthy.example.test",ip_family="ipv6"} 0
acme_http01_redirects{domain="healthy.example.test",ip_family="ca"} 0
acme_http01_redirects{domain="v4only.example.test",ip_family="ipv4"} 0
acme_http01_redirects{domain="v4only.example.test",ip_family="ca"} 0
acme_probe_success{check="http01",target="healthy.example.test"} 1
acme_probe_success{check="http01",target="v4only.example.test"} 1
`,
		},
		{
			name: "basic_auth_401",
			yml: `
http01:
  - domain: auth.example.test
    canary: canary-token
    canary_content: "canary-content-42\n"
    resolver: {{R}}
    port: {{P80}}
`,
			want: `
acme_http01_canary{domain="auth.example.test"} 1
acme_http01_reachable{domain="auth.example.test",ip_family="ipv4"} 0
acme_http01_reachable{domain="auth.example.test",ip_family="ipv6"} 0
acme_http01_reachable{domain="auth.example.test",ip_family="ca"} 0
acme_http01_status_code{domain="auth.example.test",ip_family="ipv4"} 401
acme_http01_status_code{domain="auth.example.test",ip_family="ipv6"} 401
acme_http01_status_code{domain="auth.example.test",ip_family="ca"} 401
acme_http01_redirects{domain="auth.example.test",ip_family="ipv4"} 0
acme_http01_redirects{domain="auth.example.test",ip_family="ipv6"} 0
acme_http01_redirects{domain="auth.example.test",ip_family="ca"} 0
acme_http01_failure_info{domain="auth.example.test",ip_family="ipv4",reason="http_unauthorized"} 1
acme_http01_failure_info{domain="auth.example.test",ip_family="ipv6",reason="http_unauthorized"} 1
acme_http01_failure_info{domain="auth.example.test",ip_family="ca",reason="http_unauthorized"} 1
acme_probe_success{check="http01",target="auth.example.test"} 1
`,
		},
		{
			name: "redirect_to_login_page",
			yml: `
http01:
  - domain: login.example.test
    canary: canary-token
    canary_content: "canary-content-42\n"
    address: 127.0.0.1
    port: {{P80}}
  - domain: login.example.test.
    resolver: {{R}}
    port: {{P80}}
`,
			want: `
acme_http01_canary{domain="login.example.test"} 1
acme_http01_reachable{domain="login.example.test",ip_family="ipv4"} 0
acme_http01_reachable{domain="login.example.test",ip_family="ca"} 0
acme_http01_status_code{domain="login.example.test",ip_family="ipv4"} 200
acme_http01_status_code{domain="login.example.test",ip_family="ca"} 200
acme_http01_redirects{domain="login.example.test",ip_family="ipv4"} 1
acme_http01_redirects{domain="login.example.test",ip_family="ca"} 1
acme_http01_failure_info{domain="login.example.test",ip_family="ipv4",reason="redirect_to_other_path"} 1
acme_http01_failure_info{domain="login.example.test",ip_family="ca",reason="redirect_to_other_path"} 1
acme_probe_success{check="http01",target="login.example.test"} 1
`,
		},
		{
			name: "redirect_to_port_8443_and_https_443",
			yml: `
http01:
  - domain: port8443.example.test
    resolver: {{R}}
    port: {{P80}}
    https_port: {{P443}}
  - domain: https.example.test
    webroot: {{WEBROOT}}
    canary: canary-token
    resolver: {{R}}
    port: {{P80}}
    https_port: {{P443}}
`,
			want: `
acme_http01_canary{domain="port8443.example.test"} 0
acme_http01_canary{domain="https.example.test"} 1
acme_http01_reachable{domain="port8443.example.test",ip_family="ipv4"} 0
acme_http01_reachable{domain="port8443.example.test",ip_family="ipv6"} 0
acme_http01_reachable{domain="port8443.example.test",ip_family="ca"} 0
acme_http01_reachable{domain="https.example.test",ip_family="ipv4"} 1
acme_http01_reachable{domain="https.example.test",ip_family="ipv6"} 1
acme_http01_reachable{domain="https.example.test",ip_family="ca"} 1
acme_http01_status_code{domain="port8443.example.test",ip_family="ipv4"} 301
acme_http01_status_code{domain="port8443.example.test",ip_family="ipv6"} 301
acme_http01_status_code{domain="port8443.example.test",ip_family="ca"} 301
acme_http01_status_code{domain="https.example.test",ip_family="ipv4"} 200
acme_http01_status_code{domain="https.example.test",ip_family="ipv6"} 200
acme_http01_status_code{domain="https.example.test",ip_family="ca"} 200
acme_http01_redirects{domain="port8443.example.test",ip_family="ipv4"} 1
acme_http01_redirects{domain="port8443.example.test",ip_family="ipv6"} 1
acme_http01_redirects{domain="port8443.example.test",ip_family="ca"} 1
acme_http01_redirects{domain="https.example.test",ip_family="ipv4"} 1
acme_http01_redirects{domain="https.example.test",ip_family="ipv6"} 1
acme_http01_redirects{domain="https.example.test",ip_family="ca"} 1
acme_http01_failure_info{domain="port8443.example.test",ip_family="ipv4",reason="redirect_forbidden_port"} 1
acme_http01_failure_info{domain="port8443.example.test",ip_family="ipv6",reason="redirect_forbidden_port"} 1
acme_http01_failure_info{domain="port8443.example.test",ip_family="ca",reason="redirect_forbidden_port"} 1
acme_probe_success{check="http01",target="port8443.example.test"} 1
acme_probe_success{check="http01",target="https.example.test"} 1
`,
		},
		{
			name: "nothing_listening_and_ipv6_broken",
			yml: `
http01:
  - domain: closed.example.test
    resolver: {{R}}
    port: {{CLOSED}}
  - domain: v6broken.example.test
    webroot: {{WEBROOT}}
    canary: canary-token
    resolver: {{R}}
    port: {{P80V4}}
`,
			want: `
acme_http01_canary{domain="closed.example.test"} 0
acme_http01_canary{domain="v6broken.example.test"} 1
acme_http01_reachable{domain="closed.example.test",ip_family="ipv4"} 0
acme_http01_reachable{domain="closed.example.test",ip_family="ipv6"} 0
acme_http01_reachable{domain="closed.example.test",ip_family="ca"} 0
acme_http01_reachable{domain="v6broken.example.test",ip_family="ipv4"} 1
acme_http01_reachable{domain="v6broken.example.test",ip_family="ipv6"} 0
acme_http01_reachable{domain="v6broken.example.test",ip_family="ca"} 1
acme_http01_status_code{domain="v6broken.example.test",ip_family="ipv4"} 200
acme_http01_status_code{domain="v6broken.example.test",ip_family="ca"} 200
acme_http01_redirects{domain="closed.example.test",ip_family="ipv4"} 0
acme_http01_redirects{domain="closed.example.test",ip_family="ipv6"} 0
acme_http01_redirects{domain="closed.example.test",ip_family="ca"} 0
acme_http01_redirects{domain="v6broken.example.test",ip_family="ipv4"} 0
acme_http01_redirects{domain="v6broken.example.test",ip_family="ipv6"} 0
acme_http01_redirects{domain="v6broken.example.test",ip_family="ca"} 0
acme_http01_failure_info{domain="closed.example.test",ip_family="ipv4",reason="connection_refused"} 1
acme_http01_failure_info{domain="closed.example.test",ip_family="ipv6",reason="connection_refused"} 1
acme_http01_failure_info{domain="closed.example.test",ip_family="ca",reason="connection_refused"} 1
acme_http01_failure_info{domain="v6broken.example.test",ip_family="ipv6",reason="connection_refused"} 1
acme_probe_success{check="http01",target="closed.example.test"} 1
acme_probe_success{check="http01",target="v6broken.example.test"} 1
`,
		},
		{
			// Standalone: the random port P80 stands for :80. nginx holds
			// it (taken); CLOSED is free; a client name frees nginx.
			name: "standalone_free_and_taken",
			yml: `
http01:
  - domain: taken.example.test
    mode: standalone
    port: {{P80}}
  - domain: free.example.test
    mode: standalone
    port: {{CLOSED}}
  - domain: client.example.test
    mode: standalone
    port: {{P80}}
    clients: [nginx]
`,
			want: `
acme_http01_standalone_port_available{domain="taken.example.test",port="{{P80}}"} 0
acme_http01_standalone_port_available{domain="free.example.test",port="{{CLOSED}}"} 1
acme_http01_standalone_port_available{domain="client.example.test",port="{{P80}}"} 1
acme_http01_failure_info{domain="taken.example.test",ip_family="local",reason="port_taken"} 1
acme_probe_success{check="http01",target="taken.example.test"} 1
acme_probe_success{check="http01",target="free.example.test"} 1
acme_probe_success{check="http01",target="client.example.test"} 1
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

// TestHTTP01ClassifyDial: a prober without IPv6 is not the target's fault.
// The errors are built by hand: this host has IPv6, so the kernel will
// not produce them on loopback.
func TestHTTP01ClassifyDial(t *testing.T) {
	v6, v4 := netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("192.0.2.1")
	op := func(e error) error {
		return &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", e)}
	}
	cases := []struct {
		err  error
		ip   netip.Addr
		want string
	}{
		{op(syscall.ENETUNREACH), v6, "prober_no_ipv6"},
		{op(syscall.EADDRNOTAVAIL), v6, "prober_no_ipv6"},
		{op(syscall.ENETUNREACH), v4, "unreachable"},
		{op(syscall.ECONNREFUSED), v6, "connection_refused"},
		{op(syscall.EHOSTUNREACH), v6, "unreachable"},
		{errors.New("other"), v4, "dial_error"},
	}
	for _, tc := range cases {
		if got := classifyDial(tc.err, tc.ip); got != tc.want {
			t.Errorf("%v %s: got %s want %s", tc.err, tc.ip, got, tc.want)
		}
	}
}

func TestHTTP01ProbeTargets(t *testing.T) {
	env := scrapetest.Env(t, `
modules:
  h:
    kind: http01
    names: ["*.example.test"]
`, testcerts.Epoch, nil)
	c := &http01Collector{}
	for target, want := range map[string]string{
		"www.example.test":  "",
		"www.example.com":   `refused by module policy: "www.example.com" matches none of the module's names`,
		"*.example.test":    `target "*.example.test": wildcards cannot be validated by HTTP-01 (use DNS-01)`,
		"bad..example.test": `target "bad..example.test": "bad..example.test" is not a valid DNS name`,
	} {
		_, err := c.ProbeTargets(context.Background(), env, env.Config.Modules["h"], target)
		got := ""
		if err != nil {
			got = failure.Detail(err)
		}
		if got != want || (err != nil && !scrape.IsRefused(err)) {
			t.Errorf("%s: got %q want %q", target, got, want)
		}
	}
}

// TestHTTP01Discovered: domains discovery found join the configured ones,
// configured entries win, wildcards and DNS-01 domains are left out.
func TestHTTP01Discovered(t *testing.T) {
	env := scrapetest.Env(t, "http01:\n  - domain: www.example.test\n    mode: proxy\n", testcerts.Epoch, nil)
	env.Discovered = &inventory.Snapshot{Domains: []inventory.Domain{
		{Name: "www.example.test", Client: "certbot", Mode: "webroot", Webroot: "/var/www"},
		{Name: "shop.example.test", Client: "certbot", Mode: "webroot", Webroot: "/var/www"},
		{Name: "mail.example.test", Client: "certbot", Mode: "standalone"},
		{Name: "app.example.test", Client: "certbot", Mode: "nginx"},
		{Name: "*.example.test", Client: "certbot", Challenge: "dns-01", Mode: "dns-cloudflare"},
		{Name: "dns.example.test", Client: "lego", Challenge: "dns-01", Mode: "dns-route53"},
	}}
	ts, err := (&http01Collector{}).Targets(env)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tg := range ts {
		got = append(got, tg.Target)
	}
	want := "www.example.test shop.example.test mail.example.test app.example.test"
	if strings.Join(got, " ") != want {
		t.Fatalf("targets %v, want %s", got, want)
	}
}
