// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package exporter

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/acme-exporter/acme_exporter/internal/testbed"
)

// recorder is a TCP listener that records every connection reaching it:
// a refused address must never see one.
type recorder struct {
	mu   sync.Mutex
	seen []string
}

func (r *recorder) listen(t *testing.T, addr string) {
	t.Helper()
	testbed.ServeTCP(t, addr, func(c net.Conn) {
		r.mu.Lock()
		r.seen = append(r.seen, c.LocalAddr().String()+" from "+c.RemoteAddr().String())
		r.mu.Unlock()
		_ = c.Close()
	})
}

func (r *recorder) connections() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.seen...)
}

// TestProbeRefusalMatrix sends /probe every written form of a refused
// address, names rebinding to loopback between the pre-check and the
// dial, and redirects to refused addresses. Listeners on 127.0.0.1 and
// ::1 record connections: none may arrive. Refusals found while probing
// answer 200 with reason refused_by_policy (winning over the reason a
// redirect away from the challenge path would give) and are counted.
func TestProbeRefusalMatrix(t *testing.T) {
	port := testbed.FreePorts(t, 1, "127.0.0.1", "::1", "127.0.0.2")[0]
	rec := &recorder{}
	rec.listen(t, fmt.Sprintf("127.0.0.1:%d", port))
	rec.listen(t, fmt.Sprintf("[::1]:%d", port))

	// The first hop of the http01 cases: an allowed server on 127.0.0.2
	// that redirects according to the Host it is asked for.
	redirects := map[string]string{
		"loop.example.test":   "http://127.0.0.1%s",
		"zoned.example.test":  "http://[::1%%25lo]%s",
		"login.example.test":  "http://127.0.0.1/login?from=%s",
		"meta.example.test":   "http://169.254.169.254/latest/meta-data/?from=%s",
		"mapped.example.test": "http://[::ffff:127.0.0.1]%s",
		"nat64.example.test":  "http://[64:ff9b::7f00:1]%s",
		"inner.example.test":  "http://rebound.example.test%s",
	}
	rl, err := net.Listen("tcp", fmt.Sprintf("127.0.0.2:%d", port))
	if err != nil {
		t.Fatal(err)
	}
	redirector := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, _ := strings.Cut(r.Host, ":")
		to, ok := redirects[host]
		if !ok {
			http.NotFound(w, r)
			return
		}
		http.Redirect(w, r, fmt.Sprintf(to, r.URL.Path), http.StatusFound)
	})}
	go func() { _ = redirector.Serve(rl) }()
	t.Cleanup(func() { _ = redirector.Close() })

	records := map[string][]string{
		"rebind.example.test":  {"192.0.2.1"},
		"rebound.example.test": {"127.0.0.1", "::1"},
	}
	for h := range redirects {
		records[h] = []string{"127.0.0.2"}
	}
	zone := testbed.StartFakeDNS(t, records)
	// The pre-check asks for A and AAAA: public. The check asks again:
	// loopback.
	zone.Rebind("rebind.example.test", 2, "127.0.0.1", "::1")

	_, srv := newTestExporter(t, fmt.Sprintf(`
modules:
  tls_public:
    kind: endpoint
    names: ["*"]
    settings: {resolver: "%[1]s"}
  web01_public:
    kind: http01
    names: ["*.example.test"]
    settings: {resolver: "%[1]s", port: %[2]d}
  web01_redirector:
    kind: http01
    names: ["*.example.test"]
    allow_cidrs: ["127.0.0.2/32"]
    settings: {resolver: "%[1]s", port: %[2]d}
`, zone.Addr, port))

	p := fmt.Sprint(port)
	cases := []struct {
		module, target string
		code           int
		want           string
	}{
		{"tls_public", "127.0.0.1:" + p, 400, "refused by module policy"},
		{"tls_public", "[::1]:" + p, 400, "refused by module policy"},
		{"tls_public", "[::1%lo]:" + p, 400, "refused by module policy"},
		{"tls_public", "[fe80::1%lo]:" + p, 400, "refused by module policy"},
		{"tls_public", "[::ffff:127.0.0.1]:" + p, 400, "refused by module policy"},
		{"tls_public", "[::127.0.0.1]:" + p, 400, "refused by module policy"},
		{"tls_public", "[::ffff:0:127.0.0.1]:" + p, 400, "refused by module policy"},
		{"tls_public", "[64:ff9b::7f00:1]:" + p, 400, "refused by module policy"},
		{"tls_public", "[2002:7f00:1::1]:" + p, 400, "refused by module policy"},
		{"tls_public", "[2001:0:7f00:1::1]:" + p, 400, "refused by module policy"},
		{"tls_public", "169.254.169.254:" + p, 400, "refused by module policy"},
		{"tls_public", "[::ffff:169.254.169.254]:" + p, 400, "refused by module policy"},
		{"tls_public", "0.0.0.0:" + p, 400, "refused by module policy"},
		{"tls_public", "rebound.example.test:" + p, 400, "resolves to a refused address"},
		{"web01_public", "rebound.example.test", 400, "resolves to a refused address"},
		{"web01_redirector", "loop.example.test",
			200, `acme_http01_failure_info{domain="loop.example.test",ip_family="ca",reason="refused_by_policy"} 1`},
		{"web01_redirector", "zoned.example.test",
			200, `acme_http01_failure_info{domain="zoned.example.test",ip_family="ca",reason="refused_by_policy"} 1`},
		{"web01_redirector", "login.example.test",
			200, `acme_http01_failure_info{domain="login.example.test",ip_family="ca",reason="refused_by_policy"} 1`},
		{"web01_redirector", "meta.example.test",
			200, `acme_http01_failure_info{domain="meta.example.test",ip_family="ca",reason="refused_by_policy"} 1`},
		{"web01_redirector", "mapped.example.test",
			200, `acme_http01_failure_info{domain="mapped.example.test",ip_family="ca",reason="refused_by_policy"} 1`},
		{"web01_redirector", "nat64.example.test",
			200, `acme_http01_failure_info{domain="nat64.example.test",ip_family="ca",reason="refused_by_policy"} 1`},
		{"web01_redirector", "inner.example.test",
			200, `acme_http01_failure_info{domain="inner.example.test",ip_family="ca",reason="refused_by_policy"} 1`},
		// Last: the name rebinds once the pre-check has seen it.
		{"web01_public", "rebind.example.test",
			200, `acme_http01_failure_info{domain="rebind.example.test",ip_family="ca",reason="refused_by_policy"} 1`},
	}
	refusedWhileProbing := 0
	for _, c := range cases {
		t.Run(c.module+" "+c.target, func(t *testing.T) {
			code, body := get(t, srv.URL+"/probe?module="+c.module+"&target="+url.QueryEscape(c.target))
			if code != c.code || !strings.Contains(body, c.want) {
				t.Errorf("got %d, want %d with %s:\n%s", code, c.code, c.want, body)
			}
			if code == 200 {
				refusedWhileProbing++
			}
		})
	}
	zone.Rebind("rebind.example.test", 2, "127.0.0.1", "::1")
	code, body := get(t, srv.URL+"/probe?module=tls_public&target="+url.QueryEscape("rebind.example.test:"+p))
	if want := `acme_probe_failure_info{check="endpoint",reason="refused_by_policy",target="rebind.example.test:` + p + `"} 1`; code != 200 || !strings.Contains(body, want) {
		t.Errorf("endpoint on a rebinding name: got %d, want 200 with %s:\n%s", code, want, body)
	}
	refusedWhileProbing++

	if seen := rec.connections(); len(seen) > 0 {
		t.Errorf("connections reached refused addresses: %v", seen)
	}
	_, metrics := get(t, srv.URL+"/metrics")
	for _, want := range []string{
		fmt.Sprintf(`acme_exporter_probe_refused_total{reason="refused_by_policy"} %d`, refusedWhileProbing),
		`acme_exporter_probe_refused_total{reason="target_refused"} 15`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// A refused file target gets one fixed answer, whatever the path: it must
// not name the exporter's own binary (/proc/self/exe), where a symlink
// inside the roots points, or whether a path outside the roots exists.
func TestProbeFileRefusalsDiscloseNothing(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "live"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(outside, "secret-name.pem"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, dest := range map[string]string{
		"escape.pem":   filepath.Join(outside, "secret-name.pem"),
		"dangling.pem": filepath.Join(outside, "no-such-dir", "hidden-name.pem"),
	} {
		if err := os.Symlink(dest, filepath.Join(root, "live", name)); err != nil {
			t.Fatal(err)
		}
	}
	_, srv := newTestExporter(t, "modules:\n  files:\n    kind: certificate_file\n    file_roots: ["+root+"]\n")
	self, _ := os.Executable()
	var first string
	for _, target := range []string{
		"/proc/self/exe",
		"/proc/self/cwd/x.pem",
		root + "/live/escape.pem",
		root + "/live/dangling.pem",
		outside + "/secret-name.pem",      // exists
		outside + "/no-such-file.pem",     // does not exist, directory does
		"/no-such-directory/at/all.pem",   // directory does not exist
		root + "/no-such-directory/x.pem", // inside the root, directory missing
		"relative/x.pem",
	} {
		code, body := get(t, srv.URL+"/probe?module=files&target="+url.QueryEscape(target))
		if code != 400 {
			t.Fatalf("%s: got %d, want 400: %s", target, code, body)
		}
		for _, leak := range []string{self, filepath.Base(self), outside, "secret-name", "hidden-name", "resolve"} {
			if strings.Contains(body, leak) {
				t.Errorf("%s: the answer discloses %q: %s", target, leak, body)
			}
		}
		if first == "" {
			first = body
		} else if body != first {
			t.Errorf("%s: answer %q differs from %q", target, body, first)
		}
	}
}
