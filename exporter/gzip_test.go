// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package exporter

import (
	"compress/gzip"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/acme-exporter/acme_exporter/internal/testcerts"
)

// A gzip scrape (as Prometheus asks) says what an identity scrape says,
// also when the pooled compressor is reused.
func TestMetricsGzip(t *testing.T) {
	root := t.TempDir()
	ch := testcerts.NewChain(t, "Test")
	for _, name := range []string{"a", "b", "c"} {
		testcerts.Write(t, root, "live/"+name+"/fullchain.pem", ch.FullChain(ch.Leaf(t, testcerts.Options{})), 0o644)
	}
	_, srv := newTestExporter(t, "certificate_files:\n  - path: "+root+"/live/*/fullchain.pem\n")
	scrape := func(gz bool) (string, string) {
		req, err := http.NewRequest("GET", srv.URL+"/metrics", nil)
		if err != nil {
			t.Fatal(err)
		}
		if gz {
			// Set by hand, so the client does not decompress on its own.
			req.Header.Set("Accept-Encoding", "gzip")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = resp.Body.Close() }()
		var body io.Reader = resp.Body
		if gz {
			zr, err := gzip.NewReader(resp.Body)
			if err != nil {
				t.Fatalf("not gzip (%s): %v", resp.Header.Get("Content-Encoding"), err)
			}
			body = zr
		}
		b, err := io.ReadAll(body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.Header.Get("Content-Encoding"), string(b)
	}
	families := func(text string) []string {
		p := expfmt.NewTextParser(model.UTF8Validation)
		mfs, err := p.TextToMetricFamilies(strings.NewReader(text))
		if err != nil {
			t.Fatalf("%v\n%s", err, text)
		}
		var out []string
		for n, mf := range mfs {
			if strings.HasPrefix(n, "acme_certificate_") {
				out = append(out, n+":"+strings.Repeat("x", len(mf.Metric)))
			}
		}
		return out
	}
	_, plain := scrape(false)
	want := families(plain)
	if len(want) == 0 || !strings.Contains(plain, root+"/live/b/fullchain.pem") {
		t.Fatalf("identity scrape has no certificate families:\n%s", plain)
	}
	for i := 0; i < 3; i++ {
		enc, text := scrape(true)
		if enc != "gzip" {
			t.Fatalf("Content-Encoding %q", enc)
		}
		got := families(text)
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("gzip scrape %d: families %v, identity %v", i, got, want)
		}
	}
}
