// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package guard

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"testing"

	"github.com/acme-exporter/acme_exporter/config"
)

func TestPolicy(t *testing.T) {
	names := FromModule(&config.Module{Names: []string{"*.example.test"}})
	cidrs := FromModule(&config.Module{AllowCIDRs: []string{"127.0.0.0/8"}, DenyCIDRs: []string{"127.0.0.9/32"}})
	cases := []struct {
		name string
		p    *Policy
		host string
		addr string
		ok   bool
	}{
		{"name matches, public address", names, "www.example.test", "192.0.2.10", true},
		{"name does not match", names, "www.other.test", "", false},
		{"name matches, resolves to loopback", names, "www.example.test", "127.0.0.1", false},
		{"name matches, resolves to metadata", names, "www.example.test", "169.254.169.254", false},
		{"name matches, v4-mapped loopback", names, "www.example.test", "::ffff:127.0.0.1", false},
		{"ip literal allowed", cidrs, "127.0.0.2", "127.0.0.2", true},
		{"ip literal outside allow", cidrs, "10.0.0.1", "", false},
		{"denied inside allow", cidrs, "127.0.0.9", "", false},
		{"nil policy accepts", nil, "anything", "169.254.169.254", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.p.CheckName(c.host)
			if err == nil && c.addr != "" {
				err = c.p.CheckAddr(netip.MustParseAddr(c.addr))
			}
			if (err == nil) != c.ok {
				t.Fatalf("got err=%v, want ok=%v", err, c.ok)
			}
			if err != nil && !errors.Is(err, ErrRefused) {
				t.Fatalf("error %v is not ErrRefused", err)
			}
		})
	}
}

// The dialer refuses at connect time, whatever the name resolved to.
func TestDialerRefusesDeniedAddress(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	p := FromModule(&config.Module{Names: []string{"*"}})
	_, err = p.Dialer(net.Dialer{}).DialContext(context.Background(), "tcp", l.Addr().String())
	if !errors.Is(err, ErrRefused) {
		t.Fatalf("dial to loopback: got %v, want refusal", err)
	}
	allow := FromModule(&config.Module{AllowCIDRs: []string{"127.0.0.1/32"}})
	c, err := allow.Dialer(net.Dialer{}).DialContext(context.Background(), "tcp", l.Addr().String())
	if err != nil {
		t.Fatalf("allowed dial failed: %v", err)
	}
	c.Close()
}
