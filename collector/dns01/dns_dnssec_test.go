// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package dns01

import (
	"crypto"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/acme-exporter/acme_exporter/internal/scrapetest"
	"github.com/acme-exporter/acme_exporter/internal/testbed"
	"github.com/acme-exporter/acme_exporter/internal/testcerts"
	"github.com/acme-exporter/acme_exporter/scrape"
)

const zoneSigned = `$ORIGIN signed.test.
$TTL 60
@   SOA ns hostmaster 1 3600 600 86400 60
@   NS  ns
ns  A   127.0.0.2
_acme-challenge TXT "token"
`

func signedConfig(k *testbed.Knot) string {
	return fmt.Sprintf(`
dns01:
  - domain: signed.test
    resolver: %[1]s
    nameservers:
      ns.signed.test: %[1]s
`, k.Addr)
}

// Knot signs the zone itself (automatic DNSSEC, ECDSA P-256) with a
// 3-hour RRSIG lifetime: the exported expiry is the signatures' real one.
func TestDNSKnotSignedZone(t *testing.T) {
	before := time.Now()
	k := testbed.StartKnot(t, "127.0.0.2", []testbed.KnotZone{
		{Name: "signed.test.", Text: zoneSigned, Sign: true, RRSIGLifetime: 3 * time.Hour},
	})
	env := scrapetest.Env(t, signedConfig(k), time.Now(), nil)
	h := scrapetest.NewHarness(env, map[string]scrape.Collector{dnsCheck: newDNSCollector(env.Logger)})
	ms := collectValues(t, h, "acme_dns_rrsig_expiry_timestamp_seconds")
	if len(ms) != 1 {
		t.Fatalf("want one expiry series, got %v\n%s", ms, k.Proc.Logs())
	}
	for _, v := range ms {
		exp := time.Unix(int64(v), 0)
		if exp.Before(before.Add(3*time.Hour-time.Minute)) || exp.After(time.Now().Add(3*time.Hour+time.Minute)) {
			t.Fatalf("expiry %v is not about 3h from now", exp)
		}
	}
}

// A zone pre-signed with signatures that expired a day before the test's
// clock (signed here with miekg/dns, served as is by Knot): the expiry
// timestamp is in the past, which a validating CA turns into SERVFAIL.
func TestDNSKnotExpiredSignatures(t *testing.T) {
	zone := presign(t, zoneSigned, "signed.test.", testcerts.Epoch.AddDate(0, 0, -30), testcerts.Epoch.AddDate(0, 0, -1))
	k := testbed.StartKnot(t, "127.0.0.2", []testbed.KnotZone{{Name: "signed.test.", Text: zone, NoSemanticChecks: true}})
	env := scrapetest.Env(t, signedConfig(k), testcerts.Epoch, nil)
	h := scrapetest.NewHarness(env, map[string]scrape.Collector{dnsCheck: newDNSCollector(env.Logger)})
	scrapetest.Compare(t, h, fmt.Sprintf(`
acme_dns_nameserver_up{nameserver="ns.signed.test@%[1]s",zone="signed.test"} 1
acme_dns_rrsig_expiry_timestamp_seconds{nameserver="ns.signed.test@%[1]s",zone="signed.test"} %[2]d
`, k.Addr, testcerts.Epoch.AddDate(0, 0, -1).Unix()), "acme_dns_nameserver_up", "acme_dns_rrsig_expiry_timestamp_seconds")
	if probs, err := testutil.CollectAndLint(h); err != nil || len(probs) > 0 {
		t.Fatalf("lint: %v %v", err, probs)
	}
}

// presign signs every RRset of a zone file with a fresh ECDSA key.
func presign(t *testing.T, text, origin string, inception, expiration time.Time) string {
	t.Helper()
	key := &dns.DNSKEY{Hdr: dns.RR_Header{Name: origin, Rrtype: dns.TypeDNSKEY, Class: dns.ClassINET, Ttl: 60},
		Flags: 257, Protocol: 3, Algorithm: dns.ECDSAP256SHA256}
	priv, err := key.Generate(256)
	if err != nil {
		t.Fatal(err)
	}
	var rrs []dns.RR
	zp := dns.NewZoneParser(strings.NewReader(text), origin, "")
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		rrs = append(rrs, rr)
	}
	if err := zp.Err(); err != nil {
		t.Fatal(err)
	}
	rrs = append(rrs, key)
	sets := map[string][]dns.RR{}
	var order []string
	for _, rr := range rrs {
		k := strings.ToLower(rr.Header().Name) + "/" + dns.TypeToString[rr.Header().Rrtype]
		if _, ok := sets[k]; !ok {
			order = append(order, k)
		}
		sets[k] = append(sets[k], rr)
	}
	var b strings.Builder
	for _, k := range order {
		set := sets[k]
		for _, rr := range set {
			b.WriteString(rr.String() + "\n")
		}
		sig := &dns.RRSIG{Hdr: dns.RR_Header{Name: set[0].Header().Name, Rrtype: dns.TypeRRSIG, Class: dns.ClassINET, Ttl: 60},
			TypeCovered: set[0].Header().Rrtype, Algorithm: dns.ECDSAP256SHA256, Labels: uint8(dns.CountLabel(set[0].Header().Name)),
			OrigTtl: 60, Expiration: uint32(expiration.Unix()), Inception: uint32(inception.Unix()),
			KeyTag: key.KeyTag(), SignerName: origin}
		if err := sig.Sign(priv.(crypto.Signer), set); err != nil {
			t.Fatal(err)
		}
		b.WriteString(sig.String() + "\n")
	}
	return b.String()
}

// collectValues gathers one metric family's samples by label string.
func collectValues(t *testing.T, c prometheus.Collector, name string) map[string]float64 {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	if err := reg.Register(c); err != nil {
		t.Fatal(err)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			out[fmt.Sprint(m.GetLabel())] = m.GetGauge().GetValue()
		}
	}
	return out
}
