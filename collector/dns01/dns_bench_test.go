// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package dns01

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/acme-exporter/acme_exporter/internal/scrapetest"
	"github.com/acme-exporter/acme_exporter/internal/testbed"
	"github.com/acme-exporter/acme_exporter/internal/testcerts"
	"github.com/acme-exporter/acme_exporter/scrape"
)

// BenchmarkDNS200Domains checks 200 DNS-01 domains, each in its own zone
// served by a Knot primary (127.0.0.2) and a Knot secondary (127.0.0.3),
// with the parent zone test. on the primary: one op is one full scrape
// with a cold cache (zone, NS, delegation, every server's SOA and TXT).
// Numbers: docs/benchmarks-dns.md.
func BenchmarkDNS200Domains(b *testing.B) {
	const n = 200
	var parent strings.Builder
	parent.WriteString("$ORIGIN test.\n$TTL 60\n@ SOA ns.test. h.test. 1 3600 600 86400 60\n@ NS ns.test.\nns A 127.0.0.2\n")
	var primary, secondary []testbed.KnotZone
	for i := 0; i < n; i++ {
		z := fmt.Sprintf("d%03d.test.", i)
		fmt.Fprintf(&parent, "d%03d NS ns1.example.test.\nd%03d NS ns2.example.test.\n", i, i)
		primary = append(primary, testbed.KnotZone{Name: z, Text: fmt.Sprintf(`$ORIGIN %s
$TTL 60
@ SOA ns1.example.test. hostmaster 1 3600 600 86400 60
@ NS ns1.example.test.
@ NS ns2.example.test.
_acme-challenge TXT "token-%03d"
`, z, i)})
	}
	primary = append(primary, testbed.KnotZone{Name: "test.", Text: parent.String()})
	p := testbed.StartKnot(b, "127.0.0.2", primary)
	for i := 0; i < n; i++ {
		secondary = append(secondary, testbed.KnotZone{Name: fmt.Sprintf("d%03d.test.", i), Primary: p.Addr})
	}
	s := testbed.StartKnot(b, "127.0.0.3", secondary)
	deadline := time.Now().Add(30 * time.Second)
	for strings.Count(s.Control(b, "zone-status"), "serial: 1") < n {
		if time.Now().After(deadline) {
			b.Fatalf("secondary did not transfer all zones:\n%s", s.Control(b, "zone-status"))
		}
		time.Sleep(100 * time.Millisecond)
	}
	var yml strings.Builder
	fmt.Fprintf(&yml, "global:\n  scrape_timeout: 60s\ndns01_defaults:\n  resolver: %s\ndns01:\n", p.Addr)
	for i := 0; i < n; i++ {
		fmt.Fprintf(&yml, "  - domain: d%03d.test\n    nameservers:\n      ns.test: %s\n      ns1.example.test: %s\n      ns2.example.test: %s\n",
			i, p.Addr, p.Addr, s.Addr)
	}
	env := scrapetest.Env(b, yml.String(), testcerts.Epoch, nil)
	b.ResetTimer()
	for b.Loop() {
		c := newDNSCollector(env.Logger)
		h := scrapetest.NewHarness(env, map[string]scrape.Collector{dnsCheck: c})
		h.Sched = scrape.NewScheduler(env.Config.Global.Concurrency, env.Now, env.Logger)
		reg := prometheus.NewRegistry()
		reg.MustRegister(h)
		mfs, err := reg.Gather()
		if err != nil {
			b.Fatal(err)
		}
		up := 0
		for _, mf := range mfs {
			if mf.GetName() == "acme_dns_nameserver_up" {
				for _, m := range mf.GetMetric() {
					up += int(m.GetGauge().GetValue())
				}
			}
		}
		if up != 2*n {
			b.Fatalf("%d nameservers up, want %d", up, 2*n)
		}
	}
}
