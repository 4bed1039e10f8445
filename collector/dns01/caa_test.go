// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package dns01

import (
	"fmt"
	"strings"
	"testing"

	"github.com/miekg/dns"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/acme-exporter/acme_exporter/internal/scrapetest"
	"github.com/acme-exporter/acme_exporter/internal/testbed"
	"github.com/acme-exporter/acme_exporter/internal/testcerts"
	"github.com/acme-exporter/acme_exporter/inventory"
	"github.com/acme-exporter/acme_exporter/scrape"
)

// CAA against the real Knot parent serving caa.test. (zoneCAA).
func TestCAAKnot(t *testing.T) {
	b := scrapetest.StartDNSBed(t)
	yml := b.Config(`  - domain: none.caa.test
  - domain: allow.caa.test
  - domain: forbid.caa.test
  - domain: empty.caa.test
  - domain: acct.caa.test
    accounturi: https://acme-v02.api.letsencrypt.org/acme/acct/2
  - domain: acct2.caa.test
    caa: false
  - domain: vm.caa.test
  - domain: crit.caa.test
  - domain: www.forbid.caa.test
  - domain: deep.www.allow.caa.test
  - domain: "*.wild.caa.test"
  - domain: iodef.caa.test
  - domain: two.caa.test
    caa_identities: [letsencrypt.org, pebble.letsencrypt.org]
`)
	env := scrapetest.Env(t, yml, testcerts.Epoch, nil)
	// A discovered http-01 domain gets a CAA check too; its Let's Encrypt
	// directory says letsencrypt.org; an unknown CA without configured
	// identities cannot be evaluated.
	env.Discovered = &inventory.Snapshot{Domains: []inventory.Domain{
		{Name: "allow.caa.test", Challenge: "http-01", Directory: "https://acme-v02.api.letsencrypt.org/directory"},
		{Name: "disc.allow.caa.test", Challenge: "http-01", Directory: "https://acme-v02.api.letsencrypt.org/directory"},
		{Name: "other.caa.test", Challenge: "http-01", Directory: "https://ca.example/directory"},
	}}
	h := scrapetest.NewHarness(env, map[string]scrape.Collector{caaCheck: &caaCollector{}})
	if probs, err := testutil.CollectAndLint(h); err != nil || len(probs) > 0 {
		t.Fatalf("lint: %v %v", err, probs)
	}
	scrapetest.Compare(t, h, `
acme_dns_caa_issuance_allowed{domain="none.caa.test",issuer="letsencrypt.org"} 1
acme_dns_caa_issuance_allowed{domain="allow.caa.test",issuer="letsencrypt.org"} 1
acme_dns_caa_issuance_allowed{domain="forbid.caa.test",issuer="letsencrypt.org"} 0
acme_dns_caa_issuance_allowed{domain="empty.caa.test",issuer="letsencrypt.org"} 0
acme_dns_caa_issuance_allowed{domain="acct.caa.test",issuer="letsencrypt.org"} 0
acme_dns_caa_issuance_allowed{domain="vm.caa.test",issuer="letsencrypt.org"} 0
acme_dns_caa_issuance_allowed{domain="crit.caa.test",issuer="letsencrypt.org"} 0
acme_dns_caa_issuance_allowed{domain="www.forbid.caa.test",issuer="letsencrypt.org"} 0
acme_dns_caa_issuance_allowed{domain="deep.www.allow.caa.test",issuer="letsencrypt.org"} 1
acme_dns_caa_issuance_allowed{domain="*.wild.caa.test",issuer="letsencrypt.org"} 0
acme_dns_caa_issuance_allowed{domain="iodef.caa.test",issuer="letsencrypt.org"} 1
acme_dns_caa_issuance_allowed{domain="two.caa.test",issuer="letsencrypt.org"} 1
acme_dns_caa_issuance_allowed{domain="two.caa.test",issuer="pebble.letsencrypt.org"} 1
acme_dns_caa_issuance_allowed{domain="disc.allow.caa.test",issuer="letsencrypt.org"} 1
acme_dns_caa_info{domain="none.caa.test",issuer="letsencrypt.org",reason="no_caa",relevant_name=""} 1
acme_dns_caa_info{domain="allow.caa.test",issuer="letsencrypt.org",reason="permitted",relevant_name="allow.caa.test"} 1
acme_dns_caa_info{domain="forbid.caa.test",issuer="letsencrypt.org",reason="issuer_not_listed",relevant_name="forbid.caa.test"} 1
acme_dns_caa_info{domain="empty.caa.test",issuer="letsencrypt.org",reason="issuance_forbidden",relevant_name="empty.caa.test"} 1
acme_dns_caa_info{domain="acct.caa.test",issuer="letsencrypt.org",reason="accounturi_mismatch",relevant_name="acct.caa.test"} 1
acme_dns_caa_info{domain="vm.caa.test",issuer="letsencrypt.org",reason="validationmethods_mismatch",relevant_name="vm.caa.test"} 1
acme_dns_caa_info{domain="crit.caa.test",issuer="letsencrypt.org",reason="unknown_critical_property",relevant_name="crit.caa.test"} 1
acme_dns_caa_info{domain="www.forbid.caa.test",issuer="letsencrypt.org",reason="issuer_not_listed",relevant_name="forbid.caa.test"} 1
acme_dns_caa_info{domain="deep.www.allow.caa.test",issuer="letsencrypt.org",reason="permitted",relevant_name="allow.caa.test"} 1
acme_dns_caa_info{domain="*.wild.caa.test",issuer="letsencrypt.org",reason="issuance_forbidden",relevant_name="wild.caa.test"} 1
acme_dns_caa_info{domain="iodef.caa.test",issuer="letsencrypt.org",reason="no_issue_property",relevant_name="iodef.caa.test"} 1
acme_dns_caa_info{domain="two.caa.test",issuer="letsencrypt.org",reason="no_caa",relevant_name=""} 1
acme_dns_caa_info{domain="two.caa.test",issuer="pebble.letsencrypt.org",reason="no_caa",relevant_name=""} 1
acme_dns_caa_info{domain="disc.allow.caa.test",issuer="letsencrypt.org",reason="permitted",relevant_name="allow.caa.test"} 1
acme_probe_success{check="caa",target="other.caa.test"} 0
acme_probe_failure_info{check="caa",reason="no_caa_identity",target="other.caa.test"} 1
`, "acme_dns_caa_issuance_allowed", "acme_dns_caa_info", "acme_probe_failure_info")
}

