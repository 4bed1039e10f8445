// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package config

import (
	"errors"
	"fmt"
	"net/netip"
	"path/filepath"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// HTTP01 is one domain whose HTTP-01 challenge path is checked.
type HTTP01 struct {
	// Domain is the identifier the CA validates.
	Domain string `yaml:"domain"`
	// Mode is how the ACME client answers: webroot (default) and proxy
	// are probed over HTTP as the CA does; standalone checks that the
	// local port is free or held by the client.
	Mode string `yaml:"mode"`
	// Address pins the IP to connect to (no resolution); Resolver is a
	// DNS server (ip:port) asked for A and AAAA. With neither, the
	// host's resolver is used.
	Address  string `yaml:"address"`
	Resolver string `yaml:"resolver"`
	// Webroot is the directory served at /; the canary file is looked
	// for under <webroot>/.well-known/acme-challenge/.
	Webroot string `yaml:"webroot"`
	// Canary is the token (file name) of a file placed once in the
	// challenge directory. Its served body is compared byte for byte
	// with CanaryFile (default: under Webroot) or CanaryContent.
	Canary        string `yaml:"canary"`
	CanaryFile    string `yaml:"canary_file"`
	CanaryContent string `yaml:"canary_content"`
	// Clients are process names allowed to hold the port in standalone
	// mode (default certbot, lego, acme.sh, dehydrated, uacme).
	Clients []string `yaml:"clients"`
	// Timeout bounds one check; MinInterval is the minimum time
	// between two checks.
	Timeout     Duration `yaml:"timeout"`
	MinInterval Duration `yaml:"min_interval"`
	// Port and HTTPSPort replace 80 and 443 FOR TESTS ONLY: the CA
	// always connects to port 80 and follows redirects to 80 and 443.
	Port      int `yaml:"port"`
	HTTPSPort int `yaml:"https_port"`
}

// HTTP01ProbeSettings are the settings of an http01 /probe module.
type HTTP01ProbeSettings struct {
	Resolver string `yaml:"resolver"`
	// Port and HTTPSPort: for tests only, as in HTTP01.
	Port      int `yaml:"port"`
	HTTPSPort int `yaml:"https_port"`
}

// HTTP-01 defaults.
const (
	DefaultHTTP01Timeout     = 8 * time.Second
	DefaultHTTP01MinInterval = time.Minute
)

// HTTP01Modes are the accepted mode values.
var HTTP01Modes = []string{"proxy", "standalone", "webroot"}

// DefaultStandaloneClients may hold port 80 in standalone mode.
var DefaultStandaloneClients = []string{"acme.sh", "certbot", "dehydrated", "lego", "uacme"}

func init() {
	RegisterModuleKind("http01", true, func(n *yaml.Node) error {
		_, err := DecodeHTTP01Settings(n)
		return err
	})
}

// DecodeHTTP01Settings decodes and checks an http01 module's settings.
func DecodeHTTP01Settings(n *yaml.Node) (HTTP01ProbeSettings, error) {
	var s HTTP01ProbeSettings
	if n == nil || n.Kind == 0 {
		return s, nil
	}
	if err := decodeStrict(n, &s); err != nil {
		return s, err
	}
	var errs []error
	if s.Resolver != "" {
		if err := checkHostPort(s.Resolver); err != nil {
			errs = append(errs, fmt.Errorf("resolver: %w", err))
		}
	}
	if s.Port < 0 || s.Port > 65535 {
		errs = append(errs, errors.New("port: must be between 1 and 65535"))
	}
	if s.HTTPSPort < 0 || s.HTTPSPort > 65535 {
		errs = append(errs, errors.New("https_port: must be between 1 and 65535"))
	}
	return s, errors.Join(errs...)
}

// CheckDomain accepts a DNS name or an IP literal, no wildcard.
func CheckDomain(d string) error {
	if d == "" {
		return errors.New("must not be empty")
	}
	if strings.HasPrefix(d, "*.") {
		return errors.New("wildcards cannot be validated by HTTP-01 (use DNS-01)")
	}
	if _, err := netip.ParseAddr(d); err == nil {
		return nil
	}
	return CheckDNSName(strings.TrimSuffix(d, "."))
}

func validateHTTP01(v *Validator, hs []HTTP01) {
	for i := range hs {
		h := &hs[i]
		p := Path{"http01", i}
		if err := CheckDomain(h.Domain); err != nil {
			v.Errorf(p.Add("domain"), "%v", err)
		}
		h.Domain = strings.TrimSuffix(strings.ToLower(h.Domain), ".")
		if h.Mode == "" {
			h.Mode = "webroot"
		}
		if err := checkOneOf(h.Mode, HTTP01Modes); err != nil {
			v.Errorf(p.Add("mode"), "%v", err)
		}
		if h.Address != "" {
			if _, err := netip.ParseAddr(h.Address); err != nil {
				v.Errorf(p.Add("address"), "must be an IP address, got %q", h.Address)
			}
		}
		if h.Resolver != "" {
			if err := checkHostPort(h.Resolver); err != nil {
				v.Errorf(p.Add("resolver"), "%v", err)
			}
		}
		if h.Address != "" && h.Resolver != "" {
			v.Errorf(p.Add("resolver"), "set address or resolver, not both")
		}
		if h.Webroot != "" && !filepath.IsAbs(h.Webroot) {
			v.Errorf(p.Add("webroot"), "must be an absolute path")
		}
		if h.Canary != "" && strings.ContainsAny(h.Canary, "/?#% ") {
			v.Errorf(p.Add("canary"), "must be a plain token (no /, ?, #, %% or space)")
		}
		if h.CanaryFile != "" && !filepath.IsAbs(h.CanaryFile) {
			v.Errorf(p.Add("canary_file"), "must be an absolute path")
		}
		if h.CanaryFile != "" && h.CanaryContent != "" {
			v.Errorf(p.Add("canary_content"), "set canary_file or canary_content, not both")
		}
		if h.Canary != "" && h.CanaryFile == "" && h.CanaryContent == "" {
			if h.Webroot == "" {
				v.Errorf(p.Add("canary"), "needs webroot, canary_file or canary_content to compare with")
			} else {
				h.CanaryFile = filepath.Join(h.Webroot, ".well-known", "acme-challenge", h.Canary)
			}
		}
		if h.Canary == "" && (h.CanaryFile != "" || h.CanaryContent != "") {
			v.Errorf(p.Add("canary"), "must be set when canary_file or canary_content is")
		}
		if h.Mode == "standalone" && h.Canary != "" {
			v.Errorf(p.Add("canary"), "has no meaning in standalone mode (nothing serves the path between renewals)")
		}
		if len(h.Clients) == 0 {
			h.Clients = DefaultStandaloneClients
		}
		if h.Timeout == 0 {
			h.Timeout = Duration(DefaultHTTP01Timeout)
		}
		if h.Timeout < 0 {
			v.Errorf(p.Add("timeout"), "must not be negative")
		}
		if h.MinInterval == 0 {
			h.MinInterval = Duration(DefaultHTTP01MinInterval)
		}
		if h.MinInterval < 0 {
			v.Errorf(p.Add("min_interval"), "must not be negative")
		}
		if h.Port < 0 || h.Port > 65535 {
			v.Errorf(p.Add("port"), "must be between 1 and 65535")
		}
		if h.HTTPSPort < 0 || h.HTTPSPort > 65535 {
			v.Errorf(p.Add("https_port"), "must be between 1 and 65535")
		}
	}
}
