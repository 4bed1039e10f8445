// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package guard

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"testing"

	"github.com/acme-exporter/acme_exporter/config"
)

// Every way of writing a refused address: zoned, and each IPv6 form that
// carries an IPv4 address. Checked the three ways the policy is asked (the
// name pre-check of an IP literal, the address check, the dialer's
// control function with the string the dialer passes).
func TestAddressForms(t *testing.T) {
	names := FromModule(&config.Module{Names: []string{"*"}})
	nat64 := FromModule(&config.Module{AllowCIDRs: []string{"64:ff9b::/96"}})
	deny := FromModule(&config.Module{Names: []string{"*"}, DenyCIDRs: []string{"10.0.0.0/8"}})
	cases := []struct {
		p    *Policy
		addr string
		ok   bool
	}{
		{names, "fe80::1%eth0", false},
		{names, "fe80::1%25lo", false}, // as written in a URL; ParseAddr keeps "25lo" as the zone
		{names, "::1%lo", false},
		{names, "fd00:ec2::254%eth0", false},
		{names, "2001:db8::1%eth0", true}, // a zone on a global address changes nothing
		{names, "::ffff:127.0.0.1", false},
		{names, "::ffff:169.254.169.254", false},
		{names, "::127.0.0.1", false},                // IPv4-compatible
		{names, "::169.254.169.254", false},          // IPv4-compatible
		{names, "::ffff:0:127.0.0.1", false},         // IPv4-translated
		{names, "64:ff9b::127.0.0.1", false},         // NAT64
		{names, "64:ff9b::a9fe:a9fe", false},         // NAT64, metadata in hex
		{names, "64:ff9b::192.0.2.1", true},          // NAT64 to a public address
		{names, "64:ff9b:1::1", false},               // local-use NAT64
		{names, "2002:7f00:1::1", false},             // 6to4 of 127.0.0.1
		{names, "2002:a9fe:a9fe::", false},           // 6to4 of 169.254.169.254
		{names, "2002:c000:201::1", true},            // 6to4 of 192.0.2.1
		{names, "2001:0:7f00:1::1", false},           // Teredo, server 127.0.0.1
		{names, "2001:0:c000:201::5601:56fe", false}, // Teredo, client 169.254.169.1 (inverted)
		{names, "2001:0:c000:201::3fff:fdfe", true},  // Teredo, client 192.0.2.1 (inverted)
		{names, "::", false},
		{names, "0.0.0.0", false},
		{names, "192.0.2.1", true},
		{nat64, "64:ff9b::192.0.2.1", true},
		{nat64, "64:ff9b::127.0.0.1", false}, // allowing NAT64 does not allow loopback behind it
		{nat64, "64:ff9b::7f00:1%eth0", false},
		{deny, "::ffff:10.1.2.3", false},
		{deny, "64:ff9b::10.1.2.3", false},
		{deny, "2002:a01:203::", false},
		{deny, "::10.1.2.3", false},
	}
	for _, c := range cases {
		t.Run(c.addr, func(t *testing.T) {
			ip, err := netip.ParseAddr(c.addr)
			if err != nil {
				t.Fatal(err)
			}
			check := func(how string, err error) {
				t.Helper()
				if (err == nil) != c.ok {
					t.Fatalf("%s: got %v, want ok=%v", how, err, c.ok)
				}
				if err != nil && !errors.Is(err, ErrRefused) {
					t.Fatalf("%s: %v is not ErrRefused", how, err)
				}
			}
			check("CheckAddr", c.p.CheckAddr(ip))
			check("CheckHost", c.p.CheckHost(t.Context(), nil, "["+c.addr+"]"))
			check("Control", c.p.Control("tcp", net.JoinHostPort(c.addr, "443"), nil))
		})
	}
}

// FuzzCheckAddr builds each IPv6 form around an IPv4 address and a zone
// chosen by the fuzzer and checks that the policy answers for the form as
// it answers for the IPv4 address, and that a zone never changes the
// answer.
func FuzzCheckAddr(f *testing.F) {
	f.Add([]byte{127, 0, 0, 1}, uint8(0), "eth0", []byte{})
	f.Add([]byte{169, 254, 169, 254}, uint8(3), "", []byte{1, 2})
	f.Add([]byte{192, 0, 2, 1}, uint8(5), "lo", []byte{0xfe, 0x80})
	f.Add([]byte{10, 0, 0, 1}, uint8(2), "25lo", []byte{})
	p := FromModule(&config.Module{Names: []string{"*"}, DenyCIDRs: []string{"10.0.0.0/8"}})
	f.Fuzz(func(t *testing.T, v4b []byte, form uint8, zone string, raw []byte) {
		if len(v4b) != 4 || strings.ContainsAny(zone, "%]/ \t\n") {
			return
		}
		v4 := netip.AddrFrom4([4]byte(v4b))
		var s string
		switch form % 6 {
		case 0:
			s = "::ffff:" + v4.String()
		case 1:
			s = "::" + v4.String()
		case 2:
			s = "::ffff:0:" + v4.String()
		case 3:
			s = "64:ff9b::" + v4.String()
		case 4:
			s = fmt.Sprintf("2002:%02x%02x:%02x%02x::1", v4b[0], v4b[1], v4b[2], v4b[3])
		case 5:
			s = fmt.Sprintf("2001:0:c000:201::%02x%02x:%02x%02x", ^v4b[0], ^v4b[1], ^v4b[2], ^v4b[3])
		}
		want := p.CheckAddr(v4)
		got := p.CheckAddr(netip.MustParseAddr(s))
		// ::0.x.y.z is ::, ::1 or another non-IPv4 address, judged as
		// itself.
		special := form%6 == 1 && v4b[0] == 0
		if !special && (got == nil) != (want == nil) {
			t.Fatalf("%s: got %v, but %s gives %v", s, got, v4, want)
		}
		if zone != "" {
			zs := s + "%" + zone
			if ip, err := netip.ParseAddr(zs); err == nil {
				if zg := p.CheckAddr(ip); (zg == nil) != (got == nil) {
					t.Fatalf("zone changes the answer: %s %v, %s %v", s, got, zs, zg)
				}
				if cg := p.Control("tcp", net.JoinHostPort(zs, "1"), nil); (cg == nil) != (got == nil) {
					t.Fatalf("Control(%s) = %v, CheckAddr = %v", zs, cg, got)
				}
			}
		}
		// Any 16 bytes: no panic, and the zone never changes the answer.
		if len(raw) == 16 {
			ip := netip.AddrFrom16([16]byte(raw))
			a := p.CheckAddr(ip)
			if b := p.CheckAddr(ip.WithZone("eth0")); (a == nil) != (b == nil) {
				t.Fatalf("zone changes the answer for %s: %v vs %v", ip, a, b)
			}
		}
	})
}
