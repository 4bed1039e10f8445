// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package directory

import (
	"encoding/pem"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/acme-exporter/acme_exporter/internal/certs"
	"github.com/acme-exporter/acme_exporter/internal/scrapetest"
	"github.com/acme-exporter/acme_exporter/internal/testbed"
	"github.com/acme-exporter/acme_exporter/inventory"
	"github.com/acme-exporter/acme_exporter/scrape"
)

// TestARIIssuingDirectory: with two CAs (two real in-process Pebbles), ARI
// asks the directory that issued each certificate, chosen by discovery
// (the client's lineage and directory) or by the configured issuers; a
// certificate neither names is not asked about and reports nothing (no
// failure: it is no fault), and a discovery entry pointing at the wrong CA
// is believed (that CA does not know the certificate).
func TestARIIssuingDirectory(t *testing.T) {
	pa := testbed.StartPebble(t, 0)
	pb := testbed.StartPebble(t, 0)
	byDisc := pa.Issue(t, pa.NewAccount(t), "disc.example.test")
	unmatched := pa.Issue(t, pa.NewAccount(t), "unmatched.example.test")
	misled := pa.Issue(t, pa.NewAccount(t), "misled.example.test")
	byIssuer := pb.Issue(t, pb.NewAccount(t), "issuer.example.test")
	issuerCN := byIssuer.Chain[0].Issuer.CommonName
	if issuerCN == "" || issuerCN == byDisc.Chain[0].Issuer.CommonName {
		t.Fatalf("the two Pebbles' intermediates must differ by name: %q", issuerCN)
	}

	// Both servers present Go's test certificate.
	caFile := filepath.Join(t.TempDir(), "pebble-tls.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: pa.Server.Certificate().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	ua, ub := pa.DirectoryURL(), pb.DirectoryURL()
	env := scrapetest.Env(t, fmt.Sprintf(`
acme_directories:
  directories:
    - url: %s
      tls_ca_file: %s
    - url: %s
      tls_ca_file: %[2]s
      issuers: [%[4]q]
`, ua, caFile, ub, issuerCN), time.Time{}, nil)
	clock := &scrapetest.MutableClock{T: time.Now()}
	env.Now = clock.Now
	env.Discovered = &inventory.Snapshot{Domains: []inventory.Domain{
		{Name: "disc.example.test", Client: "certbot", Lineage: "disc", Directory: ua},
		{Name: "misled.example.test", Client: "certbot", Lineage: "misled", Directory: ub},
		// Another client's lineage of the same name does not count.
		{Name: "unmatched.example.test", Client: "lego", Lineage: "unmatched", Directory: ua},
	}}
	publishAs := func(name, client string, is *testbed.Issued) {
		sum := certs.Summarize(is.Chain)
		sum.Name, sum.Source, sum.Path, sum.Client = name, "file", "/certs/"+name+"/fullchain.pem", client
		env.Inventory.Put("test", sum.Path, []inventory.Certificate{sum})
	}
	publishAs("disc", "certbot", byDisc)
	publishAs("unmatched", "certbot", unmatched)
	publishAs("misled", "certbot", misled)
	publishAs("issuer", "", byIssuer)

	ari := newARICollector(env.Logger)
	t.Cleanup(func() { _ = ari.Close() })
	h := scrapetest.NewHarness(env, map[string]scrape.Collector{ariCheck: ari})
	testutil.CollectAndCount(h)
	waitARI(t, ari)
	scrapetest.Compare(t, h, `
acme_probe_success{check="ari",target="/certs/disc/fullchain.pem"} 1
acme_probe_success{check="ari",target="/certs/issuer/fullchain.pem"} 1
acme_probe_success{check="ari",target="/certs/misled/fullchain.pem"} 0
acme_probe_failure_info{check="ari",reason="certificate_unknown",target="/certs/misled/fullchain.pem"} 1
`, "acme_probe_success", "acme_probe_failure_info")

	// The windows are the issuing CA's (Pebble: 2/3 of the validity ± 1 day).
	text := scrapetest.ScrapeText(t, h)
	for name, is := range map[string]*testbed.Issued{"disc": byDisc, "issuer": byIssuer} {
		nb, na := is.Chain[0].NotBefore, is.Chain[0].NotAfter
		start := na.Add(-na.Add(time.Second).Sub(nb) / 3).Add(-24 * time.Hour)
		series := fmt.Sprintf(`acme_ari_window_start_timestamp_seconds{name=%q,source="file",target="/certs/%s/fullchain.pem"}`, name, name)
		if got := scrapetest.MetricValue(t, text, series); got != float64(start.Unix()) {
			t.Errorf("%s: window start %v, want %v", name, got, float64(start.Unix()))
		}
	}
	// ARI fetched both directories itself (the directory family did not
	// run) and shared them through the store.
	for _, u := range []string{ua, ub} {
		if m, ok := env.Directories.Get(u); !ok || m.RenewalInfo == "" {
			t.Errorf("directory store lacks %s: %+v", u, m)
		}
	}
}

// Background fetchers end once idle, and queuing work starts them again:
// nothing keeps goroutines for ARI when there is nothing to fetch.
func TestARIWorkersEndWhenIdle(t *testing.T) {
	c := newARICollector(slog.New(slog.DiscardHandler))
	t.Cleanup(func() { _ = c.Close() })
	c.idle = 20 * time.Millisecond
	workers := func() int {
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.workers
	}
	for round := 0; round < 2; round++ {
		c.mu.Lock()
		c.startWorkersLocked(3)
		c.mu.Unlock()
		if n := workers(); n != 3 {
			t.Fatalf("round %d: %d workers started, want 3", round, n)
		}
		deadline := time.Now().Add(10 * time.Second)
		for workers() != 0 {
			if time.Now().After(deadline) {
				t.Fatalf("round %d: %d workers still running after idling", round, workers())
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
}

// TestARIOnlyDirectoryClaimsNothing: the only directory known does not
// make every certificate its own. A certificate of another CA (a local
// CA's) and one whose issuer no directory names are not asked about: no
// ARI series and no failure, so AcmeCheckFailing has nothing to fire on.
func TestARIOnlyDirectoryClaimsNothing(t *testing.T) {
	pa := testbed.StartPebble(t, 0)
	local := testbed.StartPebble(t, 0) // stands in for a local CA
	foreign := local.Issue(t, local.NewAccount(t), "intranet.example.test")
	own := pa.Issue(t, pa.NewAccount(t), "own.example.test")

	caFile := filepath.Join(t.TempDir(), "pebble-tls.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: pa.Server.Certificate().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	env := scrapetest.Env(t, fmt.Sprintf("acme_directories:\n  directories:\n    - url: %s\n      tls_ca_file: %s\n", pa.DirectoryURL(), caFile), time.Time{}, nil)
	for name, is := range map[string]*testbed.Issued{"foreign": foreign, "own": own} {
		sum := certs.Summarize(is.Chain)
		sum.Name, sum.Source, sum.Path = name, "file", "/certs/"+name+"/fullchain.pem"
		env.Inventory.Put("test", sum.Path, []inventory.Certificate{sum})
	}
	ari := newARICollector(env.Logger)
	t.Cleanup(func() { _ = ari.Close() })
	h := scrapetest.NewHarness(env, map[string]scrape.Collector{ariCheck: ari})
	testutil.CollectAndCount(h)
	waitARI(t, ari)
	text := scrapetest.ScrapeText(t, h)
	for _, s := range []string{`check="ari"`, "acme_ari_window_start_timestamp_seconds"} {
		if strings.Contains(text, s) {
			t.Errorf("the only directory was asked about certificates it does not claim: %s in\n%s", s, text)
		}
	}
}
