// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

// Package certs parses certificate files (PEM bundles, key+chain files, DER)
// and private keys, and derives the values the collectors export. It never
// returns or logs private key material: a key is reduced to the SHA-256 of
// its public key at once.
package certs

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
	"unique"

	"github.com/acme-exporter/acme_exporter/internal/failure"
	"github.com/acme-exporter/acme_exporter/inventory"
)

// Reasons a file yields no certificate. They are metric label values.
const (
	ReasonNoCertificate = "no_certificate"
	ReasonParseError    = "parse_error"
)

// Bundle is the content of one certificate file.
type Bundle struct {
	Certs []*x509.Certificate // in file order; the first is the leaf
	// HasKey: the file also holds a private key (autocert's format).
	HasKey bool
	// KeySPKI is the SHA-256 of the public key of that private key.
	KeySPKI []byte
}

// ParseBundle reads PEM (any mix of CERTIFICATE and private key blocks) or
// DER (one or more concatenated certificates).
func ParseBundle(data []byte) (*Bundle, error) {
	b := &Bundle{}
	rest := data
	sawPEM := false
	for {
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		if blk == nil {
			break
		}
		sawPEM = true
		switch {
		case blk.Type == "CERTIFICATE":
			c, err := x509.ParseCertificate(blk.Bytes)
			if err != nil {
				return nil, failure.New(ReasonParseError, fmt.Errorf("certificate %d: %w", len(b.Certs)+1, err))
			}
			b.Certs = append(b.Certs, c)
		case strings.HasSuffix(blk.Type, "PRIVATE KEY"):
			spki, err := keySPKI(blk)
			if err != nil {
				return nil, failure.New(ReasonParseError, err)
			}
			b.HasKey, b.KeySPKI = true, spki
		}
	}
	if !sawPEM {
		trimmed := bytes.TrimSpace(data)
		if len(trimmed) == 0 {
			return nil, failure.New(ReasonNoCertificate, errors.New("empty file"))
		}
		cs, err := x509.ParseCertificates(data)
		if err != nil {
			if len(data) > 0 && data[0] != 0x30 {
				return nil, failure.New(ReasonNoCertificate, errors.New("neither PEM nor DER"))
			}
			return nil, failure.New(ReasonParseError, err)
		}
		b.Certs = cs
	}
	if len(b.Certs) == 0 {
		return nil, failure.New(ReasonNoCertificate, errors.New("no CERTIFICATE block"))
	}
	return b, nil
}

// ParseKey reads a private key file: PEM with PKCS#1, SEC 1 or PKCS#8, and
// returns the SHA-256 of its public key's SPKI encoding.
func ParseKey(data []byte) ([]byte, error) {
	rest := data
	for {
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		if blk == nil {
			return nil, failure.New(ReasonParseError, errors.New("no PEM private key block"))
		}
		if strings.HasSuffix(blk.Type, "PRIVATE KEY") {
			return keySPKI(blk)
		}
	}
}

func keySPKI(blk *pem.Block) ([]byte, error) {
	var key crypto.PrivateKey
	var err error
	switch blk.Type {
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(blk.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(blk.Bytes)
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(blk.Bytes)
	default:
		// Do not echo anything of the block: it is key material.
		return nil, fmt.Errorf("unsupported key block %q", blk.Type)
	}
	if err != nil {
		// The parser's message names the structure, never key bytes.
		return nil, fmt.Errorf("private key: %w", err)
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, errors.New("private key has no public key")
	}
	return PublicKeyHash(signer.Public())
}

// PublicKeyHash is SHA-256 over the DER SubjectPublicKeyInfo: the value
// mobile apps pin, and how a key is matched to a certificate.
func PublicKeyHash(pub crypto.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	h := sha256.Sum256(der)
	return h[:], nil
}

// KeyType names a public key: rsa2048, ecdsa_p256, ed25519.
func KeyType(pub crypto.PublicKey) string {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return fmt.Sprintf("rsa%d", k.N.BitLen())
	case *ecdsa.PublicKey:
		return "ecdsa_" + strings.ToLower(strings.ReplaceAll(k.Curve.Params().Name, "-", ""))
	case ed25519.PublicKey:
		return "ed25519"
	}
	return "unknown"
}

var oidTLSFeature = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 24}

// MustStaple says whether the certificate carries the TLS Feature extension
// with status_request (RFC 7633).
func MustStaple(c *x509.Certificate) bool {
	for _, e := range c.Extensions {
		if !e.Id.Equal(oidTLSFeature) {
			continue
		}
		var features []int
		if _, err := asn1.Unmarshal(e.Value, &features); err != nil {
			return false
		}
		for _, f := range features {
			if f == 5 { // status_request
				return true
			}
		}
	}
	return false
}

