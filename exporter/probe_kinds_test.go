// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package exporter

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/acme-exporter/acme_exporter/internal/testbed"
	"github.com/acme-exporter/acme_exporter/internal/testcerts"
)

// TestProbeKindsNginx drives the http01 and endpoint module kinds through
// the exporter's real /probe handler against real nginx on loopback: an
// allowed name answers 200 with the family's metrics, an unlisted name 400,
// a listed name resolving to an address the module refuses 400, and a
// redirect to a host the module does not cover is refused by policy.
func TestProbeKindsNginx(t *testing.T) {
	dir := testbed.Dir(t)
	ca := testcerts.NewChain(t, "Probe Kinds Test")
	leaf := ca.Leaf(t, testcerts.Options{DNSNames: []string{"www.example.test"}})
	crt := testcerts.Write(t, dir, "tls/fullchain.pem", ca.FullChain(leaf), 0o644)
	key := testcerts.Write(t, dir, "tls/key.pem", leaf.KeyPEM(), 0o600)
	free := testbed.FreePorts(t, 2, "127.0.0.1", "::1")
	p80, p443 := free[0], free[1]
	servers := fmt.Sprintf(`
    server {
        listen 127.0.0.1:%[1]d default_server;
        listen [::1]:%[1]d default_server;
        server_name www.example.test new.example.test;
        location / { return 404; }
    }
    server {
        listen 127.0.0.1:%[1]d;
        listen [::1]:%[1]d;
        server_name moved.example.test;
        location / { return 301 http://new.example.test$request_uri; }
    }
    server {
        listen 127.0.0.1:%[2]d ssl;
        listen [::1]:%[2]d ssl;
        server_name www.example.test;
        ssl_certificate %[3]s;
        ssl_certificate_key %[4]s;
        location / { return 200 "ok\n"; }
    }
`, p80, p443, crt, key)
	testbed.StartNginx(t, testbed.Dir(t), servers,
		fmt.Sprintf("127.0.0.1:%d", p80), fmt.Sprintf("[::1]:%d", p80),
		fmt.Sprintf("127.0.0.1:%d", p443), fmt.Sprintf("[::1]:%d", p443))
	both := []string{"127.0.0.1", "::1"}
	zone := testbed.StartFakeDNS(t, map[string][]string{
		"www.example.test": both, "moved.example.test": both, "new.example.test": both,
	})
	_, srv := newTestExporter(t, fmt.Sprintf(`
modules:
  web01:
    kind: http01
    names: ["*.example.test"]
    allow_cidrs: ["127.0.0.0/8", "::1/128"]
    settings: {resolver: "%[1]s", port: %[2]d}
  web01_moved_only:
    kind: http01
    names: ["moved.example.test"]
    allow_cidrs: ["127.0.0.0/8", "::1/128"]
    settings: {resolver: "%[1]s", port: %[2]d}
  web01_public:
    kind: http01
    names: ["*.example.test"]
    settings: {resolver: "%[1]s", port: %[2]d}
  tls:
    kind: endpoint
    names: ["*.example.test"]
    allow_cidrs: ["127.0.0.0/8", "::1/128"]
    settings: {resolver: "%[1]s"}
  tls_public:
    kind: endpoint
    names: ["*.example.test"]
    settings: {resolver: "%[1]s"}
`, zone.Addr, p80))
	tlsTarget := fmt.Sprintf("www.example.test:%d", p443)
	a4, a6 := fmt.Sprintf("127.0.0.1:%d", p443), fmt.Sprintf("[::1]:%d", p443)
	cases := []struct {
		name, module, target string
		code                 int
		want                 []string
	}{
		{"http01 allowed", "web01", "www.example.test", 200, []string{
			`acme_http01_reachable{domain="www.example.test",ip_family="ca"} 1`,
			`acme_http01_reachable{domain="www.example.test",ip_family="ipv4"} 1`,
			`acme_http01_reachable{domain="www.example.test",ip_family="ipv6"} 1`,
			`acme_http01_status_code{domain="www.example.test",ip_family="ca"} 404`,
			`acme_http01_canary{domain="www.example.test"} 0`,
			`acme_probe_success{check="http01",target="www.example.test"} 1`,
		}},
		{"http01 unlisted name", "web01", "www.other.test", 400, []string{
			`refuses target: refused by module policy: "www.other.test" matches none of the module's names`,
		}},
		{"http01 name resolving to a denied address", "web01_public", "www.example.test", 400, []string{
			`refuses target: "www.example.test" resolves to a refused address: refused by module policy: address ::1 is in ::1/128, refused unless allow_cidrs covers it`,
		}},
		{"http01 redirect to another allowed host", "web01", "moved.example.test", 200, []string{
			`acme_http01_reachable{domain="moved.example.test",ip_family="ca"} 1`,
			`acme_http01_redirects{domain="moved.example.test",ip_family="ca"} 1`,
			`acme_http01_status_code{domain="moved.example.test",ip_family="ca"} 404`,
		}},
		{"http01 redirect to a host outside the module", "web01_moved_only", "moved.example.test", 200, []string{
			`acme_http01_reachable{domain="moved.example.test",ip_family="ca"} 0`,
			`acme_http01_failure_info{domain="moved.example.test",ip_family="ca",reason="refused_by_policy"} 1`,
			`acme_http01_failure_info{domain="moved.example.test",ip_family="ipv4",reason="refused_by_policy"} 1`,
			`acme_http01_failure_info{domain="moved.example.test",ip_family="ipv6",reason="refused_by_policy"} 1`,
		}},
		{"endpoint allowed", "tls", tlsTarget, 200, []string{
			fmt.Sprintf(`acme_endpoint_up{address=%q,name="www.example.test",target=%q} 1`, a4, tlsTarget),
			fmt.Sprintf(`acme_endpoint_up{address=%q,name="www.example.test",target=%q} 1`, a6, tlsTarget),
			fmt.Sprintf(`acme_certificate_hostname_match{address=%q,name="www.example.test",target=%q} 1`, a4, tlsTarget),
			fmt.Sprintf(`acme_probe_success{check="endpoint",target=%q} 1`, tlsTarget),
		}},
		{"endpoint unlisted name", "tls", "www.other.test:443", 400, []string{
			`refuses target: refused by module policy: "www.other.test" matches none of the module's names`,
		}},
		{"endpoint name resolving to a denied address", "tls_public", tlsTarget, 400, []string{
			`refuses target: "www.example.test" resolves to a refused address: refused by module policy: address ::1 is in ::1/128, refused unless allow_cidrs covers it`,
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, body := get(t, srv.URL+"/probe?module="+url.QueryEscape(c.module)+"&target="+url.QueryEscape(c.target))
			if code != c.code {
				t.Fatalf("got %d, want %d:\n%s", code, c.code, body)
			}
			for _, w := range c.want {
				if !strings.Contains(body, w) {
					t.Errorf("body lacks %s\n%s", w, body)
				}
			}
		})
	}
	// debug=true: the step log shows the DNS answers per server and each
	// hop of the redirect chain, before the metrics.
	q := url.Values{"module": {"web01"}, "target": {"moved.example.test"}, "debug": {"true"}}
	code, body := get(t, srv.URL+"/probe?"+q.Encode())
	for _, w := range []string{
		`msg="DNS answer" check=http01 target=moved.example.test server=` + zone.Addr + ` name=moved.example.test. type=A rcode=NOERROR`,
		`msg="HTTP response" check=http01 target=moved.example.test url=http://moved.example.test/.well-known/acme-challenge/`,
		`status=301 location=http://new.example.test/.well-known/acme-challenge/`,
		`msg="HTTP GET" check=http01 target=moved.example.test url=http://new.example.test/.well-known/acme-challenge/`,
		`msg="Check succeeded" check=http01 target=moved.example.test`,
		"Metrics that would have been returned:\n",
		`acme_http01_redirects{domain="moved.example.test",ip_family="ca"} 1`,
	} {
		if code != 200 || !strings.Contains(body, w) {
			t.Errorf("debug output (%d) lacks %s\n%s", code, w, body)
		}
	}
	_, metrics := get(t, srv.URL+"/metrics")
	if want := `acme_exporter_probe_refused_total{reason="target_refused"} 4`; !strings.Contains(metrics, want) {
		t.Errorf("metrics lack %s", want)
	}
}
