// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package config

import (
	"errors"
	"fmt"
	"strings"
)

// CheckDNSName is the one check of a DNS name's syntax, for the config and
// for names the checks learn at run time (CNAME targets, CAA identities):
// 1 to 253 characters in dot-separated labels of 1 to 63 letters, digits,
// hyphens and underscores (which DNS allows, as in _acme-challenge). No
// trailing dot and no wildcard: callers that accept them strip them first.
func CheckDNSName(s string) error {
	if s == "" {
		return errors.New("must not be empty")
	}
	if len(s) > 253 {
		return fmt.Errorf("%q is longer than 253 characters", s)
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 || strings.IndexFunc(label, func(r rune) bool { return !isLDH(r) }) >= 0 {
			return fmt.Errorf("%q is not a valid DNS name", s)
		}
	}
	return nil
}

// isLDH: letters, digits, hyphen, and the underscore of service labels.
func isLDH(r rune) bool {
	return r == '-' || r == '_' || ('0' <= r && r <= '9') || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z')
}
