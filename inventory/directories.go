// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package inventory

import (
	"slices"
	"sync"
	"time"
)

// DirectoryMeta is what the ACME directory family learnt from one directory
// document, published for other families (CAA reads the CA's identities,
// ARI the renewalInfo URL) so that they need not import each other.
type DirectoryMeta struct {
	URL string // the directory URL, as configured or discovered
	// CAAIdentities is meta.caaIdentities: the issuer domain names the CA
	// recognises in CAA records. Empty when the directory does not say.
	CAAIdentities []string
	Profiles      []string // meta.profiles names, sorted
	RenewalInfo   string   // the renewalInfo (ARI) URL, "" when not advertised
	Fetched       time.Time
}

// maxDirectories bounds the store: directories come from the config and
// discovery, so more than this means something churns; start over.
const maxDirectories = 1024

// DirectoryStore holds the latest DirectoryMeta per directory URL. It is
// safe for concurrent use; a nil *DirectoryStore is empty and ignores Put.
type DirectoryStore struct {
	mu sync.RWMutex
	m  map[string]DirectoryMeta
}

// NewDirectoryStore returns an empty store.
func NewDirectoryStore() *DirectoryStore {
	return &DirectoryStore{m: map[string]DirectoryMeta{}}
}

// Put records m under m.URL, replacing what was there.
func (s *DirectoryStore) Put(m DirectoryMeta) {
	if s == nil || m.URL == "" {
		return
	}
	m.CAAIdentities = slices.Clone(m.CAAIdentities)
	m.Profiles = slices.Clone(m.Profiles)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]DirectoryMeta{}
	}
	if _, ok := s.m[m.URL]; !ok && len(s.m) >= maxDirectories {
		clear(s.m)
	}
	s.m[m.URL] = m
}

// Get returns the latest meta of the directory at url.
func (s *DirectoryStore) Get(url string) (DirectoryMeta, bool) {
	if s == nil {
		return DirectoryMeta{}, false
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	m, ok := s.m[url]
	if ok {
		m.CAAIdentities = slices.Clone(m.CAAIdentities)
		m.Profiles = slices.Clone(m.Profiles)
	}
	return m, ok
}
