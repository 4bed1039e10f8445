// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package ratelimit

import (
	"crypto/x509"
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/acme-exporter/acme_exporter/internal/certs"
	"github.com/acme-exporter/acme_exporter/internal/scrapetest"
	"github.com/acme-exporter/acme_exporter/internal/testcerts"
	"github.com/acme-exporter/acme_exporter/inventory"
	"github.com/acme-exporter/acme_exporter/scrape"
)

var rlNames = []string{"acme_certificates_issued", "acme_duplicate_certificates", "acme_rate_limit",
	"acme_early_renewals", "acme_rate_limit_certificates_seen",
	"acme_duplicate_certificates_slot_free_timestamp_seconds", "acme_duplicate_certificates_renewal_due_timestamp_seconds"}

const day = 24 * time.Hour

// rlConfig maps the test chains' intermediates to two CAs.
const rlConfig = `
rate_limits:
  cas:
    - name: letsencrypt
      issuers: ["LE Intermediate"]
    - name: zerossl
      issuers: ["ZeroSSL Intermediate"]
      limits:
        duplicate_certificates: 10
`

func summary(t *testing.T, ch *testcerts.Chain, serial int64, notBefore time.Time, names ...string) inventory.Certificate {
	t.Helper()
	leaf := ch.Leaf(t, testcerts.Options{DNSNames: names, Serial: serial, NotBefore: notBefore})
	return certs.Summarize([]*x509.Certificate{leaf.Cert, ch.Intermediate.Cert})
}

// TestRateLimitsFromInventory: six forced renewals of one name set in a
// week exceed the duplicate limit of 5 while only new name sets count per
// registered domain; two CAs stay apart; a certificate seen both as a
// file and on an endpoint counts once.
func TestRateLimitsFromInventory(t *testing.T) {
	env := scrapetest.Env(t, rlConfig, testcerts.Epoch, nil)
	le := testcerts.NewChain(t, "LE")
	zs := testcerts.NewChain(t, "ZeroSSL")
	pb := testcerts.NewChain(t, "Pebble 6a1b2c")
	now := testcerts.Epoch

	var files []inventory.Certificate
	lineage := []string{"www.example.com", "example.com"}
	files = append(files, summary(t, le, 100, now.Add(-60*day), lineage...)) // first issuance, outside the window
	for i := 1; i <= 6; i++ {                                                // a cron forcing renewal daily
		files = append(files, summary(t, le, int64(100+i), now.Add(-time.Duration(7-i)*day), "EXAMPLE.com", "www.example.com"))
	}
	files = append(files,
		summary(t, le, 200, now.Add(-2*day), "shop.example.com"),         // a new name set
		summary(t, le, 300, now.Add(-3*day), "api.example.org"),          // another registered domain
		summary(t, le, 301, now.Add(-30*day), "old.example.org"),         // outside the window
		summary(t, le, 400, now.Add(-1*day), "a.shop.co.uk", "10.0.0.1"), // PSL and an IP identifier
		summary(t, zs, 100, now.Add(-1*day), lineage...),                 // same set, other CA
		summary(t, pb, 1, now.Add(-1*day), "x.example.net"),              // unknown CA
	)
	for i, c := range files {
		c.Source, c.Path, c.History = "file", fmt.Sprintf("/etc/letsencrypt/archive/cert%d.pem", i), true
		env.Inventory.Put("certificate_file", c.Path, []inventory.Certificate{c})
	}
	served := files[6] // the newest renewal, also served by an endpoint
	served.Source, served.Path, served.History = "endpoint", "www.example.com:443", false
	env.Inventory.Put("endpoint", served.Path, []inventory.Certificate{served})

	h := scrapetest.NewHarness(env, map[string]scrape.Collector{rateLimitCheck: &rateLimitCollector{}})
	scrapetest.Compare(t, h, `
acme_certificates_issued{ca="letsencrypt",registered_domain="example.com"} 1
acme_certificates_issued{ca="letsencrypt",registered_domain="example.org"} 1
acme_certificates_issued{ca="letsencrypt",registered_domain="shop.co.uk"} 1
acme_certificates_issued{ca="letsencrypt",registered_domain="10.0.0.1"} 1
acme_certificates_issued{ca="zerossl",registered_domain="example.com"} 1
acme_certificates_issued{ca="issuer_pebble_6a1b2c_intermediate",registered_domain="example.net"} 1
acme_duplicate_certificates{ca="letsencrypt",registered_domain="example.com"} 6
acme_duplicate_certificates{ca="letsencrypt",registered_domain="example.org"} 1
acme_duplicate_certificates{ca="letsencrypt",registered_domain="shop.co.uk"} 1
acme_duplicate_certificates{ca="letsencrypt",registered_domain="10.0.0.1"} 1
acme_duplicate_certificates{ca="zerossl",registered_domain="example.com"} 1
acme_duplicate_certificates{ca="issuer_pebble_6a1b2c_intermediate",registered_domain="example.net"} 1
acme_early_renewals{ca="letsencrypt",registered_domain="example.com"} 5
acme_early_renewals{ca="letsencrypt",registered_domain="example.org"} 0
acme_early_renewals{ca="letsencrypt",registered_domain="shop.co.uk"} 0
acme_early_renewals{ca="letsencrypt",registered_domain="10.0.0.1"} 0
acme_early_renewals{ca="zerossl",registered_domain="example.com"} 0
acme_early_renewals{ca="issuer_pebble_6a1b2c_intermediate",registered_domain="example.net"} 0
acme_rate_limit{ca="letsencrypt",limit="certificates_per_registered_domain"} 50
acme_rate_limit{ca="letsencrypt",limit="duplicate_certificates"} 5
acme_rate_limit{ca="letsencrypt",limit="new_orders_per_account"} 300
acme_rate_limit{ca="letsencrypt",limit="failed_validations"} 5
acme_rate_limit{ca="zerossl",limit="duplicate_certificates"} 10
acme_rate_limit_certificates_seen{ca="letsencrypt"} 11
acme_rate_limit_certificates_seen{ca="zerossl"} 1
acme_rate_limit_certificates_seen{ca="issuer_pebble_6a1b2c_intermediate"} 1
`+
		// example.com's set holds 6 of 5: a slot frees when the second
		// oldest in the window (5 days old) leaves it, in 2 days; its
		// newest (1 day old, 90 days) is due for renewal in 59 days.
		fmt.Sprintf(`acme_duplicate_certificates_slot_free_timestamp_seconds{ca="letsencrypt",registered_domain="example.com"} %d
acme_duplicate_certificates_renewal_due_timestamp_seconds{ca="letsencrypt",registered_domain="example.com"} %d
`, now.Add(2*day).Unix(), now.Add(59*day).Unix()), rlNames...)
	if problems, err := testutil.CollectAndLint(h); err != nil || len(problems) > 0 {
		t.Fatalf("lint: %v %v", err, problems)
	}
}

