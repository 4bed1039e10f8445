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
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unique"

	"github.com/acme-exporter/acme_exporter/internal/failure"
	"github.com/acme-exporter/acme_exporter/internal/p256verify"
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
			c, err := parseCert(blk.Bytes, len(b.Certs) > 0)
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

// parsedChainCerts keeps the parsed certificates that follow a leaf: the
// same few intermediates follow thousands of leaves, and a parse costs more
// than the hash that finds it again. Bounded like issuerCache.
var (
	parsedMu         sync.Mutex
	parsedChainCerts = map[[32]byte]*x509.Certificate{}
)

// parseCert parses der, from parsedChainCerts when shared (a certificate
// after the leaf; the result is never modified by anyone).
func parseCert(der []byte, shared bool) (*x509.Certificate, error) {
	if !shared {
		return x509.ParseCertificate(der)
	}
	k := sha256.Sum256(der)
	parsedMu.Lock()
	c := parsedChainCerts[k]
	parsedMu.Unlock()
	if c != nil {
		return c, nil
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	parsedMu.Lock()
	if len(parsedChainCerts) >= maxIssuerCache {
		clear(parsedChainCerts)
	}
	parsedChainCerts[k] = c
	parsedMu.Unlock()
	return c, nil
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
	// Issuer is the leaf's issuer in the verified chain; nil when the
	// chain did not verify or the leaf is a root.
	Issuer *x509.Certificate
	Err    error
}

// VerifyChain checks whether the leaf verifies to a root in roots using only
// the certificates given, without fetching anything (no AIA chasing). The
// check is made at a moment inside the leaf's validity, so expiry (exported
// on its own) does not hide an incomplete chain and the verdict can be
// cached for as long as the file is unchanged.
//
// Thousands of files repeat the same intermediate: the intermediate's own
// path to a root is verified once (see issuerChains) and each leaf then
// costs one signature check against it. Anything the split could judge
// differently from a full verification (name constraints above the issuer,
// an issuer that is no CA, no cached path valid at the moment) takes the
// full verification instead.
func VerifyChain(certs []*x509.Certificate, roots *x509.CertPool, now time.Time) Verdict {
	if len(certs) == 0 {
		return Verdict{Err: errors.New("no certificates")}
	}
	leaf := certs[0]
	at := verifyTime(leaf, now)
	if issuer := bundledIssuer(certs); issuer != nil && roots != nil {
		if v, ok := verifyUnder(leaf, issuer, certs[1:], roots, at); ok {
			return v
		}
	}
	return verifyFull(certs, roots, at)
}

// verifyTime is now moved inside the leaf's validity.
func verifyTime(leaf *x509.Certificate, now time.Time) time.Time {
	at := now
	if at.After(leaf.NotAfter) {
		at = leaf.NotAfter.Add(-time.Second)
	}
	if at.Before(leaf.NotBefore) {
		at = leaf.NotBefore.Add(time.Second)
	}
	return at
}

// verifyFull is x509's own verification of the whole bundle.
func verifyFull(certs []*x509.Certificate, roots *x509.CertPool, at time.Time) Verdict {
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	chains, err := certs[0].Verify(x509.VerifyOptions{
		Roots:         roots,
		Intermediates: inter,
		CurrentTime:   at,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	if err != nil {
		return Verdict{Err: err}
	}
	return verdictOf(chains[0])
}

func verdictOf(chain []*x509.Certificate) Verdict {
	v := Verdict{Complete: true}
	for _, c := range chain {
		if v.ChainNotAfter.IsZero() || c.NotAfter.Before(v.ChainNotAfter) {
			v.ChainNotAfter = c.NotAfter
		}
	}
	if len(chain) > 1 {
		v.Issuer = chain[1]
	}
	return v
}

// bundledIssuer is the one certificate of the bundle named as the leaf's
// issuer; nil when none or several are (the full verification chooses).
func bundledIssuer(certs []*x509.Certificate) *x509.Certificate {
	var found *x509.Certificate
	for _, c := range certs[1:] {
		if bytes.Equal(c.RawSubject, certs[0].RawIssuer) {
			if found != nil && !bytes.Equal(found.Raw, c.Raw) {
				return nil
			}
			found = c
		}
	}
	return found
}

// verifyUnder verifies leaf with issuer as its trust anchor, the issuer's
// own paths to roots coming from the cache. ok is false when the caller
// must verify in full.
func verifyUnder(leaf, issuer *x509.Certificate, bundled []*x509.Certificate, roots *x509.CertPool, at time.Time) (Verdict, bool) {
	// x509 asks a CA flag of intermediates but not of trust anchors.
	if !issuer.BasicConstraintsValid || !issuer.IsCA {
		return Verdict{}, false
	}
	ic := issuerChains(issuer, bundled, roots, at)
	if ic.chains == nil {
		return Verdict{}, false
	}
	var up []*x509.Certificate
	for _, ch := range ic.chains {
		if validAt(ch, at) {
			up = ch
			break
		}
	}
	if up == nil {
		return Verdict{}, false
	}
	// Checks as the issuer's verification alone would miss them: the
	// certificates above it see one more intermediate below them (path
	// length), and their name constraints apply to the leaf's names.
	for j, c := range up[1:] {
		if c.BasicConstraintsValid && c.MaxPathLen >= 0 && j+1 > c.MaxPathLen {
			return Verdict{}, false
		}
		if hasNameConstraints(c) {
			return Verdict{}, false
		}
	}
	if ic.fastSigned(leaf, issuer, at) {
		full := make([]*x509.Certificate, 0, 1+len(up))
		full = append(full, leaf)
		full = append(full, up...)
		return verdictOf(full), true
	}
	chains, err := leaf.Verify(x509.VerifyOptions{
		Roots:       ic.anchor,
		CurrentTime: at,
		KeyUsages:   []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	if err != nil {
		// Let the full verification say why (and try other paths).
		return Verdict{}, false
	}
	full := make([]*x509.Certificate, 0, 1+len(up))
	full = append(full, chains[0][0])
	full = append(full, up...)
	return verdictOf(full), true
}

func validAt(chain []*x509.Certificate, at time.Time) bool {
	for _, c := range chain {
		if at.Before(c.NotBefore) || at.After(c.NotAfter) {
			return false
		}
	}
	return true
}

func hasNameConstraints(c *x509.Certificate) bool {
	return c.PermittedDNSDomainsCritical || len(c.PermittedDNSDomains) > 0 || len(c.ExcludedDNSDomains) > 0 ||
		len(c.PermittedIPRanges) > 0 || len(c.ExcludedIPRanges) > 0 ||
		len(c.PermittedEmailAddresses) > 0 || len(c.ExcludedEmailAddresses) > 0 ||
		len(c.PermittedURIDomains) > 0 || len(c.ExcludedURIDomains) > 0
}

// issuerEntry is an issuer's verified paths to the roots (nil when it did
// not verify) and a pool holding only the issuer, to verify leaves under.
type issuerEntry struct {
	chains [][]*x509.Certificate
	anchor *x509.CertPool

	// A P-256 issuer without name or policy constraints has its leaves'
	// signatures checked with a table of its key (p256verify), which
	// halves the cost of the one signature check each leaf needs: on a
	// first scrape of 10,000 files that check was most of the CPU. The
	// table is made once the issuer has signed enough leaves to pay for
	// it (it costs about 30 verifications).
	fastable bool
	uses     atomic.Int32
	once     sync.Once
	key      atomic.Pointer[p256verify.Key]
}

// fastAfter is how many leaves an issuer verifies the ordinary way before
// its table is made.
const fastAfter = 64

// fastSigned says whether leaf is signed by the entry's issuer, checked
// with the table; false when the shortcut does not apply or the signature
// does not verify (the caller then asks x509, which says why).
func (e *issuerEntry) fastSigned(leaf, issuer *x509.Certificate, at time.Time) bool {
	if !e.fastable || len(leaf.UnhandledCriticalExtensions) > 0 || !bytes.Equal(leaf.RawIssuer, issuer.RawSubject) ||
		at.Before(leaf.NotBefore) || at.After(leaf.NotAfter) {
		return false
	}
	var digest []byte
	switch leaf.SignatureAlgorithm {
	case x509.ECDSAWithSHA256:
		d := sha256.Sum256(leaf.RawTBSCertificate)
		digest = d[:]
	case x509.ECDSAWithSHA384:
		d := sha512.Sum384(leaf.RawTBSCertificate)
		digest = d[:]
	case x509.ECDSAWithSHA512:
		d := sha512.Sum512(leaf.RawTBSCertificate)
		digest = d[:]
	default:
		return false
	}
	k := e.key.Load()
	if k == nil {
		if e.uses.Add(1) < fastAfter {
			return false
		}
		e.once.Do(func() {
			if k, err := p256verify.New(issuer.PublicKey.(*ecdsa.PublicKey)); err == nil {
				e.key.Store(k)
			}
		})
		if k = e.key.Load(); k == nil {
			return false
		}
	}
	if !k.Verify(digest, leaf.Signature) {
		return false
	}
	fastVerifications.Add(1)
	return true
}

// fastVerifications counts leaves checked with an issuer's table, for tests.
var fastVerifications atomic.Int64

// fastable says whether leaves under issuer may be checked with a table
// of its key and give x509's verdict: a P-256 key, and nothing in the
// issuer that x509 would check against the leaf beyond its signature (name
// constraints, policy constraints).
func fastable(issuer *x509.Certificate) bool {
	pub, ok := issuer.PublicKey.(*ecdsa.PublicKey)
	return ok && pub.Curve == elliptic.P256() && !hasNameConstraints(issuer) &&
		issuer.RequireExplicitPolicy == 0 && !issuer.RequireExplicitPolicyZero &&
		issuer.InhibitPolicyMapping == 0 && !issuer.InhibitPolicyMappingZero &&
		issuer.InhibitAnyPolicy == 0 && !issuer.InhibitAnyPolicyZero && len(issuer.PolicyMappings) == 0
}

type issuerKey struct {
	roots  *x509.CertPool
	issuer [32]byte
	// others: the rest of the bundle, which may hold further intermediates.
	others [32]byte
}

// issuerCache holds verified issuers per root pool. Bounded: a reload makes
// a new pool, and a host with more distinct issuers than this is unheard of.
var (
	issuerMu    sync.Mutex
	issuerCache = map[issuerKey]*issuerEntry{}
	// issuerVerifications counts verifications of issuers, for tests.
	issuerVerifications atomic.Int64
)

const maxIssuerCache = 1024

// issuerChains returns the issuer's paths to roots, verifying them on first
// use. A failed verification is not kept: it may depend on the moment, and
// files with broken chains are few and each verified once while unchanged.
func issuerChains(issuer *x509.Certificate, bundled []*x509.Certificate, roots *x509.CertPool, at time.Time) *issuerEntry {
	k := issuerKey{roots: roots, issuer: sha256.Sum256(issuer.Raw)}
	h := sha256.New()
	for _, c := range bundled {
		if c != issuer {
			h.Write(c.Raw)
		}
	}
	h.Sum(k.others[:0])
	issuerMu.Lock()
	e := issuerCache[k]
	issuerMu.Unlock()
	if e != nil {
		for _, ch := range e.chains {
			if validAt(ch, at) {
				return e
			}
		}
	}
	issuerVerifications.Add(1)
	inter := x509.NewCertPool()
	for _, c := range bundled {
		if c != issuer {
			inter.AddCert(c)
		}
	}
	chains, err := issuer.Verify(x509.VerifyOptions{
		Roots:         roots,
		Intermediates: inter,
		CurrentTime:   at,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	if err != nil {
		return &issuerEntry{}
	}
	anchor := x509.NewCertPool()
	anchor.AddCert(issuer)
	e = &issuerEntry{chains: chains, anchor: anchor, fastable: fastable(issuer)}
	issuerMu.Lock()
	if len(issuerCache) >= maxIssuerCache {
		clear(issuerCache)
	}
	issuerCache[k] = e
	issuerMu.Unlock()
	return e
}

// Summarize reduces a leaf (and the chain that came with it) to the values
// the inventory keeps.
func Summarize(certs []*x509.Certificate) inventory.Certificate {
	return SummarizeVerified(certs, Verdict{})
}

// SummarizeVerified is Summarize for a bundle whose chain v verified: the
// issuer it found is used without checking its signature again.
func SummarizeVerified(certs []*x509.Certificate, v Verdict) inventory.Certificate {
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
	if v.Complete && v.Issuer != nil && slices.ContainsFunc(certs[1:], func(b *x509.Certificate) bool { return bytes.Equal(b.Raw, v.Issuer.Raw) }) {
		c.IssuerDER = intern(v.Issuer.Raw)
		return c
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
