// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package dns01

import (
	"fmt"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/acme-exporter/acme_exporter/internal/scrapetest"
	"github.com/acme-exporter/acme_exporter/internal/testbed"
	"github.com/acme-exporter/acme_exporter/internal/testcerts"
	"github.com/acme-exporter/acme_exporter/inventory"
	"github.com/acme-exporter/acme_exporter/scrape"
)

// The test bed, all real Knot servers on loopback with random ports:
//   - the primary (127.0.0.2) serves example.test. and the CNAME target
//     zone auth.test. (the acme-dns pattern);
//   - the secondary (127.0.0.3) transfers example.test. from the primary,
//     only when told (no NOTIFY; SOA refresh an hour away);
//   - the parent (127.0.0.2, another port) serves test., which delegates
//     example.test. and auth.test., and caa.test.;
//   - the resolver is an in-process miekg/dns stub forwarder (a fake of a
//     recursive resolver) that sends each question to the Knot serving
//     the longest matching zone, so no name reaches the host's resolver
//     and the parent's delegation is only visible at the parent.

// nsMap is the nameservers block that points the NS names at the two Knots.
const nsMap = `
    nameservers:
      ns.test: $R
      ns1.example.test: $P
      ns2.example.test: $S`

// label formats the nameserver label of a Knot instance.
func nsl(name string, k *testbed.Knot) string { return name + "@" + k.Addr }

func scrapeDNS(t *testing.T, yml string) (prometheus.Collector, *scrape.Env) {
	t.Helper()
	env := scrapetest.Env(t, yml, testcerts.Epoch, nil)
	h := scrapetest.NewHarness(env, map[string]scrape.Collector{dnsCheck: newDNSCollector(env.Logger)})
	if probs, err := testutil.CollectAndLint(h); err != nil || len(probs) > 0 {
		t.Fatalf("lint: %v %v", err, probs)
	}
	return h, env
}

var dnsZoneNames = []string{"acme_dns_nameserver_up", "acme_dns_nameserver_failure_info", "acme_dns_soa_serial",
	"acme_dns_soa_serial_consistent", "acme_dns_nameserver_stale", "acme_dns_delegation_consistent",
	"acme_dns_rrsig_expiry_timestamp_seconds"}

var dnsDomainNames = []string{"acme_dns_challenge_info", "acme_dns_cname_target_healthy", "acme_dns_txt_records",
	"acme_dns_txt_consistent", "acme_dns_txt_ttl_seconds", "acme_dns_txt_leftover_records", "acme_dns_canary_present",
	"acme_probe_success", "acme_probe_failure_info"}

