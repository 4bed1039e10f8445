// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package directory

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"golang.org/x/crypto/acme"

	"github.com/acme-exporter/acme_exporter/internal/certs"
	"github.com/acme-exporter/acme_exporter/internal/scrapetest"
	"github.com/acme-exporter/acme_exporter/internal/testbed"
	"github.com/acme-exporter/acme_exporter/inventory"
	"github.com/acme-exporter/acme_exporter/scrape"
)

func publish(env *scrape.Env, name string, is *testbed.Issued) {
	sum := certs.Summarize(is.Chain)
	sum.Name, sum.Source, sum.Path = name, "file", "/certs/"+name+"/fullchain.pem"
	env.Inventory.Put("test", sum.Path, []inventory.Certificate{sum})
}

// waitARI waits until the background worker answered for every certificate.
func waitARI(t *testing.T, c *ariCollector) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		c.mu.Lock()
		busy := false
		for _, e := range c.entries {
			if e.queued || e.fetched.IsZero() {
				busy = true
			}
		}
		c.mu.Unlock()
		if !busy {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("ARI worker did not finish")
}

func setRenewalInfo(t *testing.T, p *testbed.Pebble, is *testbed.Issued, body string) {
	t.Helper()
	req, _ := json.Marshal(map[string]string{"Certificate": string(is.ChainPEM[:bytes.Index(is.ChainPEM, []byte("-----END CERTIFICATE-----"))+len("-----END CERTIFICATE-----\n")]), "ARIResponse": body})
	resp, err := p.Client.Post(p.Management.URL+"/set-renewal-info/", "application/json", bytes.NewReader(req))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("set-renewal-info: %s", resp.Status)
	}
}

func TestARIAgainstPebble(t *testing.T) {
	p := testbed.StartPebble(t, 0)
	acct := p.NewAccount(t)
	a := p.Issue(t, acct, "a.example.test")
	b := p.Issue(t, acct, "b.example.test")
	clock := &scrapetest.MutableClock{T: time.Now()}
	env := scrapetest.PebbleEnv(t, p.DirectoryURL(), p, clock.Now, "")
	publish(env, "a", a)
	publish(env, "b", b)
	ari := newARICollector(env.Logger)
	t.Cleanup(func() { _ = ari.Close() })
	h := scrapetest.NewHarness(env, map[string]scrape.Collector{ariCheck: ari})

	// First scrape: nothing fetched yet, the worker is fed.
	scrapetest.Compare(t, h, `
		acme_probe_failure_info{check="ari",reason="pending",target="/certs/a/fullchain.pem"} 1
		acme_probe_failure_info{check="ari",reason="pending",target="/certs/b/fullchain.pem"} 1
	`, "acme_probe_failure_info")
	waitARI(t, ari)

	// Pebble's window: the 2/3 point of the validity ± 24 h.
	win := func(is *testbed.Issued) (time.Time, time.Time) {
		nb, na := is.Chain[0].NotBefore, is.Chain[0].NotAfter
		ideal := na.Add(-na.Add(time.Second).Sub(nb) / 3)
		return ideal.Add(-24 * time.Hour), ideal.Add(24 * time.Hour)
	}
	as, ae := win(a)
	bs, be := win(b)
	scrapetest.Compare(t, h, fmt.Sprintf(`
		acme_ari_window_start_timestamp_seconds{name="a",source="file",target="/certs/a/fullchain.pem"} %s
		acme_ari_window_start_timestamp_seconds{name="b",source="file",target="/certs/b/fullchain.pem"} %s
		acme_ari_window_end_timestamp_seconds{name="a",source="file",target="/certs/a/fullchain.pem"} %s
		acme_ari_window_end_timestamp_seconds{name="b",source="file",target="/certs/b/fullchain.pem"} %s
		acme_ari_next_poll_timestamp_seconds{name="a",source="file",target="/certs/a/fullchain.pem"} %s
		acme_ari_next_poll_timestamp_seconds{name="b",source="file",target="/certs/b/fullchain.pem"} %s
		acme_probe_success{check="ari",target="/certs/a/fullchain.pem"} 1
		acme_probe_success{check="ari",target="/certs/b/fullchain.pem"} 1
	`, scrapetest.TS(as), scrapetest.TS(bs), scrapetest.TS(ae), scrapetest.TS(be), scrapetest.TS(clock.Now().Add(6*time.Hour)), scrapetest.TS(clock.Now().Add(6*time.Hour))),
		"acme_ari_window_start_timestamp_seconds", "acme_ari_window_end_timestamp_seconds",
		"acme_ari_next_poll_timestamp_seconds", "acme_probe_success", "acme_ari_explanation_info")

	// Move a's window through the management API, revoke b.
	setRenewalInfo(t, p, a, `{"suggestedWindow":{"start":"2026-02-01T00:00:00Z","end":"2026-02-02T00:00:00Z"},"explanationURL":"https://ca.example.test/incident/42"}`)
	if err := acct.RevokeCert(context.Background(), nil, b.Chain[0].Raw, acme.CRLReasonKeyCompromise); err != nil {
		t.Fatal(err)
	}
	// Within Retry-After nothing is fetched again.
	before := ariRequests.Load()
	testutil.CollectAndCount(h)
	if n := ariRequests.Load() - before; n != 0 {
		t.Fatalf("%d requests inside Retry-After", n)
	}
	clock.Add(6*time.Hour + time.Second)
	testutil.CollectAndCount(h) // queues the refresh
	waitARI(t, ari)
	revokedAt := time.Now()
	got := map[string]float64{}
	for _, line := range strings.Split(scrapetest.ScrapeText(t, h), "\n") {
		var v float64
		for _, n := range []string{"acme_ari_window_end_timestamp_seconds", "acme_ari_window_start_timestamp_seconds"} {
			if strings.HasPrefix(line, n+"{") {
				if _, err := fmt.Sscanf(line[strings.LastIndex(line, " ")+1:], "%g", &v); err == nil {
					got[line[:strings.LastIndex(line, " ")]] = v
				}
			}
		}
	}
	if v := got[`acme_ari_window_start_timestamp_seconds{name="a",source="file",target="/certs/a/fullchain.pem"}`]; v != 1769904000 {
		t.Errorf("a start = %v, want the window set through the management API", v)
	}
	// Revoked: Pebble answers "renew now", a window an hour in the past.
	bEnd := got[`acme_ari_window_end_timestamp_seconds{name="b",source="file",target="/certs/b/fullchain.pem"}`]
	if d := revokedAt.Sub(time.Unix(int64(bEnd), 0)); d < 50*time.Minute || d > 70*time.Minute {
		t.Errorf("b window end %v is %v before now, want about an hour (revoked → renew now)", time.Unix(int64(bEnd), 0), d)
	}
	scrapetest.Compare(t, h, `acme_ari_explanation_info{name="a",url="https://ca.example.test/incident/42"} 1`, "acme_ari_explanation_info")
	if problems, err := testutil.CollectAndLint(h); err != nil || len(problems) > 0 {
		t.Fatalf("lint: %v %v", err, problems)
	}
}