func caaRR(t *testing.T, s string) *dns.CAA {
	t.Helper()
	rr, err := dns.NewRR("x.test. 60 IN CAA " + s)
	if err != nil {
		t.Fatal(err)
	}
	return rr.(*dns.CAA)
}

// RFC 8659/8657 evaluation without a server: parameter edge cases.
func TestEvaluateCAA(t *testing.T) {
	acct := []string{"https://acme-v02.api.letsencrypt.org/acme/acct/7"}
	cases := map[string]struct {
		records  []string
		wildcard bool
		accounts []string
		method   string
		want     string
	}{
		"empty set":             {nil, false, nil, "dns-01", "no_caa"},
		"issuer case-folded":    {[]string{`0 issue "LetsEncrypt.org"`}, false, nil, "dns-01", "permitted"},
		"space before params":   {[]string{`0 issue "letsencrypt.org ; validationmethods=dns-01"`}, false, nil, "dns-01", "permitted"},
		"accounturi matches":    {[]string{`0 issue "letsencrypt.org; accounturi=https://acme-v02.api.letsencrypt.org/acme/acct/7"`}, false, acct, "dns-01", "permitted"},
		"accounturi unknown":    {[]string{`0 issue "letsencrypt.org; accounturi=https://acme-v02.api.letsencrypt.org/acme/acct/7"`}, false, nil, "dns-01", "accounturi_unknown"},
		"two accounturi":        {[]string{`0 issue "letsencrypt.org; accounturi=a; accounturi=b"`}, false, acct, "dns-01", "malformed_record"},
		"method in list":        {[]string{`0 issue "letsencrypt.org; validationmethods=http-01,dns-01"`}, false, nil, "dns-01", "permitted"},
		"method unknown here":   {[]string{`0 issue "letsencrypt.org; validationmethods=http-01"`}, false, nil, "", "permitted"},
		"one of two permits":    {[]string{`0 issue "ca.example"`, `0 issue "letsencrypt.org"`}, false, nil, "dns-01", "permitted"},
		"issuewild ignored":     {[]string{`0 issue "letsencrypt.org"`, `0 issuewild ";"`}, false, nil, "dns-01", "permitted"},
		"wildcard falls back":   {[]string{`0 issue "letsencrypt.org"`}, true, nil, "dns-01", "permitted"},
		"wildcard issuewild":    {[]string{`0 issue ";"`, `0 issuewild "letsencrypt.org"`}, true, nil, "dns-01", "permitted"},
		"unknown non-critical":  {[]string{`0 futuretag "x"`, `0 issue "letsencrypt.org"`}, false, nil, "dns-01", "permitted"},
		"critical iodef is ok":  {[]string{`128 iodef "mailto:a@b.test"`}, false, nil, "dns-01", "no_issue_property"},
		"malformed value":       {[]string{`0 issue "letsencrypt.org; bad param"`}, false, nil, "dns-01", "malformed_record"},
		"other CA and mismatch": {[]string{`0 issue "ca.example"`, `0 issue "letsencrypt.org; validationmethods=http-01"`}, false, nil, "dns-01", "validationmethods_mismatch"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var set []*dns.CAA
			for _, r := range tc.records {
				set = append(set, caaRR(t, r))
			}
			if got := evaluateCAA(set, "letsencrypt.org", tc.wildcard, tc.accounts, tc.method); got != tc.want {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func FuzzParseCAAValue(f *testing.F) {
	for _, s := range []string{"letsencrypt.org", ";", "letsencrypt.org; accounturi=https://x/acct/1; validationmethods=dns-01",
		" ca.example ;a=b", "x;=", "x; a=\x00", strings.Repeat("a;", 600)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := parseCAAValue(s)
		if err == nil {
			_ = v.check([]string{"https://a"}, "dns-01")
		}
		rr := &dns.CAA{Hdr: dns.RR_Header{Name: "x.", Rrtype: dns.TypeCAA, Class: dns.ClassINET}, Tag: "issue", Value: s}
		_ = evaluateCAA([]*dns.CAA{rr}, "letsencrypt.org", true, nil, "dns-01")
		_ = fmt.Sprint(v.issuer)
	})
}

// A CAA lookup that fails from the exporter gives no verdict (the CA asks
// its own resolvers): no issuance_allowed series that could page as "CAA
// forbids", a lookup_failed detail and the check's failure instead.
func TestCAALookupFailureGivesNoVerdict(t *testing.T) {
	closed := testbed.FreeUDPPort(t, "127.0.0.1") // nothing listens: the query is refused
	yml := fmt.Sprintf("dns01:\n  - domain: broken.example.test\n    resolver: 127.0.0.1:%d\n    query_timeout: 500ms\n", closed)
	env := scrapetest.Env(t, yml, testcerts.Epoch, nil)
	h := scrapetest.NewHarness(env, map[string]scrape.Collector{caaCheck: &caaCollector{}})
	if n := testutil.CollectAndCount(h, "acme_dns_caa_issuance_allowed"); n != 0 {
		t.Fatalf("%d issuance_allowed series after a failed lookup, want none", n)
	}
	scrapetest.Compare(t, h, `
acme_dns_caa_info{domain="broken.example.test",issuer="letsencrypt.org",reason="lookup_failed",relevant_name=""} 1
acme_probe_failure_info{check="caa",reason="caa_lookup_failed",target="broken.example.test"} 1
`, "acme_dns_caa_info", "acme_probe_failure_info")
}
