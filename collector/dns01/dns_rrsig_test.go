// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package dns01

import (
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/acme-exporter/acme_exporter/internal/dnsclient"
)

func TestRRSIGTime(t *testing.T) {
	inc := time.Date(2106, 1, 1, 0, 0, 0, 0, time.UTC) // past 2^32 seconds
	exp := inc.Add(14 * 24 * time.Hour)
	if got := rrsigTime(uint32(exp.Unix()), uint32(inc.Unix())); !got.Equal(exp) && got.Unix()%(1<<32) != exp.Unix()%(1<<32) {
		t.Fatalf("got %v, want %v", got, exp)
	}
	inc = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	exp = inc.Add(time.Hour)
	if got := rrsigTime(uint32(exp.Unix()), uint32(inc.Unix())); !got.Equal(exp) {
		t.Fatalf("got %v, want %v", got, exp)
	}
	if !serialBehind(1, 2) || serialBehind(2, 1) || !serialBehind(0xffffffff, 1) || serialBehind(5, 5) {
		t.Fatal("RFC 1982 comparison wrong")
	}
}

// FuzzParseAnswer feeds arbitrary bytes to the answer handling: parse,
// ID and question checks, and the record extraction the checks do.
func FuzzParseAnswer(f *testing.F) {
	q := new(dns.Msg)
	q.SetQuestion("_acme-challenge.example.test.", dns.TypeTXT)
	q.Id = 4242
	ok := txtAnswer(q, 2)
	ok.Ns = append(ok.Ns, &dns.NS{Hdr: dns.RR_Header{Name: "example.test.", Rrtype: dns.TypeNS, Class: dns.ClassINET}, Ns: "ns1.example.test."})
	ok.Answer = append(ok.Answer, &dns.RRSIG{Hdr: dns.RR_Header{Name: "_acme-challenge.example.test.", Rrtype: dns.TypeRRSIG, Class: dns.ClassINET},
		TypeCovered: dns.TypeTXT, Algorithm: dns.ECDSAP256SHA256, SignerName: "example.test.", Expiration: 2, Inception: 1, Signature: "AAAA"})
	b, _ := ok.Pack()
	f.Add(b)
	f.Add(b[:20])
	f.Add([]byte{})
	f.Add([]byte{0x10, 0x92, 0x81, 0x80, 0, 1, 0, 0xff, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > dnsclient.MaxMessage+1 {
			return
		}
		r, err := dnsclient.ParseAnswer(data, q)
		if err != nil {
			return
		}
		_ = dnsclient.CheckAnswerSize(r)
		_ = dnsclient.RcodeError(r)
		_, _ = txtValues(r.Answer, "_acme-challenge.example.test.")
		_ = minRRSIGExpiry(r.Answer, time.Time{})
		_ = dnsclient.NSNames(r.Ns, "example.test.")
		for _, rr := range r.Answer {
			if c, ok := rr.(*dns.CAA); ok {
				_ = evaluateCAA([]*dns.CAA{c}, "letsencrypt.org", false, nil, "dns-01")
			}
		}
	})
}
