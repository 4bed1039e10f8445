// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package testbed

import (
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// FakeDNS is an in-process DNS server on loopback (miekg/dns), a fake named
// as one: it answers A and AAAA from a fixed table and NXDOMAIN otherwise.
// Checks point their resolver setting at it, so no test name ever reaches
// the host's resolver.
type FakeDNS struct {
	Addr    string // ip:port of the UDP listener
	mu      sync.Mutex
	records map[string][]netip.Addr
	rebind  map[string]*rebinding
}

// rebinding answers a name from the table for its first queries, then
// with other addresses: DNS rebinding as an attacker's server does it.
type rebinding struct {
	left  int
	later []netip.Addr
}

// Rebind makes name answer from the table for its next n queries (A and
// AAAA each count) and with later after that.
func (z *FakeDNS) Rebind(name string, n int, later ...string) {
	r := &rebinding{left: n}
	for _, ip := range later {
		r.later = append(r.later, netip.MustParseAddr(ip))
	}
	z.mu.Lock()
	defer z.mu.Unlock()
	if z.rebind == nil {
		z.rebind = map[string]*rebinding{}
	}
	z.rebind[dns.Fqdn(strings.ToLower(name))] = r
}

// StartFakeDNS serves records (name → addresses) until the test ends.
func StartFakeDNS(t testing.TB, records map[string][]string) *FakeDNS {
	t.Helper()
	z := &FakeDNS{records: map[string][]netip.Addr{}}
	for name, ips := range records {
		for _, ip := range ips {
			z.records[dns.Fqdn(strings.ToLower(name))] = append(z.records[dns.Fqdn(strings.ToLower(name))], netip.MustParseAddr(ip))
		}
	}
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	z.Addr = pc.LocalAddr().String()
	srv := &dns.Server{PacketConn: pc, Handler: z}
	var once sync.Once
	started := make(chan struct{})
	srv.NotifyStartedFunc = func() { once.Do(func() { close(started) }) }
	go func() { _ = srv.ActivateAndServe() }()
	<-started
	t.Cleanup(func() { _ = srv.Shutdown() })
	return z
}

// ServeDNS implements dns.Handler.
func (z *FakeDNS) ServeDNS(w dns.ResponseWriter, r *dns.Msg) {
	m := new(dns.Msg)
	m.SetReply(r)
	m.Authoritative = true
	q := r.Question[0]
	z.mu.Lock()
	ips, ok := z.records[strings.ToLower(q.Name)]
	if r := z.rebind[strings.ToLower(q.Name)]; r != nil {
		if r.left > 0 {
			r.left--
		} else {
			ips, ok = r.later, true
		}
	}
	z.mu.Unlock()
	if !ok {
		m.Rcode = dns.RcodeNameError
	}
	for _, ip := range ips {
		hdr := dns.RR_Header{Name: q.Name, Class: dns.ClassINET, Ttl: 60}
		switch {
		case q.Qtype == dns.TypeA && ip.Is4():
			hdr.Rrtype = dns.TypeA
			m.Answer = append(m.Answer, &dns.A{Hdr: hdr, A: ip.AsSlice()})
		case q.Qtype == dns.TypeAAAA && ip.Is6():
			hdr.Rrtype = dns.TypeAAAA
			m.Answer = append(m.Answer, &dns.AAAA{Hdr: hdr, AAAA: ip.AsSlice()})
		}
	}
	_ = w.WriteMsg(m)
}

// StartStubResolver starts an in-process fake recursive resolver on
// loopback: it forwards each question to the server of the longest zone in
// routes (zone → ip:port) that contains it and returns that answer with RA
// set; other names are REFUSED. The bed runs no recursor, and checks must
// never ask the host's. It returns the resolver's ip:port.
func StartStubResolver(t testing.TB, routes map[string]string) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	up := &dns.Client{Timeout: 2 * time.Second}
	h := dns.HandlerFunc(func(w dns.ResponseWriter, q *dns.Msg) {
		best := ""
		for z := range routes {
			if len(q.Question) == 1 && dns.IsSubDomain(dns.CanonicalName(z), dns.CanonicalName(q.Question[0].Name)) && len(z) > len(best) {
				best = z
			}
		}
		if best == "" {
			r := new(dns.Msg)
			r.SetRcode(q, dns.RcodeRefused)
			_ = w.WriteMsg(r)
			return
		}
		r, _, err := up.Exchange(q, routes[best])
		if err != nil {
			r = new(dns.Msg)
			r.SetRcode(q, dns.RcodeServerFailure)
		}
		r.RecursionAvailable = true
		_ = w.WriteMsg(r)
	})
	srv := &dns.Server{PacketConn: pc, Handler: h}
	go func() { _ = srv.ActivateAndServe() }()
	t.Cleanup(func() { _ = srv.Shutdown() })
	return pc.LocalAddr().String()
}
