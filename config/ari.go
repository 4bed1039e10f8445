// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package config

import (
	"time"
)

// ARI is the `ari:` section (RFC 9773 renewal information).
type ARI struct {
	// Disabled turns ARI polling off.
	Disabled bool `yaml:"disabled"`
	// Concurrency bounds the background fetches. Default 2.
	Concurrency int `yaml:"concurrency"`
	// Timeout of one renewalInfo request. Default 10s.
	Timeout Duration `yaml:"timeout"`
	// MaxPerScrape bounds how many due certificates one scrape hands to
	// the background worker. Default 100.
	MaxPerScrape int `yaml:"max_per_scrape"`
}

// Defaults of the ari section.
const (
	DefaultARIConcurrency  = 2
	DefaultARITimeout      = 10 * time.Second
	DefaultARIMaxPerScrape = 100
)

func (a *ARI) validate(v *Validator) {
	p := Path{"ari"}
	if a.Concurrency == 0 {
		a.Concurrency = DefaultARIConcurrency
	}
	if a.Concurrency < 0 || a.Concurrency > 64 {
		v.Errorf(p.Add("concurrency"), "must be between 1 and 64")
	}
	if a.Timeout == 0 {
		a.Timeout = Duration(DefaultARITimeout)
	}
	if a.Timeout < 0 {
		v.Errorf(p.Add("timeout"), "must not be negative")
	}
	if a.MaxPerScrape == 0 {
		a.MaxPerScrape = DefaultARIMaxPerScrape
	}
	if a.MaxPerScrape < 0 {
		v.Errorf(p.Add("max_per_scrape"), "must be positive")
	}
}
