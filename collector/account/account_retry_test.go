// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package account

import (
	"crypto/x509"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/acme-exporter/acme_exporter/internal/scrapetest"
	"github.com/acme-exporter/acme_exporter/internal/testbed"
	"github.com/acme-exporter/acme_exporter/internal/testcerts"
	"github.com/acme-exporter/acme_exporter/scrape"
)

// TestAccountRegistrationRetryAfterFake uses an in-process FAKE ACME
// server, because Pebble cannot be made to rate-limit newAccount: a 429
// with Retry-After makes the lookup fail with rate_limited, and no
// request is sent again until Retry-After has passed.
func TestAccountRegistrationRetryAfterFake(t *testing.T) {
	var calls atomic.Int32
	var srv *httptest.Server
	srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Replay-Nonce", fmt.Sprintf("nonce%d", time.Now().UnixNano()))
		switch r.URL.Path {
		case "/dir":
			_, _ = fmt.Fprintf(w, `{"newNonce":"%[1]s/nonce","newAccount":"%[1]s/new-acct","newOrder":"%[1]s/new-order"}`, srv.URL)
		case "/nonce":
			w.WriteHeader(http.StatusOK)
		case "/new-acct":
			calls.Add(1)
			w.Header().Set("Retry-After", "3600")
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = fmt.Fprint(w, `{"type":"urn:ietf:params:acme:error:rateLimited","detail":"slow down"}`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	dir := testbed.Dir(t)
	keyPEM, _ := ecKeyPEM(t)
	key := filepath.Join(dir, "account.key")
	if err := os.WriteFile(key, keyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	now := testcerts.Epoch
	env := scrapetest.Env(t, fmt.Sprintf(`
accounts:
  keys:
    - {path: %q, run_as: "0", directory: %q, check_registration: true}
`, key, srv.URL+"/dir"), now, roots)
	clock := now
	env.Now = func() time.Time { return clock }
	c := &accountCollector{reg: map[string]*regState{}}
	want := fmt.Sprintf(`
acme_probe_failure_info{check="account_registration",reason="rate_limited",target="%s"} 1
`, key)
	for i, step := range []struct {
		advance time.Duration
		calls   int32
	}{
		{0, 1},                // asks, gets 429 Retry-After: 3600
		{30 * time.Minute, 1}, // inside Retry-After: serves the last answer
		{31 * time.Minute, 2}, // past it: asks again
	} {
		clock = clock.Add(step.advance)
		// A fresh scheduler each time, so only the collector's own
		// Retry-After memory can prevent the request.
		scrapetest.Compare(t, scrapetest.NewHarness(env, map[string]scrape.Collector{"account": c}), want, "acme_probe_failure_info")
		if got := calls.Load(); got != step.calls {
			t.Errorf("step %d: %d newAccount requests, want %d", i, got, step.calls)
		}
	}
}
