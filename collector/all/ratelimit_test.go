// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package all_test

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/acme-exporter/acme_exporter/internal/scrapetest"
	"github.com/acme-exporter/acme_exporter/internal/testbed"
	"github.com/acme-exporter/acme_exporter/internal/testcerts"
)

// rateLimitNames are the ratelimit family's metric names.
var rateLimitNames = []string{"acme_certificates_issued", "acme_duplicate_certificates", "acme_rate_limit",
	"acme_early_renewals", "acme_rate_limit_certificates_seen"}

// TestRateLimitsThroughCertificateFiles reads a certbot archive/ published
// by the certificate_file collector as history entries.
func TestRateLimitsThroughCertificateFiles(t *testing.T) {
	dir := t.TempDir()
	ch := testcerts.NewChain(t, "LE")
	now := testcerts.Epoch
	for i := 1; i <= 7; i++ {
		nb := now.Add(-time.Duration(8-i) * 24 * time.Hour) // cert1 8 days ago ... cert7 1 day ago
		leaf := ch.Leaf(t, testcerts.Options{DNSNames: []string{"example.com", "www.example.com"}, Serial: int64(i), NotBefore: nb})
		testcerts.Write(t, dir, fmt.Sprintf("archive/example.com/cert%d.pem", i), leaf.PEM(), 0o644)
		if i == 7 {
			testcerts.Write(t, dir, "live/example.com/fullchain.pem", ch.FullChain(leaf), 0o644)
		}
	}
	env := scrapetest.Env(t, fmt.Sprintf(`
certificate_files:
  - path: %s
  - path: %s
    history: true
rate_limits:
  cas:
    - name: letsencrypt
      issuers: ["LE Intermediate"]
`, filepath.Join(dir, "live/example.com/fullchain.pem"), filepath.Join(dir, "archive/example.com/cert*.pem")), now, ch.Pool())
	fams := scrapetest.NewFamilies(t, env.Logger, "certificate_file", "ratelimit")
	h := scrapetest.NewHarness(env, fams)
	testutil.CollectAndCount(h) // the first scrape fills the inventory
	scrapetest.Compare(t, h, `
acme_certificates_issued{ca="letsencrypt",registered_domain="example.com"} 0
acme_duplicate_certificates{ca="letsencrypt",registered_domain="example.com"} 6
acme_early_renewals{ca="letsencrypt",registered_domain="example.com"} 6
acme_rate_limit_certificates_seen{ca="letsencrypt"} 7
`, "acme_certificates_issued", "acme_duplicate_certificates", "acme_early_renewals", "acme_rate_limit_certificates_seen")
}

// TestRateLimitsPebble issues certificates from a real ACME CA (Pebble
// in-process): six for one name set, as a forced-renewal cron would, and
// one for a new set, stored as certbot stores them, and reads them back
// through the certificate_file collector.
func TestRateLimitsPebble(t *testing.T) {
	p := testbed.StartPebble(t, 0)
	acct := p.NewAccount(t)
	dir := t.TempDir()
	for i := 1; i <= 6; i++ {
		is := p.Issue(t, acct, "renewed.example.test", "www.renewed.example.test")
		testcerts.Write(t, dir, fmt.Sprintf("archive/renewed.example.test/cert%d.pem", i), is.ChainPEM, 0o644)
	}
	is := p.Issue(t, acct, "new.example.test")
	testcerts.Write(t, dir, "archive/new.example.test/cert1.pem", is.ChainPEM, 0o644)

	env := scrapetest.Env(t, fmt.Sprintf(`
certificate_files:
  - path: %s
    history: true
rate_limits:
  cas:
    - name: pebble
      issuers: ["Pebble Intermediate CA *"]
      limits:
        certificates_per_registered_domain: 50
        duplicate_certificates: 5
`, filepath.Join(dir, "archive/*/cert*.pem")), time.Now().Add(time.Minute), nil)
	h := scrapetest.NewHarness(env, scrapetest.NewFamilies(t, env.Logger, "certificate_file", "ratelimit"))
	testutil.CollectAndCount(h)
	scrapetest.Compare(t, h, `
acme_certificates_issued{ca="pebble",registered_domain="example.test"} 2
acme_duplicate_certificates{ca="pebble",registered_domain="example.test"} 6
acme_early_renewals{ca="pebble",registered_domain="example.test"} 5
acme_rate_limit{ca="pebble",limit="certificates_per_registered_domain"} 50
acme_rate_limit{ca="pebble",limit="duplicate_certificates"} 5
acme_rate_limit{ca="letsencrypt",limit="certificates_per_registered_domain"} 50
acme_rate_limit{ca="letsencrypt",limit="duplicate_certificates"} 5
acme_rate_limit{ca="letsencrypt",limit="new_orders_per_account"} 300
acme_rate_limit{ca="letsencrypt",limit="failed_validations"} 5
acme_rate_limit_certificates_seen{ca="pebble"} 7
`, rateLimitNames...)
}
