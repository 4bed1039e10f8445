// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package config

import (
	"path"
	"regexp"
	"time"
)

// RateLimits configures the issuance-history accounting: which CA issued a
// certificate (by issuer name) and that CA's limits.
type RateLimits struct {
	// CAs are matched in order against a certificate's issuer common name.
	// A built-in "letsencrypt" entry (Let's Encrypt's intermediates and
	// limits) is added after them unless one of them is named letsencrypt;
	// such an entry takes Let's Encrypt's values for what it leaves unset.
	CAs []RateLimitCA `yaml:"cas"`
	// EarlyRenewalRatio: a certificate replaced while more than this
	// fraction of its lifetime remained counts as an early renewal.
	EarlyRenewalRatio float64 `yaml:"early_renewal_ratio"`
	// MinInterval between two computations; 0 computes on every scrape.
	MinInterval Duration `yaml:"min_interval"`
}

// RateLimitCA is one CA: how to recognise its certificates and its limits.
type RateLimitCA struct {
	// Name is the ca label value (lower-case snake_case).
	Name string `yaml:"name"`
	// Issuers are shell patterns (path.Match) on the issuer common name.
	Issuers []string `yaml:"issuers"`
	// Window of the per-domain and duplicate limits (default 7d).
	Window Duration `yaml:"window"`
	// RenewalLookback: a certificate whose exact name set was issued
	// within this time before is a renewal and does not count against the
	// per-registered-domain limit (default 120d, as Boulder).
	RenewalLookback Duration `yaml:"renewal_lookback"`
	Limits          Limits   `yaml:"limits"`
}

// Limits are a CA's rate limits; unset ones are not exported.
type Limits struct {
	CertificatesPerRegisteredDomain *int `yaml:"certificates_per_registered_domain"`
	DuplicateCertificates           *int `yaml:"duplicate_certificates"`
	NewOrdersPerAccount             *int `yaml:"new_orders_per_account"`
	FailedValidations               *int `yaml:"failed_validations"`
}

// Let's Encrypt's values (https://letsencrypt.org/docs/rate-limits/).
const (
	DefaultEarlyRenewalRatio = 0.5
	DefaultRateLimitWindow   = 7 * 24 * time.Hour
	DefaultRenewalLookback   = 120 * 24 * time.Hour
)

// LetsEncryptIssuers are the common names of Let's Encrypt's production
// intermediates: Gen Y (current), the retired R10–R14/E5–E9 and older.
var LetsEncryptIssuers = []string{
	"YE1", "YE2", "YE3", "YR1", "YR2", "YR3",
	"R10", "R11", "R12", "R13", "R14", "E5", "E6", "E7", "E8", "E9",
	"R3", "R4", "E1", "E2",
}

// LetsEncrypt returns the built-in Let's Encrypt entry.
func LetsEncrypt() RateLimitCA {
	n := func(i int) *int { return &i }
	return RateLimitCA{
		Name:            "letsencrypt",
		Issuers:         append([]string(nil), LetsEncryptIssuers...),
		Window:          Duration(DefaultRateLimitWindow),
		RenewalLookback: Duration(DefaultRenewalLookback),
		Limits: Limits{
			CertificatesPerRegisteredDomain: n(50),
			DuplicateCertificates:           n(5),
			NewOrdersPerAccount:             n(300),
			FailedValidations:               n(5),
		},
	}
}

var caNameRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

func (r *RateLimits) validate(v *Validator) {
	if r.EarlyRenewalRatio == 0 {
		r.EarlyRenewalRatio = DefaultEarlyRenewalRatio
	}
	if r.EarlyRenewalRatio <= 0 || r.EarlyRenewalRatio >= 1 {
		v.Errorf(Path{"rate_limits", "early_renewal_ratio"}, "must be between 0 and 1")
	}
	if r.MinInterval < 0 {
		v.Errorf(Path{"rate_limits", "min_interval"}, "must not be negative")
	}
	le := LetsEncrypt()
	hasLE := false
	seen := map[string]bool{}
	for i := range r.CAs {
		c := &r.CAs[i]
		p := Path{"rate_limits", "cas", i}
		switch {
		case !caNameRE.MatchString(c.Name):
			v.Errorf(p.Add("name"), "must be lower-case snake_case of at most 32 characters, got %q", c.Name)
		case seen[c.Name]:
			v.Errorf(p.Add("name"), "duplicate CA %q", c.Name)
		}
		seen[c.Name] = true
		if c.Name == le.Name {
			hasLE = true
			if len(c.Issuers) == 0 {
				c.Issuers = le.Issuers
			}
			l, d := &c.Limits, le.Limits
			for _, f := range []struct {
				dst **int
				src *int
			}{
				{&l.CertificatesPerRegisteredDomain, d.CertificatesPerRegisteredDomain},
				{&l.DuplicateCertificates, d.DuplicateCertificates},
				{&l.NewOrdersPerAccount, d.NewOrdersPerAccount},
				{&l.FailedValidations, d.FailedValidations},
			} {
				if *f.dst == nil {
					*f.dst = f.src
				}
			}
		}
		if len(c.Issuers) == 0 {
			v.Errorf(p.Add("issuers"), "must list at least one issuer name pattern")
		}
		for j, is := range c.Issuers {
			if is == "" {
				v.Errorf(p.Add("issuers").Add(j), "must not be empty")
			} else if _, err := path.Match(is, ""); err != nil {
				v.Errorf(p.Add("issuers").Add(j), "bad pattern %q: %v", is, err)
			}
		}
		if c.Window == 0 {
			c.Window = Duration(DefaultRateLimitWindow)
		}
		if c.Window < Duration(time.Minute) {
			// Shorter than any CA's window makes no sense; tests use minutes.
			v.Errorf(p.Add("window"), "must be at least 1m")
		}
		if c.RenewalLookback == 0 {
			c.RenewalLookback = Duration(DefaultRenewalLookback)
		}
		if c.RenewalLookback < 0 {
			v.Errorf(p.Add("renewal_lookback"), "must not be negative")
		}
		for _, l := range c.Limits.List() {
			if l.Value <= 0 {
				v.Errorf(p.Add("limits").Add(l.Name), "must be positive")
			}
		}
	}
	if !hasLE {
		r.CAs = append(r.CAs, le)
	}
}

// NamedLimit is one set limit with its limit label value.
type NamedLimit struct {
	Name  string
	Value int
}

// List returns the set limits in a fixed order.
// LimitNames are the names List gives, in its order.
var LimitNames = []string{"certificates_per_registered_domain", "duplicate_certificates", "new_orders_per_account", "failed_validations"}

func (l Limits) List() []NamedLimit {
	var out []NamedLimit
	for _, f := range []struct {
		name string
		v    *int
	}{
		{LimitNames[0], l.CertificatesPerRegisteredDomain},
		{LimitNames[1], l.DuplicateCertificates},
		{LimitNames[2], l.NewOrdersPerAccount},
		{LimitNames[3], l.FailedValidations},
	} {
		if f.v != nil {
			out = append(out, NamedLimit{f.name, *f.v})
		}
	}
	return out
}
