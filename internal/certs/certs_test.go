// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package certs

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/acme-exporter/acme_exporter/internal/failure"
	"github.com/acme-exporter/acme_exporter/internal/testcerts"
)

func TestParseBundleReasons(t *testing.T) {
	ch := testcerts.NewChain(t, "Test")
	leaf := ch.Leaf(t, testcerts.Options{})
	cases := []struct {
		name   string
		data   []byte
		certs  int
		hasKey bool
		reason string
	}{
		{"fullchain", ch.FullChain(leaf), 2, false, ""},
		{"key and chain", append(leaf.KeyPEM(), ch.FullChain(leaf)...), 2, true, ""},
		{"der", leaf.Cert.Raw, 1, false, ""},
		{"der chain", append(append([]byte{}, leaf.Cert.Raw...), ch.Intermediate.Cert.Raw...), 2, false, ""},
		{"empty", nil, 0, false, ReasonNoCertificate},
		{"whitespace", []byte("\n \n"), 0, false, ReasonNoCertificate},
		{"text", []byte("hello"), 0, false, ReasonNoCertificate},
		{"key only", leaf.KeyPEM(), 0, false, ReasonNoCertificate},
		{"bad pem body", []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), 0, false, ReasonParseError},
		{"truncated der", leaf.Cert.Raw[:50], 0, false, ReasonParseError},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, err := ParseBundle(c.data)
			if c.reason != "" {
				var ce *failure.Error
				if !errors.As(err, &ce) || ce.Reason != c.reason {
					t.Fatalf("err %v, want reason %s", err, c.reason)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(b.Certs) != c.certs || b.HasKey != c.hasKey {
				t.Fatalf("certs %d hasKey %v", len(b.Certs), b.HasKey)
			}
		})
	}
}

// Errors about keys never carry key bytes.
func TestKeyErrorsHoldNoKeyMaterial(t *testing.T) {
	ch := testcerts.NewChain(t, "Test")
	leaf := ch.Leaf(t, testcerts.Options{})
	k := leaf.KeyPEM()
	broken := bytes.Replace(k, []byte("PRIVATE KEY-----\n"), []byte("PRIVATE KEY-----\nAAAA"), 1)
	_, err := ParseKey(broken)
	if err == nil {
		t.Fatal("broken key parsed")
	}
	body := bytes.Split(k, []byte("\n"))[1]
	if bytes.Contains([]byte(err.Error()), body[:16]) {
		t.Fatalf("error leaks key material: %v", err)
	}
	spki, err := ParseKey(k)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := PublicKeyHash(leaf.Cert.PublicKey)
	if !bytes.Equal(spki, want) {
		t.Fatal("key hash differs from certificate's public key hash")
	}
}

func TestVerifyChainIgnoresExpiry(t *testing.T) {
	ch := testcerts.NewChain(t, "Test")
	leaf := ch.Leaf(t, testcerts.Options{})
	b, _ := ParseBundle(ch.FullChain(leaf))
	for _, at := range []time.Time{testcerts.Epoch, testcerts.Epoch.AddDate(5, 0, 0), testcerts.Epoch.AddDate(-1, 0, 0)} {
		if v := VerifyChain(b.Certs, ch.Pool(), at); !v.Complete {
			t.Errorf("at %v: %v", at, v.Err)
		}
	}
	if v := VerifyChain(b.Certs[:1], ch.Pool(), testcerts.Epoch); v.Complete {
		t.Error("leaf alone verified without its intermediate")
	}
}

func TestNamesLabelBounded(t *testing.T) {
	if got := NamesLabel([]string{"a.test", "b.test"}); got != "a.test,b.test" {
		t.Errorf("short list: %q", got)
	}
	long := make([]string, 50)
	for i := range long {
		long[i] = "name-long-enough-to-matter.example.test"
	}
	if got := NamesLabel(long); len(got) > 40 {
		t.Errorf("long list label %q is not bounded", got)
	}
}

func FuzzParseBundle(f *testing.F) {
	ch := testcerts.NewChain(f, "Fuzz")
	leaf := ch.Leaf(f, testcerts.Options{})
	f.Add(ch.FullChain(leaf))
	f.Add(leaf.Cert.Raw)
	f.Add(append(leaf.KeyPEM(), leaf.PEM()...))
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		b, err := ParseBundle(data)
		if err == nil {
			if len(b.Certs) == 0 {
				t.Fatal("no error and no certificate")
			}
			_ = Summarize(b.Certs)
			_ = VerifyChain(b.Certs, ch.Pool(), testcerts.Epoch)
		}
		_, _ = ParseKey(data)
	})
}
