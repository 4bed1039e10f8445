// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package dnsclient

import (
	"context"
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/acme-exporter/acme_exporter/config"
	"github.com/acme-exporter/acme_exporter/internal/failure"
	"github.com/acme-exporter/acme_exporter/internal/guard"
)

// ctxResolver records the context a lookup was made with.
type ctxResolver struct{ err error }

func (r *ctxResolver) LookupNetIP(ctx context.Context, _, _ string) ([]netip.Addr, error) {
	r.err = ctx.Err()
	return nil, ctx.Err()
}

// The pre-check of a /probe name runs in the request's context: a client
// that went away stops the lookup.
func TestRefuseResolvedUsesRequestContext(t *testing.T) {
	r := &ctxResolver{}
	old := ProbeHostResolver
	ProbeHostResolver = r
	defer func() { ProbeHostResolver = old }()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := RefuseResolved(ctx, guard.FromModule(&config.Module{}), "www.example.test", "", time.Second); err != nil {
		t.Fatalf("a failed lookup must not refuse: %v", err)
	}
	if !errors.Is(r.err, context.Canceled) {
		t.Fatalf("lookup context error %v, want the request's cancellation", r.err)
	}
}

// fixedResolver answers every name with its addresses.
type fixedResolver []netip.Addr

func (r fixedResolver) LookupNetIP(context.Context, string, string) ([]netip.Addr, error) {
	return r, nil
}

// GuardProbeHost refuses a name the module does not list and a name that
// resolves to a refused address, each as a refusal saying why; a listed
// name resolving to an allowed address passes.
func TestGuardProbeHost(t *testing.T) {
	old := ProbeHostResolver
	defer func() { ProbeHostResolver = old }()
	pol := guard.FromModule(&config.Module{Names: []string{"*.example.test"}, AllowCIDRs: []string{"192.0.2.0/24"}})
	for _, tc := range []struct {
		host string
		addr string
		want string // "" passes; else the refusal's text
	}{
		{"www.example.test", "192.0.2.7", ""},
		{"www.other.test", "192.0.2.7", `refused by module policy: "www.other.test" matches none of the module's names`},
		{"www.example.test", "198.51.100.1", `"www.example.test" resolves to a refused address: refused by module policy: address 198.51.100.1 is outside allow_cidrs`},
	} {
		ProbeHostResolver = fixedResolver{netip.MustParseAddr(tc.addr)}
		err := GuardProbeHost(context.Background(), pol, tc.host, "", time.Second)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: refused: %v", tc.host, err)
		case tc.want != "" && (!failure.IsRefused(err) || failure.Detail(err) != tc.want):
			t.Errorf("%s: got %v, want the refusal %q", tc.host, err, tc.want)
		}
	}
}
