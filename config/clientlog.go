// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package config

import (
	"slices"
)

// ClientLogs configures the tailing of ACME client logs for problem types.
// Discovered client logs are tailed too.
type ClientLogs struct {
	Files []ClientLogFile `yaml:"files"`
	// MaxLineBytes: longer lines are cut to this many bytes (the rest of
	// the line is skipped), so one huge line cannot exhaust memory.
	MaxLineBytes int `yaml:"max_line_bytes"`
	// MaxReadBytes bounds what one scrape reads from one log; the rest is
	// read by the next scrapes.
	MaxReadBytes int64 `yaml:"max_read_bytes"`
}

// ClientLogFile is one log file.
type ClientLogFile struct {
	// Path is the live log file (not a glob); it may not exist yet.
	Path string `yaml:"path"`
	// Format: certbot, lego, caddy-json or auto (the default).
	Format string `yaml:"format"`
}

// Client log defaults.
const (
	DefaultMaxLineBytes = 64 << 10
	DefaultMaxReadBytes = 16 << 20
)

// ClientLogFormats are the accepted formats.
var ClientLogFormats = []string{"auto", "certbot", "lego", "caddy-json"}

func (c *ClientLogs) validate(v *Validator) {
	if c.MaxLineBytes == 0 {
		c.MaxLineBytes = DefaultMaxLineBytes
	}
	if c.MaxLineBytes < 256 || c.MaxLineBytes > 16<<20 {
		v.Errorf(Path{"client_logs", "max_line_bytes"}, "must be between 256 and 16777216")
	}
	if c.MaxReadBytes == 0 {
		c.MaxReadBytes = DefaultMaxReadBytes
	}
	if c.MaxReadBytes < 4096 {
		v.Errorf(Path{"client_logs", "max_read_bytes"}, "must be at least 4096")
	}
	seen := map[string]bool{}
	for i := range c.Files {
		f := &c.Files[i]
		p := Path{"client_logs", "files", i}
		switch {
		case f.Path == "":
			v.Errorf(p.Add("path"), "must not be empty")
		case !isAbs(f.Path):
			v.Errorf(p.Add("path"), "must be an absolute path")
		case seen[f.Path]:
			v.Errorf(p.Add("path"), "duplicate log %q", f.Path)
		}
		seen[f.Path] = true
		if f.Format == "" {
			f.Format = "auto"
		}
		if !slices.Contains(ClientLogFormats, f.Format) {
			v.Errorf(p.Add("format"), "unknown format %q (one of %v)", f.Format, ClientLogFormats)
		}
	}
}
