// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package directory

import (
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/acme-exporter/acme_exporter/internal/scrapetest"
	"github.com/acme-exporter/acme_exporter/internal/testbed"
	"github.com/acme-exporter/acme_exporter/scrape"
)

func TestDirectoryAgainstPebble(t *testing.T) {
	p := testbed.StartPebble(t, 0)
	// The exporter's clock runs 90 s ahead of Pebble's: the acme
	// reference must show it.
	skewed := func() time.Time { return time.Now().Add(90 * time.Second) }
	env := scrapetest.PebbleEnv(t, p.DirectoryURL(), p, skewed, "")
	h := scrapetest.NewHarness(env, map[string]scrape.Collector{directoryCheck: newDirectoryCollector(env.Logger)})
	u := p.DirectoryURL()
	scrapetest.Compare(t, h, fmt.Sprintf(`
		acme_directory_up{directory="%[1]s"} 1
		acme_directory_nonce_ok{directory="%[1]s"} 1
		acme_directory_info{ari="true",caa_identities="pebble.letsencrypt.org",directory="%[1]s",external_account_required="false",profiles="default",terms_of_service="data:text/plain,Do%%20what%%20thou%%20wilt",website=""} 1
		acme_directory_tls_not_after_timestamp_seconds{directory="%[1]s"} %[2]s
		acme_probe_success{check="acme_directory",target="%[1]s"} 1
	`, u, scrapetest.TS(p.Server.Certificate().NotAfter)),
		"acme_directory_up", "acme_directory_nonce_ok", "acme_directory_info",
		"acme_directory_tls_not_after_timestamp_seconds", "acme_probe_success", "acme_probe_failure_info")
	off := scrapetest.MetricValue(t, scrapetest.ScrapeText(t, h), fmt.Sprintf(`acme_clock_offset_seconds{reference="acme",server="%s"}`, u))
	if math.Abs(off-90) > 1.6 {
		t.Errorf("acme offset %v, want 90 ± 1.6 s (Date has 1 s resolution)", off)
	}
	if problems, err := testutil.CollectAndLint(h); err != nil || len(problems) > 0 {
		t.Fatalf("lint: %v %v", err, problems)
	}
}

func TestDirectoryFailures(t *testing.T) {
	p := testbed.StartPebble(t, 0)
	// In-process fakes for faults Pebble cannot show: a directory missing
	// a required field, a nonce endpoint without Replay-Nonce, a body
	// beyond the limit. Named as fakes.
	fake := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		base := "https://" + r.Host
		switch r.URL.Path {
		case "/fake-missing":
			fmt.Fprintf(w, `{"newNonce":"%s/n","newAccount":"%s/a","newOrder":"%s/o","revokeCert":"%s/r"}`, base, base, base, base)
		case "/fake-nononce":
			fmt.Fprintf(w, `{"newNonce":"%[1]s/n","newAccount":"%[1]s/a","newOrder":"%[1]s/o","revokeCert":"%[1]s/r","keyChange":"%[1]s/k"}`, base)
		case "/fake-huge":
			w.Write([]byte(`{"x":"` + strings.Repeat("a", 70<<10) + `"}`))
		case "/fake-redirect":
			http.Redirect(w, r, "/fake-nononce", http.StatusMovedPermanently)
		case "/n":
			w.WriteHeader(http.StatusOK)
		}
	}))
	defer fake.Close()
	fp := &testbed.Pebble{Server: fake}
	for _, tc := range []struct {
		name, url, reason string
		up, nonce         string
	}{
		{"fake missing keyChange", fake.URL + "/fake-missing", "directory_missing_field", "0", ""},
		{"fake without Replay-Nonce", fake.URL + "/fake-nononce", "nonce_no_replay_nonce", "1", "0"},
		{"fake redirect then no nonce", fake.URL + "/fake-redirect", "nonce_no_replay_nonce", "1", "0"},
		{"fake body too large", fake.URL + "/fake-huge", "directory_body_too_large", "0", ""},
		{"pebble stopped", "stopped", "directory_connection_failed", "0", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u, srv := tc.url, fp
			if u == "stopped" {
				stopped := testbed.StartPebble(t, 0)
				u, srv = stopped.DirectoryURL(), stopped
				stopped.Server.Close()
			}
			env := scrapetest.PebbleEnv(t, u, srv, time.Now, "")
			h := scrapetest.NewHarness(env, map[string]scrape.Collector{directoryCheck: newDirectoryCollector(env.Logger)})
			want := fmt.Sprintf("acme_directory_up{directory=%q} %s\nacme_probe_failure_info{check=\"acme_directory\",reason=%q,target=%q} 1\n", u, tc.up, tc.reason, u)
			if tc.nonce != "" {
				want += fmt.Sprintf("acme_directory_nonce_ok{directory=%q} %s\n", u, tc.nonce)
			}
			scrapetest.Compare(t, h, want, "acme_directory_up", "acme_directory_nonce_ok", "acme_probe_failure_info")
		})
	}
	_ = p
}
