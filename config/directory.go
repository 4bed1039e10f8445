// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package config

import (
	"crypto/x509"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// ACMEDirectories is the `acme_directories:` section.
type ACMEDirectories struct {
	// Default is the directory checked when none is configured and
	// discovery found none. Absent: Let's Encrypt production (not in
	// tests); "" (an empty string): none.
	Default *string `yaml:"default"`
	// Directories are checked in addition to discovered ones.
	Directories []ACMEDirectory `yaml:"directories"`
	// MinInterval between two checks of one directory. Default 1m.
	MinInterval Duration `yaml:"min_interval"`
	// Timeout of one check (directory GET and newNonce HEAD). Default 10s.
	Timeout Duration `yaml:"timeout"`
}

// ACMEDirectory is one ACME directory URL with how to reach it.
type ACMEDirectory struct {
	URL string `yaml:"url"`
	// Address, when set, is the ip:port dialled for the URL's host (the
	// name stays in SNI and Host).
	Address string `yaml:"address"`
	// Resolver, when set, is a DNS server ip:port used instead of the
	// host's resolver.
	Resolver string `yaml:"resolver"`
	// TLSCAFile holds PEM roots that, instead of the global roots, verify
	// the directory's TLS certificate (a test CA such as Pebble).
	TLSCAFile string `yaml:"tls_ca_file"`
	// Issuers are issuer common names (or path.Match patterns) whose
	// certificates this directory issued, for ARI when discovery does not
	// say which directory issued a certificate. ARI asks a directory only
	// about certificates it claims this way (Let's Encrypt's directories
	// claim Let's Encrypt's intermediates by default).
	Issuers []string `yaml:"issuers"`
	// MinInterval overrides the section's min_interval.
	MinInterval Duration `yaml:"min_interval"`

	// Roots is loaded from TLSCAFile by validation.
	Roots *x509.CertPool `yaml:"-"`
}

// Defaults of the acme_directories section.
const (
	LetsEncryptProduction    = "https://acme-v02.api.letsencrypt.org/directory"
	LetsEncryptStaging       = "https://acme-staging-v02.api.letsencrypt.org/directory"
	DefaultDirectoryInterval = time.Minute
	DefaultDirectoryTimeout  = 10 * time.Second
	MinDirectoryInterval     = 10 * time.Second
)

// DefaultDirectory returns the default directory URL ("" for none).
func (d *ACMEDirectories) DefaultDirectory() string {
	if d.Default == nil {
		return ""
	}
	return *d.Default
}

func (d *ACMEDirectories) validate(v *Validator) {
	p := Path{"acme_directories"}
	if d.Default == nil {
		def := LetsEncryptProduction
		if OfflineDefaults {
			def = ""
		}
		d.Default = &def
	} else if *d.Default != "" {
		if err := checkHTTPSURL(*d.Default); err != nil {
			v.Errorf(p.Add("default"), "%v", err)
		}
	}
	if d.MinInterval == 0 {
		d.MinInterval = Duration(DefaultDirectoryInterval)
	}
	if d.MinInterval < Duration(MinDirectoryInterval) {
		v.Errorf(p.Add("min_interval"), "must be at least %s (the CA limits requests per IP)", MinDirectoryInterval)
	}
	if d.Timeout == 0 {
		d.Timeout = Duration(DefaultDirectoryTimeout)
	}
	if d.Timeout < 0 {
		v.Errorf(p.Add("timeout"), "must not be negative")
	}
	seen := map[string]bool{}
	for i := range d.Directories {
		e := &d.Directories[i]
		ep := p.Add("directories").Add(i)
		if err := checkHTTPSURL(e.URL); err != nil {
			v.Errorf(ep.Add("url"), "%v", err)
		} else if seen[e.URL] {
			v.Errorf(ep.Add("url"), "duplicate directory %q", e.URL)
		}
		seen[e.URL] = true
		if e.Address != "" {
			if err := checkHostPort(e.Address); err != nil {
				v.Errorf(ep.Add("address"), "%v", err)
			}
		}
		if e.Resolver != "" {
			if err := checkHostPort(e.Resolver); err != nil {
				v.Errorf(ep.Add("resolver"), "%v", err)
			}
		}
		if e.TLSCAFile != "" {
			b, err := os.ReadFile(e.TLSCAFile)
			if err != nil {
				v.Errorf(ep.Add("tls_ca_file"), "%v", err)
			} else {
				pool := x509.NewCertPool()
				if !pool.AppendCertsFromPEM(b) {
					v.Errorf(ep.Add("tls_ca_file"), "no PEM certificates in %s", e.TLSCAFile)
				} else {
					e.Roots = pool
				}
			}
		}
		if e.MinInterval == 0 {
			e.MinInterval = d.MinInterval
		}
		if e.MinInterval < Duration(MinDirectoryInterval) {
			v.Errorf(ep.Add("min_interval"), "must be at least %s (the CA limits requests per IP)", MinDirectoryInterval)
		}
		for j, is := range e.Issuers {
			if strings.TrimSpace(is) == "" {
				v.Errorf(ep.Add("issuers").Add(j), "must not be empty")
			}
		}
	}
}

func checkHTTPSURL(s string) error {
	if s == "" {
		return errorf("must not be empty")
	}
	u, err := url.Parse(s)
	if err != nil {
		return errorf("bad URL %q", s)
	}
	if u.Scheme != "https" || u.Host == "" {
		return errorf("%q must be an absolute https URL", s)
	}
	return nil
}

func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }

// ACMEDirectoryProbeSettings are the settings of an acme_directory /probe
// module.
type ACMEDirectoryProbeSettings struct {
	// Resolver, when set, is a DNS server ip:port that resolves the
	// target URL's host instead of the host's resolver.
	Resolver string `yaml:"resolver"`
}

func init() {
	RegisterModuleKind("acme_directory", true, func(n *yaml.Node) error {
		_, err := DecodeACMEDirectorySettings(n)
		return err
	})
}

// DecodeACMEDirectorySettings decodes and checks an acme_directory module's
// settings.
func DecodeACMEDirectorySettings(n *yaml.Node) (ACMEDirectoryProbeSettings, error) {
	var s ACMEDirectoryProbeSettings
	if n == nil || n.Kind == 0 {
		return s, nil
	}
	if err := decodeStrict(n, &s); err != nil {
		return s, err
	}
	if s.Resolver != "" {
		if err := checkHostPort(s.Resolver); err != nil {
			return s, fmt.Errorf("resolver: %w", err)
		}
	}
	return s, nil
}
