// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package testbed

import (
	"crypto/x509"
	"testing"
	"time"

	"github.com/acme-exporter/acme_exporter/internal/certs"
)

func TestPebbleIssuesVerifiableChain(t *testing.T) {
	p := StartPebble(t, 6*24*time.Hour)
	is := p.Issue(t, p.NewAccount(t), "inproc.example.test")
	if got := is.Chain[0].NotAfter.Sub(is.Chain[0].NotBefore).Round(time.Hour); got != 6*24*time.Hour {
		t.Errorf("lifetime %v, want 6 days", got)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(p.RootPEM(t)) {
		t.Fatal("no root")
	}
	if v := certs.VerifyChain(is.Chain, pool, time.Now()); !v.Complete {
		t.Fatalf("chain does not verify to Pebble's root: %v", v.Err)
	}
}