// Verdict is what chain verification found.
type Verdict struct {
	Complete bool
	// ChainNotAfter is the earliest notAfter in the verified chain; zero
	// when the chain did not verify.
	ChainNotAfter time.Time
	Err           error
}

// VerifyChain checks whether the leaf verifies to a root in roots using only
// the certificates given, without fetching anything (no AIA chasing). The
// check is made at a moment inside the leaf's validity, so expiry (exported
// on its own) does not hide an incomplete chain and the verdict can be
// cached for as long as the file is unchanged.
func VerifyChain(certs []*x509.Certificate, roots *x509.CertPool, now time.Time) Verdict {
	if len(certs) == 0 {
		return Verdict{Err: errors.New("no certificates")}
	}
	leaf := certs[0]
	at := now
	if at.After(leaf.NotAfter) {
		at = leaf.NotAfter.Add(-time.Second)
	}
	if at.Before(leaf.NotBefore) {
		at = leaf.NotBefore.Add(time.Second)
	}
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	chains, err := leaf.Verify(x509.VerifyOptions{
		Roots:         roots,
		Intermediates: inter,
		CurrentTime:   at,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	if err != nil {
		return Verdict{Err: err}
	}
	v := Verdict{Complete: true}
	for _, c := range chains[0] {
		if v.ChainNotAfter.IsZero() || c.NotAfter.Before(v.ChainNotAfter) {
			v.ChainNotAfter = c.NotAfter
		}
	}
	return v
}

// Summarize reduces a leaf (and the chain that came with it) to the values
// the inventory keeps.
func Summarize(certs []*x509.Certificate) inventory.Certificate {
	leaf := certs[0]
	c := inventory.Certificate{
		Serial: hex.EncodeToString(leaf.SerialNumber.Bytes()),
		// Thousands of leaves share a few issuers: their names, key IDs
		// and key types are kept once (a copy: x509 fields point into the
		// whole DER).
		Issuer:         unique.Make(issuerName(leaf)).Value(),
		AuthorityKeyID: internBytes(leaf.AuthorityKeyId),
		KeyType:        unique.Make(KeyType(leaf.PublicKey)).Value(),
		NotBefore:      leaf.NotBefore,
		NotAfter:       leaf.NotAfter,
		DNSNames:       Names(leaf),
		SHA256:         sha256.Sum256(leaf.Raw),
		MustStaple:     MustStaple(leaf),
		CRLURLs:        leaf.CRLDistributionPoints,
		OCSPURLs:       leaf.OCSPServer,
	}
	for _, cand := range certs[1:] {
		if bytes.Equal(cand.RawSubject, leaf.RawIssuer) && leaf.CheckSignatureFrom(cand) == nil {
			c.IssuerDER = intern(cand.Raw)
			break
		}
	}
	return c
}

// issuers interns issuing certificates: thousands of leaves share a
// handful of intermediates, and each would otherwise keep its own copy.
var issuers sync.Map // sha256 -> []byte

func intern(der []byte) []byte {
	h := sha256.Sum256(der)
	v, _ := issuers.LoadOrStore(h, bytes.Clone(der))
	return v.([]byte)
}

// keyIDs interns authority key identifiers (one per issuing key).
var keyIDs sync.Map // string -> []byte

func internBytes(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	if v, ok := keyIDs.Load(string(b)); ok {
		return v.([]byte)
	}
	v, _ := keyIDs.LoadOrStore(string(b), bytes.Clone(b))
	return v.([]byte)
}

func issuerName(c *x509.Certificate) string {
	if c.Issuer.CommonName != "" {
		return c.Issuer.CommonName
	}
	return c.Issuer.String()
}

// Names returns the SAN DNS names and IP addresses, sorted and unique.
func Names(c *x509.Certificate) []string {
	seen := map[string]bool{}
	var out []string
	for _, n := range c.DNSNames {
		n = strings.ToLower(n)
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	for _, ip := range c.IPAddresses {
		if s := ip.String(); !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// Bounds for the dns_names label: beyond them the label becomes a count and
// a stable digest, so a 100-name certificate cannot blow up label size.
const (
	maxLabelNames = 10
	maxLabelLen   = 200
)

// NamesLabel renders names for the dns_names label, bounded.
func NamesLabel(names []string) string {
	joined := strings.Join(names, ",")
	if len(names) <= maxLabelNames && len(joined) <= maxLabelLen {
		return joined
	}
	h := sha256.Sum256([]byte(joined))
	return fmt.Sprintf("%d names sha256:%s", len(names), hex.EncodeToString(h[:6]))
}
