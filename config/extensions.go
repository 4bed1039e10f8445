// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package config

// Extensions holds the sections of the check families beyond certificate
// files: one field per family, each declared and validated in its own file.
type Extensions struct {
	CASections `yaml:",inline"`
	DNS01      DNS01      `yaml:",inline"`
	Accounts   Accounts   `yaml:"accounts"`
	RateLimits RateLimits `yaml:"rate_limits"`
	ClientLogs ClientLogs `yaml:"client_logs"`
	Endpoints  []Endpoint `yaml:"endpoints"`
	HTTP01     []HTTP01   `yaml:"http01"`
	Ports      Ports      `yaml:"ports"`
}

func (e *Extensions) validate(v *Validator) {
	e.CASections.validate(v)
	e.DNS01.validate(v)
	e.Accounts.validate(v)
	e.RateLimits.validate(v)
	e.ClientLogs.validate(v)
	validateEndpoints(v, e.Endpoints)
	validateHTTP01(v, e.HTTP01)
	e.Ports.validate(v)
}
