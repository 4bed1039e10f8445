// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package config

import (
	"strings"
	"testing"
)

func TestCheckDNSName(t *testing.T) {
	cases := []struct {
		name string
		ok   bool
	}{
		{"example.com", true},
		{"_acme-challenge.example.com", true},
		{"xn--bcher-kva.example", true},
		{"a", true},
		{strings.Repeat("a", 63) + ".test", true},
		{strings.Repeat("a", 64) + ".test", false},
		{strings.Repeat("abcdefghi.", 25) + "abc", true}, // 253
		{strings.Repeat("abcdefghi.", 25) + "abcd", false},
		{"", false},
		{"example.com.", false}, // callers strip the root dot
		{"*.example.com", false},
		{"a..b", false},
		{"exa mple.com", false},
		{"ünicode.example", false},
	}
	for _, tc := range cases {
		if err := CheckDNSName(tc.name); (err == nil) != tc.ok {
			t.Errorf("CheckDNSName(%q) = %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
	// HTTP-01 names: one validator beneath, plus what HTTP-01 adds.
	for d, ok := range map[string]bool{"example.com.": true, "192.0.2.1": true, "::1": true, "*.example.com": false, "a..test": false} {
		if err := CheckDomain(d); (err == nil) != ok {
			t.Errorf("CheckDomain(%q) = %v, want ok=%v", d, err, ok)
		}
	}
}
