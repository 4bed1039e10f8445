// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package exporter

import (
	"crypto/tls"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/acme-exporter/acme_exporter/internal/testcerts"
)

// BenchmarkProbeEndpoint is one /probe of a TLS 1.3 endpoint on loopback
// (leaf + intermediate, verified to the configured root), through the real
// handler: what scripts/bench-endpoints.sh measures per probe, without the
// HTTP client and server around it.
func BenchmarkProbeEndpoint(b *testing.B) {
	chain := testcerts.NewChain(b, "Bench")
	leaf := chain.Leaf(b, testcerts.Options{DNSNames: []string{"svc.bench.test"}, NotBefore: time.Now().Add(-time.Hour)})
	pair, err := tls.X509KeyPair(chain.FullChain(leaf), leaf.KeyPEM())
	if err != nil {
		b.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS13})
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn) {
				_ = c.(*tls.Conn).Handshake()
				buf := make([]byte, 1)
				_, _ = c.Read(buf)
				c.Close()
			}(c)
		}
	}()
	dir := b.TempDir()
	ca := testcerts.Write(b, dir, "ca.pem", chain.Root.PEM(), 0o644)
	cfg := filepath.Join(dir, "c.yml")
	yml := "global: {ca_file: " + ca + ", system_roots: false}\ndiscovery: {enabled: false}\n" +
		"modules:\n  tls: {kind: endpoint, timeout: 10s, allow_cidrs: [127.0.0.0/8]}\n"
	if err := os.WriteFile(cfg, []byte(yml), 0o600); err != nil {
		b.Fatal(err)
	}
	e, _ := newTestExporterFile(b, cfg)
	h := e.ProbeHandler()
	url := "/probe?module=tls&target=" + ln.Addr().String()
	probe := func() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", url, nil))
		if w.Code != 200 || !strings.Contains(w.Body.String(), "acme_endpoint_verified{") ||
			!strings.Contains(w.Body.String(), "} 1\n") {
			b.Fatalf("%d %s", w.Code, w.Body.String())
		}
	}
	probe()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		probe()
	}
}
