// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package exporter

import (
	"crypto/tls"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/acme-exporter/acme_exporter/internal/testcerts"
)

// TestProbeDebug: /probe?debug=true answers the probe's step log (dial,
// TLS handshake, outcome), then the metrics it would have returned, then
// the module; without debug the answer is the metrics alone.
func TestProbeDebug(t *testing.T) {
	ca := testcerts.NewChain(t, "Debug Test")
	leaf := ca.Leaf(t, testcerts.Options{DNSNames: []string{"www.example.test"}})
	cert, err := tls.X509KeyPair(ca.FullChain(leaf), leaf.KeyPEM())
	if err != nil {
		t.Fatal(err)
	}
	tlsSrv := httptest.NewUnstartedServer(http.NotFoundHandler())
	tlsSrv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	tlsSrv.StartTLS()
	t.Cleanup(tlsSrv.Close)
	addr := tlsSrv.Listener.Addr().String()
	_, srv := newTestExporter(t, `
modules:
  tls:
    kind: endpoint
    timeout: 5s
    names: ["*.example.test"]
    allow_cidrs: ["127.0.0.0/8"]
    settings: {server_name: www.example.test}
`)
	for _, tc := range []struct {
		name, target string
		want         []string
	}{
		{"served", addr, []string{
			"Logs for the probe:\n",
			`msg="Beginning probe" module=tls kind=endpoint target=` + addr,
			`msg=Dialing check=endpoint target=` + addr + ` network=tcp address=` + addr,
			`msg=Connected`,
			`msg="TLS handshake done"`, `server_name=www.example.test`, `CN=www.example.test`,
			`msg="Check succeeded"`,
			"\n\nMetrics that would have been returned:\n",
			`acme_probe_success{check="endpoint",target="` + addr + `"} 1`,
			"\n\nModule configuration:\nkind: endpoint\n",
		}},
		{"refused connection", "127.0.0.1:1", []string{
			`msg="Dial failed"`, `level=ERROR msg="Check failed" check=endpoint target=127.0.0.1:1 reason=`,
			`acme_probe_success{check="endpoint",target="127.0.0.1:1"} 0`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := url.Values{"module": {"tls"}, "target": {tc.target}, "debug": {"true"}}
			code, body := get(t, srv.URL+"/probe?"+q.Encode())
			if code != http.StatusOK {
				t.Fatalf("%d %s", code, body)
			}
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("debug output lacks %q:\n%s", w, body)
				}
			}
			q.Del("debug")
			if _, plain := get(t, srv.URL+"/probe?"+q.Encode()); strings.Contains(plain, "Logs for the probe") ||
				!strings.Contains(plain, fmt.Sprintf(`acme_probe_success{check="endpoint",target=%q}`, tc.target)) {
				t.Errorf("without debug, the metrics alone:\n%s", plain)
			}
		})
	}
}
