// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package dnsclient

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/acme-exporter/acme_exporter/internal/failure"
	"github.com/acme-exporter/acme_exporter/internal/guard"
)

// LookupHost returns the IPv6 then IPv4 addresses of host: the literal
// itself, the answers of resolver (ip:port) when set, else the host's
// resolver.
func LookupHost(ctx context.Context, host, resolver string) ([]netip.Addr, error) {
	if ip, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{ip.Unmap()}, nil
	}
	var ips []netip.Addr
	if resolver != "" {
		for _, qt := range []uint16{dns.TypeAAAA, dns.TypeA} {
			got, err := QueryAddrs(ctx, resolver, host, qt)
			if err != nil {
				return nil, err
			}
			ips = append(ips, got...)
		}
	} else {
		got, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		if err != nil {
			var de *net.DNSError
			if errors.As(err, &de) && de.IsNotFound {
				return nil, failure.New("dns_not_found", err)
			}
			if ctx.Err() != nil {
				return nil, failure.New("timeout", err)
			}
			return nil, failure.New("dns_error", err)
		}
		for _, ip := range got {
			ips = append(ips, ip.Unmap())
		}
	}
	slices.SortStableFunc(ips, func(a, b netip.Addr) int {
		if a.Is6() != b.Is6() {
			if a.Is6() {
				return -1
			}
			return 1
		}
		return a.Compare(b)
	})
	ips = slices.Compact(ips)
	if len(ips) == 0 {
		return nil, failure.New("no_address", fmt.Errorf("%s has no A or AAAA record", host))
	}
	return ips, nil
}

// maxCNAMEs bounds CNAME chasing against an authoritative resolver.
const maxCNAMEs = 8

// QueryAddrs asks resolver for qtype records of name, chasing CNAMEs the
// server did not follow itself. NXDOMAIN is an error; NODATA is empty.
func QueryAddrs(ctx context.Context, resolver, name string, qtype uint16) ([]netip.Addr, error) {
	qname := dns.Fqdn(name)
	cl := &Client{Timeout: 2 * time.Second, Dialer: &net.Dialer{}}
	for range maxCNAMEs {
		resp, _, err := cl.Exchange(ctx, resolver, Query{Name: qname, Qtype: qtype, rd: true})
		if err != nil {
			if ctx.Err() != nil || Reason(err) == "timeout" {
				return nil, failure.New("timeout", err)
			}
			return nil, failure.New("dns_error", err)
		}
		switch resp.Rcode {
		case dns.RcodeSuccess:
		case dns.RcodeNameError:
			return nil, failure.New("dns_not_found", fmt.Errorf("%s: NXDOMAIN from %s", name, resolver))
		default:
			return nil, failure.New("dns_error", fmt.Errorf("%s: %s from %s", name, dns.RcodeToString[resp.Rcode], resolver))
		}
		var out []netip.Addr
		cname := ""
		for _, rr := range resp.Answer {
			switch rr := rr.(type) {
			case *dns.A:
				if a, ok := netip.AddrFromSlice(rr.A.To4()); ok && qtype == dns.TypeA {
					out = append(out, a)
				}
			case *dns.AAAA:
				if a, ok := netip.AddrFromSlice(rr.AAAA.To16()); ok && qtype == dns.TypeAAAA {
					out = append(out, a)
				}
			case *dns.CNAME:
				cname = rr.Target
			}
		}
		if len(out) > 0 || cname == "" {
			return out, nil
		}
		qname = cname
	}
	return nil, failure.New("dns_error", fmt.Errorf("%s: more than %d CNAMEs", name, maxCNAMEs))
}

// ProbeHostResolver answers refuseResolved's lookups when a module names no
// resolver. Tests replace it so that no test name reaches the host's
// resolver.
var ProbeHostResolver guard.Resolver = net.DefaultResolver

// maxProbeLookup bounds the lookup refuseResolved makes before /probe runs.
const maxProbeLookup = 3 * time.Second

// GuardProbeHost is the /probe guard of a target that names host: the
// module's names must allow host (guard.Policy.CheckName), and no address
// it resolves to (RefuseResolved) may be one the module refuses. Either is
// a refusal (failure.TargetRefused) saying why, which /probe answers 400.
func GuardProbeHost(ctx context.Context, pol *guard.Policy, host, resolver string, timeout time.Duration) error {
	if err := pol.CheckName(host); err != nil {
		return failure.Refuse("%v", err)
	}
	if err := RefuseResolved(ctx, pol, host, resolver, timeout); err != nil {
		return failure.Refuse("%v", err)
	}
	return nil
}

// RefuseResolved resolves host (through resolver when set, within the
// request's context) so /probe can answer 400 when the name leads to an
// address the module refuses, as guard.CheckHost does. A failed lookup is not a refusal: the check runs
// and reports the DNS failure, and the dialer enforces the policy on
// whatever it connects to (DNS rebinding).
func RefuseResolved(ctx context.Context, pol *guard.Policy, host, resolver string, timeout time.Duration) error {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if ip, err := netip.ParseAddr(host); err == nil {
		return pol.CheckAddr(ip)
	}
	if timeout <= 0 || timeout > maxProbeLookup {
		timeout = maxProbeLookup
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var ips []netip.Addr
	var err error
	if resolver != "" {
		ips, err = LookupHost(ctx, host, resolver)
	} else {
		ips, err = ProbeHostResolver.LookupNetIP(ctx, "ip", host)
	}
	if err != nil {
		return nil
	}
	for _, ip := range ips {
		if err := pol.CheckAddr(ip); err != nil {
			return fmt.Errorf("%q resolves to a refused address: %w", host, err)
		}
	}
	return nil
}