func TestDNSKnotPrimarySecondary(t *testing.T) {
	b := scrapetest.StartDNSBed(t)
	p, s := b.Primary, b.Secondary
	yml := b.Config(`  - domain: example.test
    canary: canary-123` + nsMap + `
  - domain: "*.example.test"` + nsMap + "\n")

	ns1, ns2 := nsl("ns1.example.test", p), nsl("ns2.example.test", s)
	consistent := func(serial, txt string) string {
		return fmt.Sprintf(`
acme_dns_nameserver_up{nameserver="%[1]s",zone="example.test"} 1
acme_dns_nameserver_up{nameserver="%[2]s",zone="example.test"} 1
acme_dns_soa_serial{nameserver="%[1]s",zone="example.test"} %[3]s
acme_dns_soa_serial{nameserver="%[2]s",zone="example.test"} %[3]s
acme_dns_soa_serial_consistent{zone="example.test"} 1
acme_dns_nameserver_stale{nameserver="%[1]s",zone="example.test"} 0
acme_dns_nameserver_stale{nameserver="%[2]s",zone="example.test"} 0
acme_dns_delegation_consistent{zone="example.test"} 1
acme_dns_challenge_info{domain="example.test",name="_acme-challenge.example.test",zone="example.test"} 1
acme_dns_txt_records{domain="example.test",nameserver="%[1]s"} 2
acme_dns_txt_records{domain="example.test",nameserver="%[2]s"} 2
acme_dns_txt_consistent{domain="example.test"} 1
acme_dns_txt_ttl_seconds{domain="example.test"} 60
acme_dns_txt_leftover_records{domain="example.test"} 1
acme_dns_canary_present{domain="example.test",nameserver="%[1]s"} 1
acme_dns_canary_present{domain="example.test",nameserver="%[2]s"} 1
acme_probe_success{check="dns01",target="example.test"} 1
`, ns1, ns2, serial) + txt
	}

	t.Run("both agree", func(t *testing.T) {
		h, _ := scrapeDNS(t, yml)
		scrapetest.Compare(t, h, consistent("2.026112601e+09", ""), append(dnsZoneNames, dnsDomainNames...)...)
	})

	// An ACME client updates the primary only; the secondary gets no
	// NOTIFY and its refresh timer is an hour away: it is stale.
	p.Update(t, "example.test.", `update delete _acme-challenge TXT "token-old"`, `update add _acme-challenge 60 TXT "token-new"`)
	b.WaitSerial(t, p, "2026112602")

	t.Run("secondary behind, TXT changed on the primary only", func(t *testing.T) {
		h, _ := scrapeDNS(t, yml)
		scrapetest.Compare(t, h, fmt.Sprintf(`
acme_dns_nameserver_up{nameserver="%[1]s",zone="example.test"} 1
acme_dns_nameserver_up{nameserver="%[2]s",zone="example.test"} 1
acme_dns_soa_serial{nameserver="%[1]s",zone="example.test"} 2.026112602e+09
acme_dns_soa_serial{nameserver="%[2]s",zone="example.test"} 2.026112601e+09
acme_dns_soa_serial_consistent{zone="example.test"} 0
acme_dns_nameserver_stale{nameserver="%[1]s",zone="example.test"} 0
acme_dns_nameserver_stale{nameserver="%[2]s",zone="example.test"} 1
acme_dns_txt_records{domain="example.test",nameserver="%[1]s"} 2
acme_dns_txt_records{domain="example.test",nameserver="%[2]s"} 2
acme_dns_txt_consistent{domain="example.test"} 0
acme_dns_txt_leftover_records{domain="example.test"} 2
`, ns1, ns2), "acme_dns_nameserver_up", "acme_dns_soa_serial", "acme_dns_soa_serial_consistent",
			"acme_dns_nameserver_stale", "acme_dns_txt_records", "acme_dns_txt_consistent", "acme_dns_txt_leftover_records")
	})

	s.Control(t, "zone-refresh", "example.test.")
	b.WaitSerial(t, s, "2026112602")

	t.Run("secondary caught up", func(t *testing.T) {
		h, _ := scrapeDNS(t, yml)
		scrapetest.Compare(t, h, consistent("2.026112602e+09", ""), append(dnsZoneNames, dnsDomainNames...)...)
	})
}

func TestDNSKnotCNAMEDelegated(t *testing.T) {
	b := scrapetest.StartDNSBed(t)
	p := b.Primary
	h, _ := scrapeDNS(t, b.Config(`  - domain: cn.example.test`+nsMap+"\n"))
	ns1 := nsl("ns1.example.test", p)
	scrapetest.Compare(t, h, fmt.Sprintf(`
acme_dns_nameserver_up{nameserver="%[1]s",zone="auth.test"} 1
acme_dns_soa_serial{nameserver="%[1]s",zone="auth.test"} 7
acme_dns_soa_serial_consistent{zone="auth.test"} 1
acme_dns_nameserver_stale{nameserver="%[1]s",zone="auth.test"} 0
acme_dns_delegation_consistent{zone="auth.test"} 1
acme_dns_challenge_info{domain="cn.example.test",name="cn.auth.test",zone="auth.test"} 1
acme_dns_cname_target_healthy{domain="cn.example.test"} 1
acme_dns_txt_records{domain="cn.example.test",nameserver="%[1]s"} 2
acme_dns_txt_consistent{domain="cn.example.test"} 1
acme_dns_txt_ttl_seconds{domain="cn.example.test"} 300
acme_dns_txt_leftover_records{domain="cn.example.test"} 0
acme_probe_success{check="dns01",target="cn.example.test"} 1
`, ns1), append(dnsZoneNames, dnsDomainNames...)...)
}

