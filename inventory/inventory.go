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
	"strings"
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

// Inventory is safe for concurrent use. What a publisher puts is kept as
// given and handed to readers: it must not be modified afterwards.
type Inventory struct {
	mu sync.RWMutex
	// entries by owner (a collector) and key (a file path or endpoint).
	entries map[string]map[string][]Certificate
	gen     uint64
	// changed holds, for each key changed since the sorted view was made,
	// what it held then (nil when it was absent), so the view is patched
	// rather than sorted again; nil with changedAll set once too many
	// keys changed for a patch to pay.
	changed    map[entryKey][]Certificate
	changedAll bool

	// view is All's answer for generation viewGen: several families read
	// the whole inventory after every change, and a renewal changes one
	// file of many. Sorting 100,000 summaries again each time grew faster
	// than the inventory.
	viewMu  sync.Mutex
	view    []*Certificate
	viewGen uint64
}

type entryKey struct{ owner, key string }

// maxPatch bounds the keys a view is patched for; beyond it, sorting
// everything costs about as much as the patch.
const maxPatch = 4096

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
	old, ok := m[key]
	if ok && sameCertificates(old, certs) {
		// An endpoint publishes what it serves on every probe: unchanged,
		// it leaves the generation (and what readers cached) alone.
		return
	}
	inv.noteChange(owner, key, old)
	m[key] = certs
	inv.gen++
}

// noteChange records what key held before its first change since the view
// was made. Called with mu held for writing.
func (inv *Inventory) noteChange(owner, key string, old []Certificate) {
	if inv.changedAll {
		return
	}
	if inv.changed == nil {
		inv.changed = map[entryKey][]Certificate{}
	}
	k := entryKey{owner, key}
	if _, ok := inv.changed[k]; ok {
		return
	}
	if len(inv.changed) >= maxPatch {
		inv.changed, inv.changedAll = nil, true
		return
	}
	inv.changed[k] = old
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
		if old, ok := m[key]; ok {
			inv.noteChange(owner, key, old)
			delete(m, key)
			inv.gen++
		}
	}
}

// Retain drops every key of owner that keep does not hold, so files that
// disappeared leave no certificate behind.
func (inv *Inventory) Retain(owner string, keep map[string]bool) {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	for k, old := range inv.entries[owner] {
		if !keep[k] {
			inv.noteChange(owner, k, old)
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

// All returns every certificate, sorted by source, path and serial. The
// slice and the certificates are shared with other callers until the
// inventory changes: neither may be modified. After a few keys changed the
// last answer is patched, not sorted again.
func (inv *Inventory) All() []*Certificate {
	inv.viewMu.Lock()
	defer inv.viewMu.Unlock()
	// The change record is taken and reset in one step with the entries
	// read, so the next call patches exactly what changed after this one.
	inv.mu.Lock()
	if inv.view != nil && inv.viewGen == inv.gen {
		inv.mu.Unlock()
		return inv.view
	}
	gen, changed, full := inv.gen, inv.changed, inv.changedAll || inv.view == nil
	inv.changed, inv.changedAll = nil, false
	var fresh []*Certificate
	if full {
		for _, m := range inv.entries {
			for _, cs := range m {
				for i := range cs {
					fresh = append(fresh, &cs[i])
				}
			}
		}
	} else {
		for k := range changed {
			cs := inv.entries[k.owner][k.key]
			for i := range cs {
				fresh = append(fresh, &cs[i])
			}
		}
	}
	inv.mu.Unlock()
	slices.SortFunc(fresh, compareCertificates)
	if full {
		inv.view = fresh
	} else {
		inv.view = patch(inv.view, changed, fresh)
	}
	inv.viewGen = gen
	return inv.view
}

// patch returns view without the certificates changed keys held before and
// with fresh (sorted) merged in: one pass, no sort of the whole.
func patch(view []*Certificate, changed map[entryKey][]Certificate, fresh []*Certificate) []*Certificate {
	gone := map[*Certificate]bool{}
	for _, old := range changed {
		for i := range old {
			gone[&old[i]] = true
		}
	}
	out := make([]*Certificate, 0, len(view)-len(gone)+len(fresh))
	for _, c := range view {
		if len(gone) > 0 && gone[c] {
			continue
		}
		for len(fresh) > 0 && compareCertificates(fresh[0], c) < 0 {
			out = append(out, fresh[0])
			fresh = fresh[1:]
		}
		out = append(out, c)
	}
	return append(out, fresh...)
}

func compareCertificates(a, b *Certificate) int {
	if c := strings.Compare(a.Source, b.Source); c != 0 {
		return c
	}
	if c := strings.Compare(a.Path, b.Path); c != 0 {
		return c
	}
	return strings.Compare(a.Serial, b.Serial)
}

// Newest returns the file certificate of the given name and key type with
// the latest notBefore, history included: a renewal shows up in certbot's
// archive/ and live/ at once.
func (inv *Inventory) Newest(name, keyType string) (Certificate, bool) {
	var best *Certificate
	for _, c := range inv.All() {
		if c.Source != "file" || c.Name != name || c.KeyType != keyType {
			continue
		}
		if best == nil || c.NotBefore.After(best.NotBefore) {
			best = c
		}
	}
	if best == nil {
		return Certificate{}, false
	}
	return *best, true
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
