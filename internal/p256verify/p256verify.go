// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

// Package p256verify checks ECDSA P-256 signatures made by one key many
// times over. A host's certificates are signed by a handful of issuing
// keys: thousands of Let's Encrypt leaves share one intermediate. A
// verification computes u1·G + u2·Q; the generator's multiples are
// precomputed by the standard library, the issuer's are not, and u2·Q was
// two thirds of the cost. A Key holds Q's multiples for every 6-bit window
// of a scalar, made once, so u2·Q is at most 43 point additions instead of
// a full scalar multiplication: a verification costs about half.
//
// Only public data is handled (signatures, public keys, digests), so the
// table lookups need not be constant-time.
package p256verify

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"errors"
	"math/big"

	"filippo.io/nistec"
	"golang.org/x/crypto/cryptobyte"
	"golang.org/x/crypto/cryptobyte/asn1"
)

const (
	width   = 6                         // bits per window
	windows = (256 + width - 1) / width // 43
	entries = 1<<width - 1              // multiples per window (0 is skipped)
)

// Key is a P-256 public key with its table; safe for concurrent use.
type Key struct {
	// table[i][j] is (j+1)·2^(width·i)·Q.
	table [windows][entries]nistec.P256Point
}

// order is the order n of the P-256 group.
var order = elliptic.P256().Params().N

// New makes pub's table once: 2,709 point additions (about a
// millisecond) and 254 KiB. A host has a few issuing keys.
func New(pub *ecdsa.PublicKey) (*Key, error) {
	if pub.Curve != elliptic.P256() {
		return nil, errors.New("p256verify: not a P-256 key")
	}
	raw, err := pub.Bytes()
	if err != nil {
		return nil, err
	}
	q, err := nistec.NewP256Point().SetBytes(raw)
	if err != nil {
		return nil, err
	}
	k := &Key{}
	base := q
	for i := range windows {
		k.table[i][0].Set(base)
		for j := 1; j < entries; j++ {
			k.table[i][j].Add(&k.table[i][j-1], base)
		}
		base = nistec.NewP256Point().Add(&k.table[i][entries-1], base) // 2^width·base
	}
	return k, nil
}

// Verify reports whether sig, an ASN.1 DER ECDSA signature, is valid for
// digest under k, with the same answer as crypto/ecdsa.VerifyASN1. A digest
// longer than 256 bits is truncated to its leftmost 256, as ECDSA does.
func (k *Key) Verify(digest, sig []byte) bool {
	r, s, ok := parseSignature(sig)
	if !ok || r.Sign() <= 0 || s.Sign() <= 0 || r.Cmp(order) >= 0 || s.Cmp(order) >= 0 {
		return false
	}
	if len(digest) > 32 {
		digest = digest[:32]
	}
	e := new(big.Int).SetBytes(digest)
	w := new(big.Int).ModInverse(s, order)
	if w == nil {
		return false
	}
	u1 := new(big.Int).Mul(e, w)
	u1.Mod(u1, order)
	u2 := new(big.Int).Mul(r, w)
	u2.Mod(u2, order)
	var b1, b2 [32]byte
	p, err := nistec.NewP256Point().ScalarBaseMult(u1.FillBytes(b1[:]))
	if err != nil {
		return false
	}
	p.Add(p, k.mul(u2.FillBytes(b2[:])))
	if p.IsInfinity() == 1 {
		return false
	}
	x, err := p.BytesX()
	if err != nil {
		return false
	}
	v := new(big.Int).SetBytes(x)
	return v.Mod(v, order).Cmp(r) == 0
}

// mul returns scalar·Q (scalar big-endian, 32 bytes) from the table.
func (k *Key) mul(scalar []byte) *nistec.P256Point {
	acc := nistec.NewP256Point() // the point at infinity
	for i := range windows {
		if d := window(scalar, i); d != 0 {
			acc.Add(acc, &k.table[i][d-1])
		}
	}
	return acc
}

// window returns bits [width·i, width·i+width) of the big-endian scalar.
func window(scalar []byte, i int) uint {
	var d uint
	for b := width - 1; b >= 0; b-- {
		bit := width*i + b
		if bit >= 256 {
			continue
		}
		d = d<<1 | uint(scalar[31-bit/8]>>(bit%8)&1)
	}
	return d
}

// parseSignature reads SEQUENCE { r INTEGER, s INTEGER } with nothing after.
func parseSignature(sig []byte) (r, s *big.Int, ok bool) {
	var inner cryptobyte.String
	input := cryptobyte.String(sig)
	r, s = new(big.Int), new(big.Int)
	if !input.ReadASN1(&inner, asn1.SEQUENCE) || !input.Empty() ||
		!inner.ReadASN1Integer(r) || !inner.ReadASN1Integer(s) || !inner.Empty() {
		return nil, nil, false
	}
	return r, s, true
}
