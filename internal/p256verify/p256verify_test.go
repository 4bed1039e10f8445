// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package p256verify

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"math/big"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	"golang.org/x/crypto/cryptobyte/asn1"
)

func encode(r, s *big.Int) []byte {
	var b cryptobyte.Builder
	b.AddASN1(asn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1BigInt(r)
		b.AddASN1BigInt(s)
	})
	return b.BytesOrPanic()
}

// Every answer is the standard library's, for valid signatures and for
// every way of spoiling one.
func TestVerifyLikeStandardLibrary(t *testing.T) {
	n := order
	for i := range 40 {
		priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		k, err := New(&priv.PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		msg := []byte{byte(i), 'm', 's', 'g'}
		d256 := sha256.Sum256(msg)
		d384 := sha512.Sum384(msg)
		for _, digest := range [][]byte{d256[:], d384[:], d256[:20]} {
			sig, err := ecdsa.SignASN1(rand.Reader, priv, digest)
			if err != nil {
				t.Fatal(err)
			}
			r, s, _ := parseSignature(sig)
			otherSig, _ := ecdsa.SignASN1(rand.Reader, other, digest)
			flipped := append([]byte(nil), sig...)
			flipped[len(flipped)-1] ^= 1
			wrongDigest := append([]byte(nil), digest...)
			wrongDigest[0] ^= 0x80
			cases := []struct {
				name   string
				digest []byte
				sig    []byte
			}{
				{"valid", digest, sig},
				{"high s", digest, encode(r, new(big.Int).Sub(n, s))},
				{"flipped bit", digest, flipped},
				{"other digest", wrongDigest, sig},
				{"other key", digest, otherSig},
				{"r = 0", digest, encode(big.NewInt(0), s)},
				{"s = 0", digest, encode(r, big.NewInt(0))},
				{"r = n", digest, encode(n, s)},
				{"s = n", digest, encode(r, n)},
				{"r + n", digest, encode(new(big.Int).Add(r, n), s)},
				{"negative r", digest, encode(new(big.Int).Neg(r), s)},
				{"trailing byte", digest, append(append([]byte(nil), sig...), 0)},
				{"truncated", digest, sig[:len(sig)-1]},
				{"empty", digest, nil},
			}
			for _, c := range cases {
				want := ecdsa.VerifyASN1(&priv.PublicKey, c.digest, c.sig)
				if got := k.Verify(c.digest, c.sig); got != want {
					t.Fatalf("key %d, %d-byte digest, %s: got %v, crypto/ecdsa says %v", i, len(digest), c.name, got, want)
				}
				if c.name == "valid" && !want {
					t.Fatal("the valid signature does not verify")
				}
			}
		}
	}
}

// The table's scalar multiplication is the plain one, for scalars with
// every window empty, full or in between.
func TestMulLikeScalarMult(t *testing.T) {
	priv, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	k, err := New(&priv.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	scalar := func(set map[int]byte) []byte {
		s := make([]byte, 32)
		for i, v := range set {
			s[i] = v
		}
		return s
	}
	scalars := [][]byte{scalar(nil), scalar(map[int]byte{31: 1}), scalar(map[int]byte{0: 0xff, 31: 0xff}),
		scalar(map[int]byte{0: 0x10}), scalar(map[int]byte{15: 0xf0, 16: 0x0f})}
	all := make([]byte, 32)
	for i := range all {
		all[i] = 0xff
	}
	scalars = append(scalars, all)
	for range 20 {
		s := make([]byte, 32)
		_, _ = rand.Read(s)
		scalars = append(scalars, s)
	}
	for _, s := range scalars {
		x, y := elliptic.P256().ScalarMult(priv.X, priv.Y, s) //nolint:staticcheck // the reference
		got := k.mul(s)
		if got.IsInfinity() == 1 {
			if x.Sign() != 0 || y.Sign() != 0 {
				t.Fatalf("%x: infinity, want a point", s)
			}
			continue
		}
		want := elliptic.Marshal(elliptic.P256(), x, y) //nolint:staticcheck // the reference
		if string(got.Bytes()) != string(want) {
			t.Fatalf("%x: table multiplication differs", s)
		}
	}
}

func TestNewRefusesOtherCurves(t *testing.T) {
	priv, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if _, err := New(&priv.PublicKey); err == nil {
		t.Fatal("a P-384 key was accepted")
	}
}

// signed is a fresh key, its table, and a valid signature of a digest.
func signed(tb testing.TB) (*ecdsa.PrivateKey, *Key, []byte, []byte) {
	tb.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	k, err := New(&priv.PublicKey)
	if err != nil {
		tb.Fatal(err)
	}
	d := sha256.Sum256([]byte("seed"))
	sig, err := ecdsa.SignASN1(rand.Reader, priv, d[:])
	if err != nil {
		tb.Fatal(err)
	}
	return priv, k, d[:], sig
}

func FuzzVerify(f *testing.F) {
	priv, k, d, sig := signed(f)
	f.Add(d, sig)
	f.Fuzz(func(t *testing.T, digest, sig []byte) {
		if got, want := k.Verify(digest, sig), ecdsa.VerifyASN1(&priv.PublicKey, digest, sig); got != want {
			t.Fatalf("got %v, crypto/ecdsa says %v", got, want)
		}
	})
}

func BenchmarkVerify(b *testing.B) {
	priv, k, d, sig := signed(b)
	b.Run("table", func(b *testing.B) {
		for b.Loop() {
			if !k.Verify(d, sig) {
				b.Fatal("invalid")
			}
		}
	})
	b.Run("crypto-ecdsa", func(b *testing.B) {
		for b.Loop() {
			if !ecdsa.VerifyASN1(&priv.PublicKey, d, sig) {
				b.Fatal("invalid")
			}
		}
	})
	b.Run("new-key", func(b *testing.B) {
		for b.Loop() {
			_, _ = New(&priv.PublicKey)
		}
	})
}
