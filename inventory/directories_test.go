// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package inventory

import (
	"fmt"
	"sync"
	"testing"
)

func TestDirectoryStore(t *testing.T) {
	var nilStore *DirectoryStore
	nilStore.Put(DirectoryMeta{URL: "https://a/dir"})
	if _, ok := nilStore.Get("https://a/dir"); ok {
		t.Fatal("nil store returned an entry")
	}
	s := NewDirectoryStore()
	ids := []string{"ca.test"}
	s.Put(DirectoryMeta{URL: "https://a/dir", CAAIdentities: ids, RenewalInfo: "https://a/ari"})
	s.Put(DirectoryMeta{}) // no URL: ignored
	ids[0] = "changed.test"
	m, ok := s.Get("https://a/dir")
	if !ok || fmt.Sprint(m.CAAIdentities) != "[ca.test]" || m.RenewalInfo != "https://a/ari" {
		t.Fatalf("got %+v %v", m, ok)
	}
	m.CAAIdentities[0] = "mutated.test"
	if m2, _ := s.Get("https://a/dir"); m2.CAAIdentities[0] != "ca.test" {
		t.Fatal("Get handed out the stored slice")
	}
	// Bounded, and safe for concurrent use (run with -race).
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range maxDirectories {
				u := fmt.Sprintf("https://%d.%d/dir", g, i)
				s.Put(DirectoryMeta{URL: u})
				s.Get(u)
			}
		}()
	}
	wg.Wait()
	s.mu.RLock()
	n := len(s.m)
	s.mu.RUnlock()
	if n > maxDirectories {
		t.Fatalf("%d entries, bound %d", n, maxDirectories)
	}
}
