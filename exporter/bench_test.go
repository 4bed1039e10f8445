// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package exporter

import (
	"io"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// BenchmarkMetricsHandler10kFiles is a warm /metrics scrape of 10,000
// certificate files through the real handler (streaming text writer).
func BenchmarkMetricsHandler10kFiles(b *testing.B) {
	dir := b.TempDir()
	cmd := exec.Command("go", "run", "../tools/gencerts", "-out", dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("%v %s", err, out)
	}
	cfg := filepath.Join(dir, "c.yml")
	yml := "global:\n  scrape_timeout: 60s\n  ca_file: " + dir + "/ca.pem\ncertificate_files:\n  - path: " + dir + "/d*/*.pem\n"
	if err := os.WriteFile(cfg, []byte(yml), 0o600); err != nil {
		b.Fatal(err)
	}
	e, _ := newTestExporterFile(b, cfg)
	h := e.MetricsHandler(nil, 0)
	scrape := func() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
		if rec.Code != 200 {
			b.Fatal(rec.Code)
		}
		_, _ = io.Copy(io.Discard, rec.Body)
	}
	scrape()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		scrape()
	}
}
