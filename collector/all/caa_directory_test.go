// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package all_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/acme-exporter/acme_exporter/internal/scrapetest"
	"github.com/acme-exporter/acme_exporter/internal/testbed"
	"github.com/acme-exporter/acme_exporter/inventory"
)

// TestCAAIdentitiesFromDirectory: CAA is evaluated against the identities
// the domain's directory lists in meta.caaIdentities, once the directory
// family has fetched it. Real Pebble (meta.caaIdentities
// ["pebble.letsencrypt.org"]) and the real Knot serving caa.test, where
// forbid.caa.test says issue "pebble.letsencrypt.org" and allow.caa.test
// says issue "letsencrypt.org".
func TestCAAIdentitiesFromDirectory(t *testing.T) {
	b := scrapetest.StartDNSBed(t)
	p := testbed.StartPebble(t, 0)
	u := p.DirectoryURL()
	env := scrapetest.PebbleEnv(t, u, p, time.Now, b.Config(fmt.Sprintf(`  - domain: forbid.caa.test
    directory: %[1]s
  - domain: allow.caa.test
    directory: %[1]s
  - domain: none.caa.test
    directory: %[1]s
  - domain: two.caa.test
    caa_identities: [ca.example]
`, u)))
	env.Discovered = &inventory.Snapshot{Domains: []inventory.Domain{
		{Name: "www.forbid.caa.test", Challenge: "http-01", Directory: u},
		{Name: "www.allow.caa.test", Challenge: "http-01", Directory: u},
	}}
	caaNames := []string{"acme_dns_caa_issuance_allowed", "acme_dns_caa_info", "acme_probe_failure_info"}

	// Before the directory was fetched: the configured identities
	// (letsencrypt.org by default); a discovered domain of an unknown CA
	// cannot be evaluated.
	before := scrapetest.NewHarness(env, scrapetest.NewFamilies(t, env.Logger, "caa"))
	scrapetest.Compare(t, before, `
acme_dns_caa_issuance_allowed{domain="forbid.caa.test",issuer="letsencrypt.org"} 0
acme_dns_caa_issuance_allowed{domain="allow.caa.test",issuer="letsencrypt.org"} 1
acme_dns_caa_issuance_allowed{domain="none.caa.test",issuer="letsencrypt.org"} 1
acme_dns_caa_issuance_allowed{domain="two.caa.test",issuer="ca.example"} 1
acme_dns_caa_info{domain="forbid.caa.test",issuer="letsencrypt.org",reason="issuer_not_listed",relevant_name="forbid.caa.test"} 1
acme_dns_caa_info{domain="allow.caa.test",issuer="letsencrypt.org",reason="permitted",relevant_name="allow.caa.test"} 1
acme_dns_caa_info{domain="none.caa.test",issuer="letsencrypt.org",reason="no_caa",relevant_name=""} 1
acme_dns_caa_info{domain="two.caa.test",issuer="ca.example",reason="no_caa",relevant_name=""} 1
acme_probe_failure_info{check="caa",reason="no_caa_identity",target="www.forbid.caa.test"} 1
acme_probe_failure_info{check="caa",reason="no_caa_identity",target="www.allow.caa.test"} 1
`, caaNames...)

	// The directory family fetches Pebble (configured in acme_directories
	// and named by the dns01 entries) and publishes its meta.
	dirs := scrapetest.NewHarness(env, scrapetest.NewFamilies(t, env.Logger, "acme_directory"))
	scrapetest.Compare(t, dirs, fmt.Sprintf(`acme_directory_up{directory=%q} 1`, u), "acme_directory_up")
	m, ok := env.Directories.Get(u)
	if !ok || fmt.Sprint(m.CAAIdentities) != "[pebble.letsencrypt.org]" || m.RenewalInfo == "" || fmt.Sprint(m.Profiles) != "[default]" {
		t.Fatalf("directory store: %+v %v", m, ok)
	}

	// A fresh scheduler (no min_interval cache): now Pebble's identity.
	after := scrapetest.NewHarness(env, scrapetest.NewFamilies(t, env.Logger, "caa"))
	scrapetest.Compare(t, after, `
acme_dns_caa_issuance_allowed{domain="forbid.caa.test",issuer="pebble.letsencrypt.org"} 1
acme_dns_caa_issuance_allowed{domain="allow.caa.test",issuer="pebble.letsencrypt.org"} 0
acme_dns_caa_issuance_allowed{domain="none.caa.test",issuer="pebble.letsencrypt.org"} 1
acme_dns_caa_issuance_allowed{domain="two.caa.test",issuer="ca.example"} 1
acme_dns_caa_issuance_allowed{domain="www.forbid.caa.test",issuer="pebble.letsencrypt.org"} 1
acme_dns_caa_issuance_allowed{domain="www.allow.caa.test",issuer="pebble.letsencrypt.org"} 0
acme_dns_caa_info{domain="forbid.caa.test",issuer="pebble.letsencrypt.org",reason="permitted",relevant_name="forbid.caa.test"} 1
acme_dns_caa_info{domain="allow.caa.test",issuer="pebble.letsencrypt.org",reason="issuer_not_listed",relevant_name="allow.caa.test"} 1
acme_dns_caa_info{domain="none.caa.test",issuer="pebble.letsencrypt.org",reason="no_caa",relevant_name=""} 1
acme_dns_caa_info{domain="two.caa.test",issuer="ca.example",reason="no_caa",relevant_name=""} 1
acme_dns_caa_info{domain="www.forbid.caa.test",issuer="pebble.letsencrypt.org",reason="permitted",relevant_name="forbid.caa.test"} 1
acme_dns_caa_info{domain="www.allow.caa.test",issuer="pebble.letsencrypt.org",reason="issuer_not_listed",relevant_name="allow.caa.test"} 1
`, caaNames...)
	if probs, err := testutil.CollectAndLint(after); err != nil || len(probs) > 0 {
		t.Fatalf("lint: %v %v", err, probs)
	}
}
