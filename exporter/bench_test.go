// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package exporter

import (
	stdgzip "compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/klauspost/compress/gzip"
)

// exporter10kFiles is an exporter over the 10,000-file fixture
// (tools/gencerts; docs/benchmarks.md).
func exporter10kFiles(b *testing.B) *Exporter {
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
	return e
}

// BenchmarkMetricsHandler10kFiles is a warm /metrics scrape of 10,000
// certificate files through the real handler (streaming text writer).
func BenchmarkMetricsHandler10kFiles(b *testing.B) {
	e := exporter10kFiles(b)
	h := e.MetricsHandler(nil, 0)
	req := httptest.NewRequest("GET", "/metrics", nil)
	scrape := func() {
		// The body is counted and dropped, as a socket would take it:
		// a recorder would keep all 11 MB and dominate the allocations.
		w := &discardWriter{header: http.Header{}}
		h.ServeHTTP(w, req)
		if w.code != 0 && w.code != 200 || w.n == 0 {
			b.Fatal(w.code, w.n)
		}
	}
	scrape()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		scrape()
	}
}

type discardWriter struct {
	header http.Header
	code   int
	n      int
}

func (w *discardWriter) Header() http.Header { return w.header }
func (w *discardWriter) WriteHeader(c int)   { w.code = c }
func (w *discardWriter) Write(p []byte) (int, error) {
	w.n += len(p)
	return len(p), nil
}

// BenchmarkGzip10kFiles compresses the /metrics text of 10,000 files (as
// Prometheus asks for it) with compress/gzip and klauspost/compress, both
// at BestSpeed: why the handler uses the latter.
func BenchmarkGzip10kFiles(b *testing.B) {
	e := exporter10kFiles(b)
	rec := httptest.NewRecorder()
	e.MetricsHandler(nil, 0).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	text := rec.Body.Bytes()
	for _, c := range []struct {
		name string
		new  func(io.Writer) io.WriteCloser
	}{
		{"compress-gzip", func(w io.Writer) io.WriteCloser { z, _ := stdgzip.NewWriterLevel(w, stdgzip.BestSpeed); return z }},
		{"klauspost", func(w io.Writer) io.WriteCloser { z, _ := gzip.NewWriterLevel(w, gzip.BestSpeed); return z }},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			var out discardWriter
			for i := 0; i < b.N; i++ {
				out.n = 0
				z := c.new(&out)
				// In 64 KiB writes, as WriteText's buffer flushes.
				for off := 0; off < len(text); off += 64 << 10 {
					_, _ = z.Write(text[off:min(off+64<<10, len(text))])
				}
				if err := z.Close(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(text))/float64(out.n), "ratio")
		})
	}
}
