// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

// Package testcerts makes certificate chains for tests with fixed times and
// deterministic serials, so golden output never depends on today's date.
package testcerts

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Epoch is the fixed "now" of golden tests: 2026-01-15 12:00:00 UTC.
var Epoch = time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)

// Cert is a certificate with its key.
type Cert struct {
	Cert *x509.Certificate
	Key  crypto.Signer
}

// PEM encodes the certificate.
func (c *Cert) PEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Cert.Raw})
}

// KeyPEM encodes the private key as PKCS#8.
func (c *Cert) KeyPEM() []byte {
	der, err := x509.MarshalPKCS8PrivateKey(c.Key)
	if err != nil {
		panic(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// Options for a leaf.
type Options struct {
	DNSNames   []string
	NotBefore  time.Time     // default Epoch minus 30 days
	Lifetime   time.Duration // default 90 days
	Serial     int64         // default 1000
	RSA        bool          // RSA 2048 instead of ECDSA P-256
	MustStaple bool
	CRLURL     string
	Key        crypto.Signer // reuse a key (a renewal that kept its key)
}

// Chain is a root, an intermediate, and helpers to issue leaves.
type Chain struct {
	Root, Intermediate *Cert
}

// NewChain makes a root and an intermediate valid around Epoch.
func NewChain(t testing.TB, name string) *Chain {
	t.Helper()
	rootKey := ecKey(t)
	root := sign(t, &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: name + " Root"},
		NotBefore:             Epoch.AddDate(-5, 0, 0),
		NotAfter:              Epoch.AddDate(10, 0, 0),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		SubjectKeyId:          []byte{1, 1, 1, 1},
	}, nil, rootKey)
	interKey := ecKey(t)
	inter := sign(t, &x509.Certificate{
		SerialNumber:          big.NewInt(2),
		Subject:               pkix.Name{CommonName: name + " Intermediate"},
		NotBefore:             Epoch.AddDate(-1, 0, 0),
		NotAfter:              Epoch.AddDate(3, 0, 0),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		SubjectKeyId:          []byte{2, 2, 2, 2},
	}, root, interKey)
	return &Chain{Root: root, Intermediate: inter}
}

// Leaf issues a leaf from the intermediate.
func (c *Chain) Leaf(t testing.TB, o Options) *Cert {
	t.Helper()
	if o.NotBefore.IsZero() {
		o.NotBefore = Epoch.AddDate(0, 0, -30)
	}
	if o.Lifetime == 0 {
		o.Lifetime = 90 * 24 * time.Hour
	}
	if o.Serial == 0 {
		o.Serial = 1000
	}
	if len(o.DNSNames) == 0 {
		o.DNSNames = []string{"example.test"}
	}
	key := o.Key
	if key == nil {
		if o.RSA {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				t.Fatal(err)
			}
			key = k
		} else {
			key = ecKey(t)
		}
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(o.Serial),
		Subject:      pkix.Name{CommonName: o.DNSNames[0]},
		DNSNames:     o.DNSNames,
		NotBefore:    o.NotBefore,
		NotAfter:     o.NotBefore.Add(o.Lifetime - time.Second),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if o.CRLURL != "" {
		tmpl.CRLDistributionPoints = []string{o.CRLURL}
	}
	if o.MustStaple {
		v, _ := asn1.Marshal([]int{5})
		tmpl.ExtraExtensions = append(tmpl.ExtraExtensions, pkix.Extension{
			Id: asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 24}, Value: v,
		})
	}
	return sign(t, tmpl, c.Intermediate, key)
}

// Pool holds the root.
func (c *Chain) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(c.Root.Cert)
	return p
}

// FullChain is leaf + intermediate, as certbot's fullchain.pem.
func (c *Chain) FullChain(leaf *Cert) []byte {
	return append(leaf.PEM(), c.Intermediate.PEM()...)
}

func ecKey(t testing.TB) crypto.Signer {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func sign(t testing.TB, tmpl *x509.Certificate, parent *Cert, key crypto.Signer) *Cert {
	t.Helper()
	pc, pk := tmpl, key
	if parent != nil {
		pc, pk = parent.Cert, parent.Key
		tmpl.AuthorityKeyId = parent.Cert.SubjectKeyId
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, pc, key.Public(), pk)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &Cert{Cert: c, Key: key}
}

// Write writes data to dir/name (creating directories) with mode.
func Write(t testing.TB, dir, name string, data []byte, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, mode); err != nil {
		t.Fatal(err)
	}
	return p
}
