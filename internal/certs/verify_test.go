// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package certs

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"testing"
	"time"

	"github.com/acme-exporter/acme_exporter/internal/testcerts"
)

// issue signs tmpl with parent's key (self-signed when parent is nil).
func issue(t *testing.T, tmpl *x509.Certificate, parent *testcerts.Cert) *testcerts.Cert {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pc, pk := tmpl, any(key)
	if parent != nil {
		pc, pk = parent.Cert, parent.Key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, pc, key.Public(), pk)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &testcerts.Cert{Cert: c, Key: key}
}

func caTmpl(serial int64, cn string, mod func(*x509.Certificate)) *x509.Certificate {
	c := &x509.Certificate{
		SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn},
		NotBefore: testcerts.Epoch.AddDate(-1, 0, 0), NotAfter: testcerts.Epoch.AddDate(3, 0, 0),
		IsCA: true, BasicConstraintsValid: true, MaxPathLen: -1,
		KeyUsage: x509.KeyUsageCertSign,
	}
	if mod != nil {
		mod(c)
	}
	return c
}

func leafTmpl(serial int64, name string) *x509.Certificate {
	return &x509.Certificate{
		SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: name}, DNSNames: []string{name},
		NotBefore: testcerts.Epoch.AddDate(0, 0, -30), NotAfter: testcerts.Epoch.AddDate(0, 0, 60),
		KeyUsage: x509.KeyUsageDigitalSignature,
	}
}

// The shortcut (issuer verified once, each leaf checked under it) gives
// the verdict x509's full verification gives, for chains that verify and
// for chains the shortcut must not let through.
func TestVerifyChainMatchesFullVerification(t *testing.T) {
	root := issue(t, caTmpl(1, "Root", nil), nil)
	pathZeroRoot := issue(t, caTmpl(2, "PathZero Root", func(c *x509.Certificate) { c.MaxPathLen, c.MaxPathLenZero = 0, true }), nil)
	constrainedRoot := issue(t, caTmpl(3, "Constrained Root", func(c *x509.Certificate) { c.PermittedDNSDomains = []string{"allowed.test"} }), nil)
	otherRoot := issue(t, caTmpl(4, "Other Root", nil), nil)
	inter := issue(t, caTmpl(10, "Inter", nil), root)
	underPathZero := issue(t, caTmpl(11, "Inter", nil), pathZeroRoot)
	underConstrained := issue(t, caTmpl(12, "Inter", nil), constrainedRoot)
	notCA := issue(t, caTmpl(13, "Inter", func(c *x509.Certificate) { c.IsCA = false }), root)
	expiredInter := issue(t, caTmpl(14, "Inter", func(c *x509.Certificate) { c.NotAfter = testcerts.Epoch.AddDate(0, 0, -1) }), root)
	impostor := issue(t, caTmpl(15, "Inter", nil), root) // same name, other key
	mid := issue(t, caTmpl(16, "Mid", nil), root)
	interUnderMid := issue(t, caTmpl(17, "Inter", nil), mid)

	pool := x509.NewCertPool()
	for _, r := range []*testcerts.Cert{root, pathZeroRoot, constrainedRoot} {
		pool.AddCert(r.Cert)
	}
	otherPool := x509.NewCertPool()
	otherPool.AddCert(otherRoot.Cert)

	type tc struct {
		name     string
		chain    []*x509.Certificate
		roots    *x509.CertPool
		complete bool
	}
	var cases []tc
	add := func(name string, issuer *testcerts.Cert, roots *x509.CertPool, complete bool, extra ...*x509.Certificate) {
		leaf := issue(t, leafTmpl(int64(100+len(cases)), "www.allowed.test"), issuer)
		cases = append(cases, tc{name, append([]*x509.Certificate{leaf.Cert, issuer.Cert}, extra...), roots, complete})
	}
	add("complete", inter, pool, true)
	add("root not trusted", inter, otherPool, false)
	add("root path length 0 above an intermediate", underPathZero, pool, false)
	add("issuer is no CA", notCA, pool, false)
	add("issuer expired before the leaf's moment", expiredInter, pool, false)
	add("two intermediates", interUnderMid, pool, true, mid.Cert)
	add("two intermediates, the upper one missing", interUnderMid, pool, false)
	{
		// Root name constraints allow the leaf's name and refuse another.
		ok := issue(t, leafTmpl(200, "www.allowed.test"), underConstrained)
		bad := issue(t, leafTmpl(201, "www.other.test"), underConstrained)
		cases = append(cases,
			tc{"constrained root, name inside", []*x509.Certificate{ok.Cert, underConstrained.Cert}, pool, true},
			tc{"constrained root, name outside", []*x509.Certificate{bad.Cert, underConstrained.Cert}, pool, false})
	}
	{
		// Signed by inter, bundled with another certificate of that name.
		leaf := issue(t, leafTmpl(300, "www.allowed.test"), inter)
		cases = append(cases, tc{"bundled issuer has the name but not the key", []*x509.Certificate{leaf.Cert, impostor.Cert}, pool, false})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// Twice: the second answer comes from the issuer cache.
			for i := range 2 {
				got := VerifyChain(c.chain, c.roots, testcerts.Epoch)
				want := verifyFull(c.chain, c.roots, verifyTime(c.chain[0], testcerts.Epoch))
				if got.Complete != c.complete || want.Complete != c.complete {
					t.Fatalf("round %d: complete %v (full verification: %v, %v), want %v", i, got.Complete, want.Complete, want.Err, c.complete)
				}
				if !got.ChainNotAfter.Equal(want.ChainNotAfter) {
					t.Fatalf("round %d: chain not after %v, full verification %v", i, got.ChainNotAfter, want.ChainNotAfter)
				}
				if c.complete && (got.Issuer == nil || string(got.Issuer.Raw) != string(c.chain[1].Raw)) {
					t.Fatalf("round %d: issuer %v", i, got.Issuer)
				}
			}
		})
	}
}

