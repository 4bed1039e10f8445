// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package config

import (
	"path/filepath"
)

// Ports is the local port view: which process listens on the ports the
// CA connects to, and how full their accept queues are. Read from /proc.
type Ports struct {
	// Ports to report (default 80 and 443).
	Ports []int `yaml:"ports"`
	// ProcRoot is where procfs is mounted (default /proc).
	ProcRoot string `yaml:"proc_root"`
}

// DefaultPorts are the ports the CA's validators connect to.
var DefaultPorts = []int{80, 443}

func (p *Ports) validate(v *Validator) {
	if len(p.Ports) == 0 {
		p.Ports = append([]int(nil), DefaultPorts...)
	}
	seen := map[int]bool{}
	for i, n := range p.Ports {
		if n < 1 || n > 65535 {
			v.Errorf(Path{"ports", "ports", i}, "must be between 1 and 65535")
		}
		if seen[n] {
			v.Errorf(Path{"ports", "ports", i}, "port %d listed twice", n)
		}
		seen[n] = true
	}
	if p.ProcRoot == "" {
		p.ProcRoot = "/proc"
	}
	if !filepath.IsAbs(p.ProcRoot) {
		v.Errorf(Path{"ports", "proc_root"}, "must be an absolute path")
	}
}
