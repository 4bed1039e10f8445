// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package directory

import (
	"context"
	"crypto/x509"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/acme-exporter/acme_exporter/internal/scrapetest"
)

// One fetcher per ACME directory serves the directory family and ARI: the
// directory check's fetch is what ARI reads (no request of its own), and
// when ARI must fetch (the family is off), concurrent workers send one
// request between them, which a later read within the hour reuses.
func TestOneDirectoryFetchServesBoth(t *testing.T) {
	var gets atomic.Int64
	var srv *httptest.Server
	srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/dir", "/other":
			gets.Add(1)
			time.Sleep(50 * time.Millisecond) // let concurrent readers pile up
			u := srv.URL
			fmt.Fprintf(w, `{"newNonce":"%[1]s/nonce","newAccount":"%[1]s/acct","newOrder":"%[1]s/order","revokeCert":"%[1]s/revoke","keyChange":"%[1]s/key","renewalInfo":"%[1]s/ari"}`, u)
		case "/nonce":
			w.Header().Set("Replay-Nonce", "abcdefghijklmnop")
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	env := scrapetest.Env(t, "", now, roots)

	// The directory family's check fetches and publishes.
	s := dirSpec{url: srv.URL + "/dir", roots: roots}
	if err := newDirectoryCollector(env.Logger).check(context.Background(), env, s, func(prometheus.Metric) {}); err != nil {
		t.Fatal(err)
	}
	if n := gets.Load(); n != 1 {
		t.Fatalf("directory check: %d GETs, want 1", n)
	}
	m, err := directories.meta(context.Background(), s, env.Directories, env.Now)
	if err != nil || m.RenewalInfo != srv.URL+"/ari" {
		t.Fatalf("ARI read %+v, %v", m, err)
	}
	if n := gets.Load(); n != 1 {
		t.Errorf("ARI after the directory check: %d GETs in all, want still 1", n)
	}

	// A directory the family did not fetch: eight workers, one GET.
	o := dirSpec{url: srv.URL + "/other", roots: roots}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if m, err := directories.meta(context.Background(), o, env.Directories, env.Now); err != nil || m.RenewalInfo == "" {
				t.Errorf("ARI read %+v, %v", m, err)
			}
		}()
	}
	wg.Wait()
	if n := gets.Load(); n != 2 {
		t.Errorf("eight concurrent ARI reads of an unfetched directory: %d GETs in all, want 2", n)
	}
}