// Many leaves under one intermediate: the intermediate's path to the root
// is verified once, every leaf still is, and a new root pool (a reload)
// verifies the intermediate again.
func TestSharedIntermediateVerifiedOnce(t *testing.T) {
	ch := testcerts.NewChain(t, "Shared")
	pool := ch.Pool()
	before := issuerVerifications.Load()
	for i := range 50 {
		leaf := ch.Leaf(t, testcerts.Options{Serial: int64(2000 + i)})
		b, err := ParseBundle(ch.FullChain(leaf))
		if err != nil {
			t.Fatal(err)
		}
		if v := VerifyChain(b.Certs, pool, testcerts.Epoch.Add(time.Duration(i)*time.Hour)); !v.Complete {
			t.Fatalf("leaf %d: %v", i, v.Err)
		}
	}
	if n := issuerVerifications.Load() - before; n != 1 {
		t.Fatalf("intermediate verified %d times for 50 leaves, want 1", n)
	}
	// A leaf the intermediate did not sign fails although the
	// intermediate's path is cached.
	other := testcerts.NewChain(t, "Shared")
	forged := other.Leaf(t, testcerts.Options{})
	if v := VerifyChain([]*x509.Certificate{forged.Cert, ch.Intermediate.Cert}, pool, testcerts.Epoch); v.Complete {
		t.Fatal("leaf of another intermediate verified under the cached one")
	}
	leaf := ch.Leaf(t, testcerts.Options{Serial: 3000})
	if v := VerifyChain([]*x509.Certificate{leaf.Cert, ch.Intermediate.Cert}, ch.Pool(), testcerts.Epoch); !v.Complete {
		t.Fatal(v.Err)
	}
	if n := issuerVerifications.Load() - before; n != 2 {
		t.Fatalf("new root pool: intermediate verified %d times in all, want 2", n)
	}
}

// Past fastAfter leaves, an issuer's leaves are checked with the table of
// its key, with the verdicts x509's full verification gives: the valid
// leaves complete with the same chain expiry, a leaf signed by another key
// under the same issuer name not.
func TestTableVerificationMatchesFullVerification(t *testing.T) {
	ch := testcerts.NewChain(t, "Table")
	pool := ch.Pool()
	before := fastVerifications.Load()
	const n = fastAfter + 40
	for i := range n {
		leaf := ch.Leaf(t, testcerts.Options{Serial: int64(5000 + i), Lifetime: time.Duration(1+i%7) * 24 * time.Hour})
		certs := []*x509.Certificate{leaf.Cert, ch.Intermediate.Cert}
		at := testcerts.Epoch.Add(time.Duration(i) * time.Hour)
		got, want := VerifyChain(certs, pool, at), verifyFull(certs, pool, verifyTime(leaf.Cert, at))
		if !got.Complete || !want.Complete || !got.ChainNotAfter.Equal(want.ChainNotAfter) {
			t.Fatalf("leaf %d: %+v, full verification %+v", i, got, want)
		}
	}
	if fast := fastVerifications.Load() - before; fast < n-fastAfter {
		t.Fatalf("%d of %d leaves checked with the table, want at least %d", fast, n, n-fastAfter)
	}
	forged := testcerts.NewChain(t, "Table").Leaf(t, testcerts.Options{})
	certs := []*x509.Certificate{forged.Cert, ch.Intermediate.Cert}
	if v := VerifyChain(certs, pool, testcerts.Epoch); v.Complete {
		t.Fatal("a leaf signed by another key verified under the table")
	}
	if v := verifyFull(certs, pool, testcerts.Epoch); v.Complete {
		t.Fatal("x509 verified the forged leaf")
	}
}
