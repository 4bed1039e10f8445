// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

// Package guard keeps /probe from being an open proxy: it checks target
// names against a module's patterns and every address actually dialled
// (after DNS, on every redirect hop) against its CIDR lists, inside the
// dialer, so DNS rebinding cannot slip past a check made earlier.
package guard

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"path"
	"strings"
	"syscall"

	"github.com/acme-exporter/acme_exporter/config"
)

// Policy is what a module accepts. A nil *Policy accepts everything: checks
// from the operator's own config file are trusted.
type Policy struct {
	Names []string
	Allow []netip.Prefix
	Deny  []netip.Prefix
}

// ErrRefused marks a refusal by the policy.
var ErrRefused = errors.New("refused by module policy")

// Sensitive ranges refused unless an allow_cidrs entry covers them: the
// host itself and cloud metadata endpoints.
var sensitive = []netip.Prefix{
	netip.MustParsePrefix("127.0.0.0/8"),
	netip.MustParsePrefix("::1/128"),
	netip.MustParsePrefix("169.254.0.0/16"),
	netip.MustParsePrefix("fe80::/10"),
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("::/128"),
	netip.MustParsePrefix("fd00:ec2::254/128"),
	// NAT64 for local use (RFC 8215): where its IPv4 side leads is the
	// site's own choice, so nothing can be said of the embedded address.
	netip.MustParsePrefix("64:ff9b:1::/48"),
}

// FromModule builds the policy of a validated module.
func FromModule(m *config.Module) *Policy {
	p := &Policy{Names: m.Names}
	for _, s := range m.AllowCIDRs {
		p.Allow = append(p.Allow, netip.MustParsePrefix(s).Masked())
	}
	for _, s := range m.DenyCIDRs {
		p.Deny = append(p.Deny, netip.MustParsePrefix(s).Masked())
	}
	return p
}

// CheckName accepts host (a DNS name or an IP literal) when it matches a
// name pattern, or, for IP literals, when the address is allowed.
func (p *Policy) CheckName(host string) error {
	if p == nil {
		return nil
	}
	h := strings.TrimSuffix(strings.ToLower(host), ".")
	if ip, err := netip.ParseAddr(strings.Trim(h, "[]")); err == nil {
		if len(p.Allow) > 0 {
			return p.CheckAddr(ip)
		}
	}
	for _, pat := range p.Names {
		if ok, _ := path.Match(strings.ToLower(pat), h); ok {
			return nil
		}
	}
	return fmt.Errorf("%w: %q matches none of the module's names", ErrRefused, host)
}

// CheckAddr accepts ip unless denied; with allow_cidrs it must be inside
// one; without, the sensitive ranges are refused. A zone ("%eth0") is
// dropped before checking: prefixes never contain a zoned address, so a
// zoned link-local address would otherwise pass. An IPv4 address carried
// inside an IPv6 one (mapped, compatible, translated, NAT64, 6to4, Teredo)
// is checked too: the packet may well reach it.
func (p *Policy) CheckAddr(ip netip.Addr) error {
	if p == nil {
		return nil
	}
	ip = ip.WithZone("").Unmap()
	if err := p.checkOne(ip); err != nil {
		return err
	}
	for _, v4 := range Embedded(ip) {
		if err := p.checkEmbedded(v4); err != nil {
			return fmt.Errorf("%w (inside %s)", err, ip)
		}
	}
	return nil
}

func (p *Policy) checkOne(ip netip.Addr) error {
	for _, d := range p.Deny {
		if d.Contains(ip) {
			return fmt.Errorf("%w: address %s is in deny_cidrs %s", ErrRefused, ip, d)
		}
	}
	if len(p.Allow) > 0 {
		for _, a := range p.Allow {
			if a.Contains(ip) {
				return nil
			}
		}
		return fmt.Errorf("%w: address %s is outside allow_cidrs", ErrRefused, ip)
	}
	return p.checkSensitive(ip)
}