func TestDNSKnotLameAndBroken(t *testing.T) {
	b := scrapetest.StartDNSBed(t)
	// ns2 points at a port where nothing listens: the kernel answers
	// ICMP port unreachable (connection_refused); and the CNAME target zone's
	// server is pointed at the secondary, which does not serve auth.test.
	dead := fmt.Sprintf("127.0.0.3:%d", testbed.FreeUDPPort(t, "127.0.0.3"))
	yml := b.Config(fmt.Sprintf(`  - domain: example.test
    query_timeout: 300ms
    nameservers:
      ns.test: $R
      ns1.example.test: $P
      ns2.example.test: %s
  - domain: cn.example.test
    nameservers:
      ns.test: $R
      ns1.example.test: $S
`, dead))
	// The parent delegates example.test to a third server the zone does
	// not list, and whose name has no address: a lame delegation.
	b.Parent.Update(t, "test.", "update add example.test. 60 NS ns3.example.test.")
	env := scrapetest.Env(t, yml, testcerts.Epoch, nil)
	h := scrapetest.NewHarness(env, map[string]scrape.Collector{dnsCheck: newDNSCollector(env.Logger)})
	scrapetest.Compare(t, h, fmt.Sprintf(`
acme_dns_nameserver_up{nameserver="%[1]s",zone="example.test"} 1
acme_dns_nameserver_up{nameserver="%[2]s",zone="example.test"} 0
acme_dns_nameserver_up{nameserver="ns3.example.test",zone="example.test"} 0
acme_dns_nameserver_up{nameserver="%[3]s",zone="auth.test"} 0
acme_dns_nameserver_failure_info{nameserver="%[2]s",reason="connection_refused",zone="example.test"} 1
acme_dns_nameserver_failure_info{nameserver="ns3.example.test",reason="no_address",zone="example.test"} 1
acme_dns_nameserver_failure_info{nameserver="%[3]s",reason="refused",zone="auth.test"} 1
acme_dns_delegation_consistent{zone="example.test"} 0
acme_dns_delegation_consistent{zone="auth.test"} 1
acme_dns_soa_serial_consistent{zone="example.test"} 1
acme_dns_soa_serial_consistent{zone="auth.test"} 0
acme_dns_cname_target_healthy{domain="cn.example.test"} 0
`, nsl("ns1.example.test", b.Primary), "ns2.example.test@"+dead, nsl("ns1.example.test", b.Secondary)),
		"acme_dns_nameserver_up", "acme_dns_nameserver_failure_info", "acme_dns_cname_target_healthy",
		"acme_dns_delegation_consistent", "acme_dns_soa_serial_consistent")
}

func TestDNSResolverFailures(t *testing.T) {
	b := scrapetest.StartDNSBed(t)
	cases := map[string]struct {
		domain, reason string
	}{
		"zone not served by the resolver": {"example.invalid", "resolver_error"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			env := scrapetest.Env(t, b.Config("  - domain: "+tc.domain+"\n"), testcerts.Epoch, nil)
			h := scrapetest.NewHarness(env, map[string]scrape.Collector{dnsCheck: newDNSCollector(env.Logger)})
			scrapetest.Compare(t, h, fmt.Sprintf(`
acme_probe_success{check="dns01",target=%[1]q} 0
acme_probe_failure_info{check="dns01",reason=%[2]q,target=%[1]q} 1
`, tc.domain, tc.reason), "acme_probe_success", "acme_probe_failure_info")
		})
	}
}

// Zones sharing a zone emit its series once (example.test and its
// wildcard share a record; a.example.test shares the zone).
func TestDNSZoneSeriesOnce(t *testing.T) {
	b := scrapetest.StartDNSBed(t)
	yml := b.Config(`  - domain: example.test` + nsMap + `
  - domain: a.example.test` + nsMap + `
  - domain: b.example.test` + nsMap + "\n")
	h, _ := scrapeDNS(t, yml)
	if n := testutil.CollectAndCount(h, "acme_dns_soa_serial_consistent"); n != 1 {
		t.Fatalf("acme_dns_soa_serial_consistent: %d series, want 1", n)
	}
	if n := testutil.CollectAndCount(h, "acme_dns_txt_consistent"); n != 3 {
		t.Fatalf("acme_dns_txt_consistent: %d series, want 3", n)
	}
}

// Discovered dns-01 domains become targets with the defaults; other
// challenges and names that are no DNS names do not.
func TestDNSSpecsDiscovered(t *testing.T) {
	env := scrapetest.Env(t, "dns01_defaults:\n  resolver: 127.0.0.1:1\ndns01:\n  - domain: a.example\n", testcerts.Epoch, nil)
	env.Discovered = &inventory.Snapshot{Domains: []inventory.Domain{
		{Name: "*.a.example", Challenge: "dns-01"},
		{Name: "B.example.", Challenge: "dns-01"},
		{Name: "c.example", Challenge: "http-01"},
		{Name: "bad name", Challenge: "dns-01"},
	}}
	var got []string
	for _, s := range dnsSpecs(env) {
		got = append(got, fmt.Sprintf("%s %s %s %s", s.domain, s.resolver, s.queryTimeout, s.minInterval))
	}
	want := []string{"a.example 127.0.0.1:1 2s 1m0s", "b.example 127.0.0.1:1 2s 1m0s"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}
