// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package dns01

import (
	"fmt"
	"testing"

	"github.com/acme-exporter/acme_exporter/inventory"
)

// TestCAAIdentitiesChoice: which identities a spec uses, without servers.
func TestCAAIdentitiesChoice(t *testing.T) {
	store := inventory.NewDirectoryStore()
	store.Put(inventory.DirectoryMeta{URL: "https://ca.test/dir", CAAIdentities: []string{"CA.test.", "ca.test", "bad name", ""}})
	store.Put(inventory.DirectoryMeta{URL: "https://silent.test/dir"})
	le := "https://acme-v02.api.letsencrypt.org/directory"
	store.Put(inventory.DirectoryMeta{URL: le + "?x", CAAIdentities: []string{"x.test"}})
	cases := []struct {
		name, dir string
		config    []string
		want      string
	}{
		{"no directory: config", "", []string{"conf.test"}, "[conf.test]"},
		{"known directory: its identities, cleaned", "https://ca.test/dir", []string{"conf.test"}, "[ca.test]"},
		{"directory lists none: config", "https://silent.test/dir", []string{"conf.test"}, "[conf.test]"},
		{"not fetched yet: config", "https://other.test/dir", []string{"conf.test"}, "[conf.test]"},
		{"not fetched, none configured", "https://other.test/dir", nil, "[]"},
		{"Let's Encrypt before fetching", le, []string{"conf.test"}, "[letsencrypt.org]"},
		{"Let's Encrypt staging", "https://acme-staging-v02.api.letsencrypt.org/directory", nil, "[letsencrypt.org]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := caaSpec{directory: tc.dir, identities: tc.config, directories: store}
			if got := fmt.Sprint(s.caaIdentities()); got != tc.want {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
		})
	}
	// A nil store (an Env built without one) reads as empty.
	if got := fmt.Sprint((caaSpec{directory: "https://ca.test/dir", identities: []string{"c.test"}}).caaIdentities()); got != "[c.test]" {
		t.Fatalf("nil store: %s", got)
	}
}
