// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package dnsclient

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"

	"github.com/miekg/dns"
)

// maxCNAMEHops bounds CNAME chains (resolvers use about 8 to 16).
const maxCNAMEHops = 8

// MaxNameservers bounds the nameserver addresses checked per zone, so a
// hostile delegation cannot make a check query hundreds of servers (and
// the nameserver label stays bounded).
const MaxNameservers = 16

// Resolver answers the recursive questions through one server.
type Resolver struct {
	Client *Client // RD=1 queries to the resolver
	Addr   string  // ip:port of the resolver
	Auth   *Client // RD=0 queries to authoritative servers (guarded)
	Port   int     // port of nameservers found by name
	// Explicit maps NS host names (canonical) to the ip:port to query.
	Explicit map[string]string
}

func (r *Resolver) Ask(ctx context.Context, name string, qtype uint16) (*dns.Msg, error) {
	m, _, err := r.Client.Exchange(ctx, r.Addr, Query{Name: name, Qtype: qtype, rd: true})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// FollowCNAME follows CNAMEs from name and returns the final name and the
// chain of names it went through (empty when name has no CNAME).
func (r *Resolver) FollowCNAME(ctx context.Context, name string) (string, []string, error) {
	cur := Canon(name)
	var chain []string
	for hop := 0; ; hop++ {
		m, err := r.Ask(ctx, cur, dns.TypeCNAME)
		if err != nil {
			return "", nil, err
		}
		if m.Rcode != dns.RcodeSuccess && m.Rcode != dns.RcodeNameError {
			return "", nil, RcodeError(m)
		}
		next := ""
		for _, rr := range m.Answer {
			if c, ok := rr.(*dns.CNAME); ok && Canon(c.Hdr.Name) == cur {
				next = Canon(c.Target)
			}
		}
		if next == "" {
			return cur, chain, nil
		}
		if hop >= maxCNAMEHops || slices.Contains(chain, next) || next == Canon(name) {
			return "", nil, Fail("cname_loop", "CNAME chain from %s is longer than %d or loops", name, maxCNAMEHops)
		}
		chain = append(chain, next)
		cur = next
	}
}

// FindZone returns the zone holding name: the owner of the SOA in the
// answer (name is an apex) or in the authority section.
func (r *Resolver) FindZone(ctx context.Context, name string) (string, error) {
	m, err := r.Ask(ctx, name, dns.TypeSOA)
	if err != nil {
		return "", err
	}
	if m.Rcode != dns.RcodeSuccess && m.Rcode != dns.RcodeNameError {
		return "", RcodeError(m)
	}
	for _, sec := range [][]dns.RR{m.Answer, m.Ns} {
		for _, rr := range sec {
			if soa, ok := rr.(*dns.SOA); ok && dns.IsSubDomain(Canon(soa.Hdr.Name), Canon(name)) {
				return Canon(soa.Hdr.Name), nil
			}
		}
	}
	return "", Fail("zone_not_found", "no SOA for %s or its parents", name)
}

// ZoneNS returns the NS set the zone publishes, through the resolver.
func (r *Resolver) ZoneNS(ctx context.Context, zone string) ([]string, error) {
	m, err := r.Ask(ctx, zone, dns.TypeNS)
	if err != nil {
		return nil, err
	}
	if err := RcodeError(m); err != nil {
		return nil, err
	}
	return NSNames(m.Answer, zone), nil
}

// NSNames collects NS targets owned by zone, sorted and de-duplicated.
func NSNames(rrs []dns.RR, zone string) []string {
	var out []string
	for _, rr := range rrs {
		if ns, ok := rr.(*dns.NS); ok && Canon(ns.Hdr.Name) == Canon(zone) {
			n := Canon(ns.Ns)
			if !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	slices.Sort(out)
	return out
}

// Addresses returns the ip:port addresses of a nameserver: the explicit
// one when configured, else its A and AAAA records through the resolver.
func (r *Resolver) Addresses(ctx context.Context, ns string) ([]string, error) {
	if a, ok := r.Explicit[Canon(ns)]; ok {
		return []string{a}, nil
	}
	var out []string
	var lastErr error
	for _, t := range []uint16{dns.TypeA, dns.TypeAAAA} {
		m, err := r.Ask(ctx, ns, t)
		if err != nil {
			lastErr = err
			continue
		}
		if m.Rcode != dns.RcodeSuccess {
			lastErr = RcodeError(m)
			continue
		}
		for _, rr := range m.Answer {
			switch a := rr.(type) {
			case *dns.A:
				out = append(out, net.JoinHostPort(a.A.String(), strconv.Itoa(r.Port)))
			case *dns.AAAA:
				out = append(out, net.JoinHostPort(a.AAAA.String(), strconv.Itoa(r.Port)))
			}
		}
	}
	if len(out) == 0 {
		if lastErr == nil {
			lastErr = Fail("no_address", "%s has no A or AAAA record", ns)
		}
		return nil, lastErr
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// Delegation returns the NS set the parent zone delegates zone to, asked
// of the parent's own servers with RD=0 (a referral's authority section,
// or the answer when the server also serves the child).
func (r *Resolver) Delegation(ctx context.Context, zone string) ([]string, error) {
	labels := dns.SplitDomainName(zone)
	if len(labels) < 2 {
		return nil, Fail("no_parent", "%s has no parent zone to ask", zone)
	}
	parent, err := r.FindZone(ctx, strings.Join(labels[1:], ".")+".")
	if err != nil {
		return nil, err
	}
	pns, err := r.ZoneNS(ctx, parent)
	if err != nil {
		return nil, err
	}
	lastErr := Fail("no_nameservers", "parent zone %s has no NS", parent)
	for _, ns := range pns {
		addrs, err := r.Addresses(ctx, ns)
		if err != nil {
			lastErr = err
			continue
		}
		for _, a := range addrs {
			m, _, err := r.Auth.Exchange(ctx, a, Query{Name: zone, Qtype: dns.TypeNS})
			if err != nil {
				lastErr = err
				continue
			}
			if err := RcodeError(m); err != nil {
				lastErr = err
				continue
			}
			if set := NSNames(m.Ns, zone); len(set) > 0 {
				return set, nil
			}
			if set := NSNames(m.Answer, zone); len(set) > 0 {
				return set, nil
			}
			lastErr = Fail("no_delegation", "%s at %s has no NS for %s", parent, a, zone)
		}
	}
	return nil, fmt.Errorf("parent delegation of %s: %w", zone, lastErr)
}
