// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package config

// Extensions holds the sections of the check families beyond certificate
// files: one field per family, each declared and validated in its own file.
type Extensions struct {
	Endpoints []Endpoint `yaml:"endpoints"`
	HTTP01    []HTTP01   `yaml:"http01"`
	Ports     Ports      `yaml:"ports"`
}

func (e *Extensions) validate(v *Validator) {
	validateEndpoints(v, e.Endpoints)
	validateHTTP01(v, e.HTTP01)
	e.Ports.validate(v)
}