// TestARIOneRequestPerCertificate: 50 parallel scrapes send exactly one
// renewalInfo request per certificate within the Retry-After interval,
// counted at a wrapping handler in front of Pebble.
func TestARIOneRequestPerCertificate(t *testing.T) {
	p := testbed.StartPebble(t, 0)
	acct := p.NewAccount(t)
	var issued []*testbed.Issued
	for i := range 5 {
		issued = append(issued, p.Issue(t, acct, fmt.Sprintf("c%d.example.test", i)))
	}
	var mu sync.Mutex
	perCert := map[string]int{}
	var total atomic.Int64
	target, _ := url.Parse(p.Server.URL)
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.Transport = p.Client.Transport
	front := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "renewalInfo/") {
			mu.Lock()
			perCert[r.URL.Path]++
			mu.Unlock()
			total.Add(1)
		}
		proxy.ServeHTTP(w, r)
	}))
	defer front.Close()
	// Pebble builds directory URLs from the request's Host, so they point
	// at the counting front.
	frontPebble := &testbed.Pebble{Server: front}
	clock := &scrapetest.MutableClock{T: time.Now()}
	env := scrapetest.PebbleEnv(t, front.URL+"/dir", frontPebble, clock.Now, "")
	for i, is := range issued {
		publish(env, fmt.Sprintf("c%d", i), is)
	}
	ari := newARICollector(env.Logger)
	t.Cleanup(func() { _ = ari.Close() })
	h := scrapetest.NewHarness(env, map[string]scrape.Collector{ariCheck: ari})
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() { defer wg.Done(); testutil.CollectAndCount(h) }()
	}
	wg.Wait()
	waitARI(t, ari)
	for range 50 {
		wg.Add(1)
		go func() { defer wg.Done(); testutil.CollectAndCount(h) }()
	}
	wg.Wait()
	clock.Add(5 * time.Hour) // still inside Pebble's 6 h Retry-After
	testutil.CollectAndCount(h)
	mu.Lock()
	defer mu.Unlock()
	if len(perCert) != len(issued) {
		t.Fatalf("requests for %d certificates, want %d: %v", len(perCert), len(issued), perCert)
	}
	for path, n := range perCert {
		if n != 1 {
			t.Errorf("%s: %d requests, want exactly 1", path, n)
		}
	}
}

// TestARIPebbleStopped: a stopped CA is a failure reason, and the
// certificate Pebble does not know (issued elsewhere) is one too.
func TestARIUnknownAndStopped(t *testing.T) {
	p := testbed.StartPebble(t, 0)
	acct := p.NewAccount(t)
	is := p.Issue(t, acct, "known.example.test")
	other := testbed.StartPebble(t, 0) // a different CA: unknown AKI at p
	foreign := other.Issue(t, other.NewAccount(t), "foreign.example.test")
	clock := &scrapetest.MutableClock{T: time.Now()}
	env := scrapetest.PebbleEnv(t, p.DirectoryURL(), p, clock.Now, "")
	publish(env, "known", is)
	publish(env, "foreign", foreign)
	ari := newARICollector(env.Logger)
	t.Cleanup(func() { _ = ari.Close() })
	h := scrapetest.NewHarness(env, map[string]scrape.Collector{ariCheck: ari})
	testutil.CollectAndCount(h)
	waitARI(t, ari)
	scrapetest.Compare(t, h, `
		acme_probe_failure_info{check="ari",reason="certificate_unknown",target="/certs/foreign/fullchain.pem"} 1
	`, "acme_probe_failure_info")
	p.Server.Close()
	clock.Add(7 * time.Hour)
	testutil.CollectAndCount(h)
	waitARI(t, ari)
	scrapetest.Compare(t, h, `
		acme_probe_failure_info{check="ari",reason="connection_failed",target="/certs/foreign/fullchain.pem"} 1
		acme_probe_failure_info{check="ari",reason="connection_failed",target="/certs/known/fullchain.pem"} 1
	`, "acme_probe_failure_info")
	// The last window Pebble gave stays served while it is unreachable.
	if !strings.Contains(scrapetest.ScrapeText(t, h), `acme_ari_window_start_timestamp_seconds{name="known"`) {
		t.Error("the known certificate's window vanished while the CA is down")
	}
}