// checkEmbedded refuses an embedded IPv4 address that is denied, or
// sensitive and not explicitly allowed; it need not be inside allow_cidrs
// itself (allowing 64:ff9b::/96 allows the IPv4 Internet behind NAT64).
func (p *Policy) checkEmbedded(v4 netip.Addr) error {
	for _, d := range p.Deny {
		if d.Contains(v4) {
			return fmt.Errorf("%w: address %s is in deny_cidrs %s", ErrRefused, v4, d)
		}
	}
	for _, a := range p.Allow {
		if a.Contains(v4) {
			return nil
		}
	}
	return p.checkSensitive(v4)
}

func (p *Policy) checkSensitive(ip netip.Addr) error {
	for _, s := range sensitive {
		if s.Contains(ip) {
			return fmt.Errorf("%w: address %s is in %s, refused unless allow_cidrs covers it", ErrRefused, ip, s)
		}
	}
	return nil
}

var (
	compat     = netip.MustParsePrefix("::/96")
	translated = netip.MustParsePrefix("::ffff:0:0:0/96")
	nat64      = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour  = netip.MustParsePrefix("2002::/16")
	teredo     = netip.MustParsePrefix("2001::/32")
)

// Embedded returns the IPv4 addresses an IPv6 address carries: the last 32
// bits of an IPv4-compatible (::a.b.c.d), IPv4-translated
// (::ffff:0:a.b.c.d) or NAT64 (64:ff9b::a.b.c.d) address, bits 16-47 of a
// 6to4 address (2002:aabb:ccdd::), and a Teredo address's server and
// (inverted) client address. IPv4-mapped addresses are unmapped by the
// caller.
func Embedded(ip netip.Addr) []netip.Addr {
	if !ip.Is6() {
		return nil
	}
	b := ip.As16()
	last := netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]})
	var out []netip.Addr
	switch {
	case compat.Contains(ip) && b[12] == 0:
		// ::, ::1 and the rest of ::/104 are not IPv4-compatible
		// addresses (no IPv4 address starts with 0); the address itself
		// was checked.
	case compat.Contains(ip), translated.Contains(ip), nat64.Contains(ip):
		out = append(out, last)
	case sixToFour.Contains(ip):
		out = append(out, netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]}))
	case teredo.Contains(ip):
		out = append(out, netip.AddrFrom4([4]byte{b[4], b[5], b[6], b[7]}),
			netip.AddrFrom4([4]byte{^b[12], ^b[13], ^b[14], ^b[15]}))
	}
	return out
}

// Control is a net.Dialer Control function enforcing CheckAddr on the
// address about to be connected.
func (p *Policy) Control(_, address string, _ syscall.RawConn) error {
	if p == nil {
		return nil
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: cannot parse dialled address %q", ErrRefused, address)
	}
	return p.CheckAddr(ap.Addr())
}

// Dialer returns a copy of base whose connections obey the policy.
func (p *Policy) Dialer(base net.Dialer) *net.Dialer {
	d := base
	if p != nil {
		prev := base.Control
		d.Control = func(network, address string, c syscall.RawConn) error {
			if err := p.Control(network, address, c); err != nil {
				return err
			}
			if prev != nil {
				return prev(network, address, c)
			}
			return nil
		}
	}
	return &d
}

// Resolver looks up a host's addresses (net.DefaultResolver or a resolver
// pointed at a configured server).
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// CheckHost checks host against the name patterns and, after resolving it,
// every address against the CIDR lists, so /probe can answer 400 before
// dialling. The dialer checks again at connect time (DNS rebinding).
func (p *Policy) CheckHost(ctx context.Context, r Resolver, host string) error {
	if p == nil {
		return nil
	}
	if err := p.CheckName(host); err != nil {
		return err
	}
	if ip, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		return p.CheckAddr(ip)
	}
	addrs, err := r.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return fmt.Errorf("%w: cannot resolve %q: %w", ErrRefused, host, err)
	}
	for _, a := range addrs {
		if err := p.CheckAddr(a); err != nil {
			return fmt.Errorf("%q resolves to a refused address: %w", host, err)
		}
	}
	return nil
}
