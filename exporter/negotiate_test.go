// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package exporter

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"

	"github.com/acme-exporter/acme_exporter/internal/testcerts"
)

// /metrics answers in the format the scraper asks for: text by default,
// OpenMetrics when asked first (as Prometheus does), protobuf through
// client_golang's encoder. Each says the same about the checks. /probe
// answers the same way (text and OpenMetrics written without a registry).
func TestMetricsNegotiatesFormat(t *testing.T) {
	root := t.TempDir()
	ch := testcerts.NewChain(t, "Test")
	testcerts.Write(t, root, "live/a/fullchain.pem", ch.FullChain(ch.Leaf(t, testcerts.Options{})), 0o644)
	_, srv := newTestExporter(t, "certificate_files:\n  - path: "+root+"/live/*/fullchain.pem\n"+
		"modules:\n  files:\n    kind: certificate_file\n    file_roots: ["+root+"]\n")
	for _, path := range []string{"/metrics", "/probe?module=files&target=" + root + "/live/a/fullchain.pem"} {
		t.Run(strings.SplitN(path[1:], "?", 2)[0], func(t *testing.T) { testNegotiation(t, srv.URL+path, path == "/metrics") })
	}
}

func testNegotiation(t *testing.T, u string, own bool) {
	fetch := func(accept string) (string, []byte) {
		req, err := http.NewRequest("GET", u, nil)
		if err != nil {
			t.Fatal(err)
		}
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = resp.Body.Close() }()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.Header.Get("Content-Type"), b
	}
	const prometheusAccept = "application/openmetrics-text;version=1.0.0;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=1.0.0;q=0.3,text/plain;version=0.0.4;q=0.2,*/*;q=0.1"
	const protobufAccept = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.7,text/plain;version=0.0.4;q=0.3"
	cases := []struct {
		name, accept, contentType string
		check                     func(t *testing.T, body []byte)
	}{
		{"default is text", "", "text/plain; version=0.0.4", func(t *testing.T, body []byte) {
			if !strings.Contains(string(body), "\nacme_certificate_not_after_timestamp_seconds{") || strings.Contains(string(body), "# EOF") {
				t.Errorf("not the text format:\n%s", body)
			}
		}},
		{"openmetrics as Prometheus asks", prometheusAccept, "application/openmetrics-text; version=1.0.0", func(t *testing.T, body []byte) {
			s := string(body)
			if !strings.HasSuffix(s, "\n# EOF\n") || strings.Count(s, "# EOF") != 1 {
				t.Errorf("OpenMetrics must end with one # EOF:\n%s", s[max(0, len(s)-300):])
			}
			for _, want := range []string{"\nacme_exporter_collector_success{collector=\"certificate_file\"", "\nacme_certificate_not_after_timestamp_seconds{", "# TYPE acme_exporter_probe_refused counter\n"} {
				if !own && strings.Contains(want, "acme_exporter_") {
					continue // the exporter's own series are on /metrics only
				}
				if !strings.Contains(s, want) {
					t.Errorf("OpenMetrics lacks %q", want)
				}
			}
		}},
		{"protobuf through client_golang", protobufAccept, "application/vnd.google.protobuf", func(t *testing.T, body []byte) {
			dec := expfmt.NewDecoder(strings.NewReader(string(body)), expfmt.NewFormat(expfmt.TypeProtoDelim))
			names := map[string]bool{}
			for {
				mf := &dto.MetricFamily{}
				err := dec.Decode(mf)
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				names[mf.GetName()] = true
			}
			for _, want := range []string{"acme_probe_success", "acme_certificate_not_after_timestamp_seconds", "acme_certificate_info"} {
				if !names[want] {
					t.Errorf("protobuf lacks %s (has %d families)", want, len(names))
				}
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ct, body := fetch(tc.accept)
			if !strings.HasPrefix(ct, tc.contentType) {
				t.Errorf("Content-Type %q, want %q...", ct, tc.contentType)
			}
			tc.check(t, body)
		})
	}
}
