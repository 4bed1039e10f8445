// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package config

import (
	"testing"
	"time"
)

func TestRateLimitsErrors(t *testing.T) {
	for name, tc := range map[string]struct{ in, want string }{
		"bad ratio": {"rate_limits:\n  early_renewal_ratio: 1.5\n",
			"2: rate_limits.early_renewal_ratio: must be between 0 and 1"},
		"negative interval": {"rate_limits:\n  min_interval: -1s\n",
			"2: rate_limits.min_interval: must not be negative"},
		"bad name": {"rate_limits:\n  cas:\n    - name: Other CA\n      issuers: [X]\n",
			`3: rate_limits.cas[0].name: must be lower-case snake_case of at most 32 characters, got "Other CA"`},
		"duplicate name": {"rate_limits:\n  cas:\n    - name: a\n      issuers: [X]\n    - name: a\n      issuers: [Y]\n",
			`5: rate_limits.cas[1].name: duplicate CA "a"`},
		"no issuers": {"rate_limits:\n  cas:\n    - name: zerossl\n",
			"3: rate_limits.cas[0].issuers: must list at least one issuer name pattern"},
		"empty issuer": {"rate_limits:\n  cas:\n    - name: zerossl\n      issuers: ['']\n",
			"4: rate_limits.cas[0].issuers[0]: must not be empty"},
		"bad issuer pattern": {"rate_limits:\n  cas:\n    - name: zerossl\n      issuers: ['[']\n",
			`4: rate_limits.cas[0].issuers[0]: bad pattern "[": syntax error in pattern`},
		"short window": {"rate_limits:\n  cas:\n    - name: zerossl\n      issuers: [Z]\n      window: 30s\n",
			"5: rate_limits.cas[0].window: must be at least 1m"},
		"negative lookback": {"rate_limits:\n  cas:\n    - name: zerossl\n      issuers: [Z]\n      renewal_lookback: -1h\n",
			"5: rate_limits.cas[0].renewal_lookback: must not be negative"},
		"zero limit": {"rate_limits:\n  cas:\n    - name: zerossl\n      issuers: [Z]\n      limits:\n        duplicate_certificates: 0\n",
			"6: rate_limits.cas[0].limits.duplicate_certificates: must be positive"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse([]byte(tc.in))
			if err == nil || err.Error() != tc.want {
				t.Fatalf("got %v\nwant %s", err, tc.want)
			}
		})
	}
}

func TestRateLimitsDefaults(t *testing.T) {
	c, err := Parse(nil)
	if err != nil {
		t.Fatal(err)
	}
	r := c.RateLimits
	if r.EarlyRenewalRatio != 0.5 || len(r.CAs) != 1 || r.CAs[0].Name != "letsencrypt" {
		t.Fatalf("defaults: %+v", r)
	}
	if got := r.CAs[0].Limits.List(); len(got) != 4 || got[0].Value != 50 || got[1].Value != 5 || got[2].Value != 300 || got[3].Value != 5 {
		t.Fatalf("limits: %+v", got)
	}
	// Overriding one Let's Encrypt limit keeps the other defaults and issuers.
	c, err = Parse([]byte("rate_limits:\n  cas:\n    - name: zerossl\n      issuers: ['ZeroSSL *']\n    - name: letsencrypt\n      limits:\n        certificates_per_registered_domain: 300\n"))
	if err != nil {
		t.Fatal(err)
	}
	r = c.RateLimits
	if len(r.CAs) != 2 || r.CAs[1].Name != "letsencrypt" || *r.CAs[1].Limits.CertificatesPerRegisteredDomain != 300 ||
		*r.CAs[1].Limits.DuplicateCertificates != 5 || len(r.CAs[1].Issuers) != len(LetsEncryptIssuers) {
		t.Fatalf("override: %+v", r.CAs)
	}
	if r.CAs[0].Window.D() != 7*24*time.Hour || r.CAs[0].RenewalLookback.D() != 120*24*time.Hour || len(r.CAs[0].Limits.List()) != 0 {
		t.Fatalf("other CA defaults: %+v", r.CAs[0])
	}
}
