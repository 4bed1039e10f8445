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