func TestRegisteredDomain(t *testing.T) {
	for in, want := range map[string]string{
		"www.example.com":       "example.com",
		"*.example.com":         "example.com",
		"a.b.shop.co.uk":        "shop.co.uk",
		"user.github.io":        "user.github.io",
		"localhost":             "localhost",
		"192.0.2.1":             "192.0.2.1",
		"2001:db8:1:2:3:4:5:6":  "2001:db8:1:2::/64",
		"x.example.test":        "example.test",
		"com":                   "com",
		"deep.sub.example.test": "example.test",
	} {
		if got := registeredDomain(in); got != want {
			t.Errorf("%s: got %s, want %s", in, got, want)
		}
	}
}

func TestIssuerLabel(t *testing.T) {
	for in, want := range map[string]string{
		"Pebble Intermediate CA 6a1b2c":               "issuer_pebble_intermediate_ca_6a1b2c",
		"(STAGING) Pseudo Plum E5":                    "issuer_staging_pseudo_plum_e5",
		"Ünïcode ---":                                 "issuer_n_code",
		"A very long issuer name that goes on and on": "issuer_a_very_long_issuer_name_that_goes",
	} {
		if got := issuerLabel(in); got != want {
			t.Errorf("%s: got %s, want %s", in, got, want)
		}
	}
}

// The counts are kept while the inventory and the window are unchanged,
// and counted again when a certificate leaves the window or the inventory
// changes.
func TestRateLimitsRecountOnlyWhenNeeded(t *testing.T) {
	env := scrapetest.Env(t, rlConfig, testcerts.Epoch, nil)
	clock := testcerts.Epoch
	env.Now = func() time.Time { return clock }
	le := testcerts.NewChain(t, "LE")
	put := func(serial int64, notBefore time.Time) {
		c := summary(t, le, serial, notBefore, "example.com")
		c.Source, c.Path = "file", fmt.Sprintf("/etc/ssl/%d.pem", serial)
		env.Inventory.Put("certificate_file", c.Path, []inventory.Certificate{c})
	}
	put(1, clock.Add(-6*day-12*time.Hour))
	h := scrapetest.NewHarness(env, map[string]scrape.Collector{rateLimitCheck: &rateLimitCollector{}})
	steps := []struct {
		name   string
		do     func()
		dups   int
		counts int64 // computations so far
	}{
		{"first scrape", func() {}, 1, 1},
		{"same clock, same inventory", func() {}, 1, 1},
		{"an hour later, still inside the window", func() { clock = clock.Add(time.Hour) }, 1, 1},
		{"a day later: it left the window", func() { clock = clock.Add(day) }, 0, 2},
		{"a new certificate", func() { put(2, clock.Add(-time.Hour)) }, 1, 3},
		{"unchanged again", func() {}, 1, 3},
	}
	start := rateLimitCounts.Load()
	for _, st := range steps {
		st.do()
		scrapetest.Compare(t, h, fmt.Sprintf("acme_duplicate_certificates{ca=\"letsencrypt\",registered_domain=\"example.com\"} %d\n", st.dups),
			"acme_duplicate_certificates")
		if got := rateLimitCounts.Load() - start; got != st.counts {
			t.Fatalf("%s: %d computations, want %d", st.name, got, st.counts)
		}
	}
}
