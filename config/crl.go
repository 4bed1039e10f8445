// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package config

import (
	"time"
)

// CRL is the `crl:` section.
type CRL struct {
	// Disabled turns CRL fetching off.
	Disabled bool `yaml:"disabled"`
	// MaxSize bounds one CRL in bytes. Default 20 MiB (Let's Encrypt
	// shards stay far below).
	MaxSize int64 `yaml:"max_size"`
	// Timeout of one fetch. Default 20s.
	Timeout Duration `yaml:"timeout"`
	// MinInterval is the least time between two fetches of one CRL URL,
	// even when its nextUpdate has passed. Default 1h.
	MinInterval Duration `yaml:"min_interval"`
	// Address, when set, is the ip:port dialled for every CRL host (tests,
	// or a local mirror).
	Address string `yaml:"address"`
}

// Defaults of the crl section.
const (
	DefaultCRLMaxSize     = 20 << 20
	DefaultCRLTimeout     = 20 * time.Second
	DefaultCRLMinInterval = time.Hour
)

func (c *CRL) validate(v *Validator) {
	p := Path{"crl"}
	if c.MaxSize == 0 {
		c.MaxSize = DefaultCRLMaxSize
	}
	if c.MaxSize < 0 {
		v.Errorf(p.Add("max_size"), "must be positive")
	}
	if c.Timeout == 0 {
		c.Timeout = Duration(DefaultCRLTimeout)
	}
	if c.Timeout < 0 {
		v.Errorf(p.Add("timeout"), "must not be negative")
	}
	if c.MinInterval == 0 {
		c.MinInterval = Duration(DefaultCRLMinInterval)
	}
	if c.MinInterval < Duration(time.Minute) {
		v.Errorf(p.Add("min_interval"), "must be at least 1m")
	}
	if c.Address != "" {
		if err := checkHostPort(c.Address); err != nil {
			v.Errorf(p.Add("address"), "%v", err)
		}
	}
}
