// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package config

import (
	"path/filepath"
	"testing"
)

func TestGlobSyntax(t *testing.T) {
	for p, ok := range map[string]bool{
		"/etc/letsencrypt/live/*/fullchain.pem": true,
		"/d[12]/c[!x]*.pem":                     true,
		"/d[^a-z]/x":                            true,
		`/a\[b\]/c`:                             true,
		"/[]]":                                  false, // Go has no leading ] in a class
		"/[a-]]":                                false,
		"/x/*[":                                 false,
		"/x/*[a":                                false,
		"/x/[]":                                 false,
		"/x/[a-":                                false,
		"/x/[-a]":                               false,
		`/x/\`:                                  false,
		`/x/[\`:                                 false,
		"/x/[\xff]":                             false,
		"/live/*/fullchain.pem[":                false,
	} {
		if err := globSyntax(p); (err == nil) != ok {
			t.Errorf("globSyntax(%q) = %v, want ok=%v", p, err, ok)
		}
	}
}

// FuzzGlobSyntax: a pattern globSyntax accepts never makes filepath.Match
// fail, whatever the name; one it refuses fails for some name built from
// the pattern itself, or is refused by Match outright.
func FuzzGlobSyntax(f *testing.F) {
	for _, s := range []string{"*[", "d[12]/*.pem", `a\[b`, "[^a-z]", "[]a]", "[a-]", "x/[\xff]"} {
		f.Add(s, "name")
	}
	f.Fuzz(func(t *testing.T, p, name string) {
		err := globSyntax(p)
		if _, merr := filepath.Match(p, name); merr != nil && err == nil {
			t.Fatalf("globSyntax(%q) accepts it, Match(%q) fails: %v", p, name, merr)
		}
	})
}
