// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

// Package inventory is the shared, in-memory list of certificates the
// exporter has seen: on disk (current and history) and served by endpoints.
// Collectors publish into it and read from it; they never import each other.
package inventory

import (
	"bytes"
	"math/big"
	"slices"
	"sort"
	"sync"
	"time"
)

// Certificate is what the exporter keeps of one leaf certificate: derived
// values only, never key material.
type Certificate struct {
	Name   string // joins file, endpoint and ARI series
	Source string // "file" or "endpoint"
	Path   string // file path, or host:port for endpoints
	Client string // ACME client that wrote it, when known
	// History marks certificates kept only for rate-limit accounting
	// (certbot archive/, backups): they must never raise lifecycle alerts.
	History bool

	Serial         string // lower-case hex of the big-endian bytes, no separators
	Issuer         string // issuer common name (or full DN when CN is empty)
	AuthorityKeyID []byte
	KeyType        string // rsa2048, ecdsa_p256, ed25519, ...
	NotBefore      time.Time
	NotAfter       time.Time
	DNSNames       []string // SANs: DNS names and IP addresses, sorted
	SHA256         [32]byte // SHA-256 of the leaf DER, identifies it
	MustStaple     bool
	CRLURLs        []string
	OCSPURLs       []string
	// IssuerDER is the issuing certificate from the same file or
	// connection, when present (needed to check a CRL's signature).
	IssuerDER []byte
}

// Inventory is safe for concurrent use.
type Inventory struct {
	mu sync.RWMutex
	// entries by owner (a collector) and key (a file path or endpoint).
	entries map[string]map[string][]Certificate
	gen     uint64

	// all is All's answer for generation allGen: several families read
	// the whole inventory on every scrape, and sorting 100,000 summaries
	// each time grew faster than the inventory.
	allMu  sync.Mutex
	all    []Certificate
	allGen uint64
}

// New returns an empty inventory.
func New() *Inventory {
	return &Inventory{entries: map[string]map[string][]Certificate{}}
}

// Put replaces what owner published under key.
func (inv *Inventory) Put(owner, key string, certs []Certificate) {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	m := inv.entries[owner]
	if m == nil {
		m = map[string][]Certificate{}
		inv.entries[owner] = m
	}
	if old, ok := m[key]; ok && sameCertificates(old, certs) {
		// An endpoint publishes what it serves on every probe: unchanged,
		// it leaves the generation (and what readers cached) alone.
		return
	}
	m[key] = certs
	inv.gen++
}

// sameCertificates says whether a and b publish the same certificates: the
// same leaves (by digest) with the same publisher-given fields and issuer.
func sameCertificates(a, b []Certificate) bool {
	return slices.EqualFunc(a, b, func(x, y Certificate) bool {
		return x.SHA256 == y.SHA256 && x.Name == y.Name && x.Source == y.Source && x.Path == y.Path &&
			x.Client == y.Client && x.History == y.History && bytes.Equal(x.IssuerDER, y.IssuerDER)
	})
}

// Delete removes what owner published under key.
func (inv *Inventory) Delete(owner, key string) {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	if m := inv.entries[owner]; m != nil {
		delete(m, key)
		inv.gen++
	}
}

// Retain drops every key of owner that keep does not hold, so files that
// disappeared leave no certificate behind.
func (inv *Inventory) Retain(owner string, keep map[string]bool) {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	for k := range inv.entries[owner] {
		if !keep[k] {
			delete(inv.entries[owner], k)
			inv.gen++
		}
	}
}

// Generation changes whenever the contents change.
func (inv *Inventory) Generation() uint64 {
	inv.mu.RLock()
	defer inv.mu.RUnlock()
	return inv.gen
}

// Each calls f for every certificate, in no particular order, without
// copying the inventory; f must not call back into the inventory.
func (inv *Inventory) Each(f func(*Certificate)) {
	inv.mu.RLock()
	defer inv.mu.RUnlock()
	for _, m := range inv.entries {
		for _, cs := range m {
			for i := range cs {
				f(&cs[i])
			}
		}
	}
}

// All returns every certificate, sorted by source, path and serial. The
// slice is shared with other callers until the inventory changes: it must
// not be modified.
func (inv *Inventory) All() []Certificate {
	inv.allMu.Lock()
	defer inv.allMu.Unlock()
	inv.mu.RLock()
	if inv.all != nil && inv.allGen == inv.gen {
		inv.mu.RUnlock()
		return inv.all
	}
	gen := inv.gen
	n := 0
	for _, m := range inv.entries {
		for _, cs := range m {
			n += len(cs)
		}
	}
	out := make([]Certificate, 0, n)
	for _, m := range inv.entries {
		for _, cs := range m {
			out = append(out, cs...)
		}
	}
	inv.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Source != b.Source {
			return a.Source < b.Source
		}
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		return a.Serial < b.Serial
	})
	inv.all, inv.allGen = out, gen
	return out
}

// Newest returns the file certificate of the given name and key type with
// the latest notBefore, history included: a renewal shows up in certbot's
// archive/ and live/ at once.
func (inv *Inventory) Newest(name, keyType string) (Certificate, bool) {
	var best Certificate
	found := false
	for _, c := range inv.All() {
		if c.Source != "file" || c.Name != name || c.KeyType != keyType {
			continue
		}
		if !found || c.NotBefore.After(best.NotBefore) {
			best, found = c, true
		}
	}
	return best, found
}

// SerialNumber is the serial as a number (0 when Serial is empty or not
// hex). Derived rather than stored: the inventory holds one entry per file.
func (c *Certificate) SerialNumber() *big.Int {
	n, ok := new(big.Int).SetString(c.Serial, 16)
	if !ok {
		return new(big.Int)
	}
	return n
}
