// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

// Package config loads, validates and reloads the exporter's YAML configuration.
//
// Loading is strict: unknown keys are errors, and every validation error names
// the file, the line and the field, so an operator fixing a bad reload at 3 a.m.
// goes straight to the mistake.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"go.yaml.in/yaml/v3"
)

// Config is the whole configuration file.
type Config struct {
	Global           Global             `yaml:"global"`
	Discovery        Discovery          `yaml:"discovery"`
	CertificateFiles []CertificateFile  `yaml:"certificate_files"`
	Modules          map[string]*Module `yaml:"modules"`

	// The sections of the other check families, one field each, each
	// declared and validated in its own file.
	Clock           Clock           `yaml:"clock"`
	ACMEDirectories ACMEDirectories `yaml:"acme_directories"`
	ARI             ARI             `yaml:"ari"`
	CRL             CRL             `yaml:"crl"`
	DNS01           DNS01           `yaml:",inline"`
	Accounts        Accounts        `yaml:"accounts"`
	RateLimits      RateLimits      `yaml:"rate_limits"`
	ClientLogs      ClientLogs      `yaml:"client_logs"`
	Endpoints       []Endpoint      `yaml:"endpoints"`
	HTTP01          []HTTP01        `yaml:"http01"`
	Ports           Ports           `yaml:"ports"`
}

// Global holds settings shared by every check.
type Global struct {
	// ScrapeTimeout is the deadline used when Prometheus sends no
	// X-Prometheus-Scrape-Timeout-Seconds header.
	ScrapeTimeout Duration `yaml:"scrape_timeout"`
	// TimeoutOffset is subtracted from the scrape timeout so the reply
	// reaches Prometheus before it gives up.
	TimeoutOffset Duration `yaml:"timeout_offset"`
	// Concurrency bounds the checks that run at once.
	Concurrency int `yaml:"concurrency"`
	// CAFile adds trust roots (PEM) to, or with SystemRoots false replaces,
	// the system pool used for chain verification.
	CAFile      string `yaml:"ca_file"`
	SystemRoots *bool  `yaml:"system_roots"`
	// ProbeConcurrency bounds concurrent /probe requests.
	ProbeConcurrency int `yaml:"probe_concurrency"`
	// RunAs is the user the ACME client runs as, for permission checks.
	RunAs string `yaml:"run_as"`
}

// Discovery controls zero-config discovery of ACME clients on the host.
type Discovery struct {
	// Enabled defaults to true, with or without a config file: adding one
	// endpoint to a host must not silently drop what was discovered.
	Enabled *bool `yaml:"enabled"`
	// Interval between rescans; a reload also rescans.
	Interval Duration `yaml:"interval"`
	// Roots of client layouts; empty means each client's default location.
	CertbotDirs  []string `yaml:"certbot_dirs"`
	LegoDirs     []string `yaml:"lego_dirs"`
	CaddyDirs    []string `yaml:"caddy_dirs"`
	AutocertDirs []string `yaml:"autocert_dirs"`
	AcmeShDirs   []string `yaml:"acmesh_dirs"`
	// CertbotLogDirs hold certbot's letsencrypt.log (its --logs-dir).
	CertbotLogDirs []string `yaml:"certbot_log_dirs"`
	// SystemdTimerDir holds systemd's persistent timer stamps
	// (stamp-<unit>.timer), read for the renewal job's last run.
	SystemdTimerDir string `yaml:"systemd_timer_dir"`
}

// CertificateFile is one path or glob of certificate files to check.
type CertificateFile struct {
	// Path is a file path or a glob (filepath.Match syntax).
	Path string `yaml:"path"`
	// Name joins file, endpoint and ARI series of one certificate. When
	// empty it is derived: certbot's live/<name>/, else the file's base
	// name without extension.
	Name string `yaml:"name"`
	// KeyFile is the private key to match against the leaf. When empty, a
	// sibling key is looked for (privkey.pem, <base>.key).
	KeyFile string `yaml:"key_file"`
	// Client is the ACME client that wrote the file, when known.
	Client string `yaml:"client"`
	// History marks files kept only for rate-limit history (certbot's
	// archive/): they feed the inventory but export no lifecycle series.
	History bool `yaml:"history"`
	// MinInterval is the minimum time between two reads; 0 reads on
	// every scrape (the parse cache keeps that cheap).
	MinInterval Duration `yaml:"min_interval"`
}

// Module is a /probe module: a check kind and the targets it accepts.
type Module struct {
	Kind    string   `yaml:"kind"`
	Timeout Duration `yaml:"timeout"`
	// FileRoots confine file targets, checked after resolving symlinks.
	FileRoots []string `yaml:"file_roots"`
	// Names are shell patterns (path.Match) a target host must match.
	Names []string `yaml:"names"`
	// AllowCIDRs and DenyCIDRs are checked on every resolved address,
	// inside the dialer, so DNS rebinding and redirects cannot escape.
	AllowCIDRs []string `yaml:"allow_cidrs"`
	DenyCIDRs  []string `yaml:"deny_cidrs"`
	// Settings for the check kind, validated by the kind.
	Settings yaml.Node `yaml:"settings"`
}

// Defaults.
const (
	DefaultScrapeTimeout    = 10 * time.Second
	DefaultTimeoutOffset    = 500 * time.Millisecond
	DefaultConcurrency      = 16
	DefaultProbeConcurrency = 8
	DefaultDiscoveryEvery   = 5 * time.Minute
)

// Load reads and validates the file at path.
func Load(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return loadBytes(path, b)
}

func loadBytes(path string, b []byte) (*Config, error) {
	c, err := Parse(b)
	var errs *Errors
	if errors.As(err, &errs) {
		errs.File = path
		return nil, errs
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// Parse decodes and validates a configuration. Its error is an *Errors:
// every problem with its line and field, in line order.
func Parse(b []byte) (*Config, error) {
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&root); err != nil && !errors.Is(err, io.EOF) {
		return nil, syntaxErrors(err, b)
	}
	c := &Config{}
	if len(b) > 0 && root.Kind != 0 {
		strict := yaml.NewDecoder(bytes.NewReader(b))
		strict.KnownFields(true)
		if err := strict.Decode(c); err != nil && !errors.Is(err, io.EOF) {
			return nil, decodeErrors(err, &root)
		}
	}
	v := &Validator{root: &root}
	c.validate(v)
	if err := v.err(); err != nil {
		return nil, err
	}
	return c, nil
}

// Default returns the configuration used when no file is given.
func Default() *Config {
	c, err := Parse(nil)
	if err != nil {
		panic(err)
	}
	return c
}

// DiscoveryEnabled says whether discovery runs: unless the file says
// discovery.enabled: false.
func (c *Config) DiscoveryEnabled() bool {
	return c.Discovery.Enabled == nil || *c.Discovery.Enabled
}

func (c *Config) validate(v *Validator) {
	g := &c.Global
	if g.ScrapeTimeout == 0 {
		g.ScrapeTimeout = Duration(DefaultScrapeTimeout)
	}
	if g.TimeoutOffset == 0 {
		g.TimeoutOffset = Duration(DefaultTimeoutOffset)
	}
	if g.TimeoutOffset >= g.ScrapeTimeout {
		v.Errorf(Path{"global", "timeout_offset"}, "must be shorter than scrape_timeout (%s)", g.ScrapeTimeout)
	}
	if g.Concurrency == 0 {
		g.Concurrency = DefaultConcurrency
	}
	if g.Concurrency < 0 {
		v.Errorf(Path{"global", "concurrency"}, "must be positive")
	}
	if g.ProbeConcurrency == 0 {
		g.ProbeConcurrency = DefaultProbeConcurrency
	}
	if g.ProbeConcurrency < 0 {
		v.Errorf(Path{"global", "probe_concurrency"}, "must be positive")
	}
	if g.CAFile != "" {
		if _, err := os.Stat(g.CAFile); err != nil {
			v.Errorf(Path{"global", "ca_file"}, "%v", err)
		}
	}
	if c.Discovery.Interval == 0 {
		c.Discovery.Interval = Duration(DefaultDiscoveryEvery)
	}
	if c.Discovery.Interval < Duration(10*time.Second) {
		v.Errorf(Path{"discovery", "interval"}, "must be at least 10s")
	}
	c.Discovery.validate(v)
	for i := range c.CertificateFiles {
		f := &c.CertificateFiles[i]
		p := Path{"certificate_files", i}
		if f.Path == "" {
			v.Errorf(p.Add("path"), "must not be empty")
		} else if err := checkGlob(f.Path); err != nil {
			v.Errorf(p.Add("path"), "%v", err)
		}
		if f.MinInterval < 0 {
			v.Errorf(p.Add("min_interval"), "must not be negative")
		}
	}
	for name, m := range c.Modules {
		p := Path{"modules", name}
		if m == nil {
			v.Errorf(p, "must not be empty")
			continue
		}
		m.validate(v, p)
	}
	c.Clock.validate(v)
	c.ACMEDirectories.validate(v)
	c.ARI.validate(v)
	c.CRL.validate(v)
	c.DNS01.validate(v)
	c.Accounts.validate(v)
	c.RateLimits.validate(v)
	c.ClientLogs.validate(v)
	validateEndpoints(v, c.Endpoints)
	validateHTTP01(v, c.HTTP01)
	c.Ports.validate(v)
}

func (m *Module) validate(v *Validator, p Path) {
	if m.Kind == "" {
		v.Errorf(p.Add("kind"), "must be set (one of %v)", ModuleKinds())
	} else if _, ok := moduleKinds[m.Kind]; !ok {
		v.Errorf(p.Add("kind"), "unknown kind %q (one of %v)", m.Kind, ModuleKinds())
	}
	for i, r := range m.FileRoots {
		if !isAbs(r) {
			v.Errorf(p.Add("file_roots").Add(i), "must be an absolute path")
		}
	}
	for i, n := range m.Names {
		if err := checkPattern(n); err != nil {
			v.Errorf(p.Add("names").Add(i), "%v", err)
		}
	}
	for i, s := range m.AllowCIDRs {
		if err := checkCIDR(s); err != nil {
			v.Errorf(p.Add("allow_cidrs").Add(i), "%v", err)
		}
	}
	for i, s := range m.DenyCIDRs {
		if err := checkCIDR(s); err != nil {
			v.Errorf(p.Add("deny_cidrs").Add(i), "%v", err)
		}
	}
	if m.Timeout < 0 {
		v.Errorf(p.Add("timeout"), "must not be negative")
	}
	if k, ok := moduleKinds[m.Kind]; ok && k.needsNet && len(m.Names) == 0 && len(m.AllowCIDRs) == 0 {
		v.Errorf(p, "a %s module must list names or allow_cidrs: /probe is no open proxy", m.Kind)
	}
	if k, ok := moduleKinds[m.Kind]; ok && !k.needsNet && len(m.FileRoots) == 0 {
		v.Errorf(p.Add("file_roots"), "a %s module must list at least one root", m.Kind)
	}
	if k, ok := moduleKinds[m.Kind]; ok && m.Settings.Kind != 0 {
		if k.settings == nil {
			v.Errorf(p.Add("settings"), "a %s module takes no settings", m.Kind)
		} else if err := k.settings(&m.Settings); err != nil {
			v.Errorf(p.Add("settings"), "%v", err)
		}
	}
}

type moduleKind struct {
	needsNet bool
	settings func(*yaml.Node) error
}

var moduleKinds = map[string]moduleKind{
	"certificate_file": {},
}

// RegisterModuleKind makes a /probe module kind known to validation.
// needsNet kinds require names or CIDRs; others require file roots.
// settings, when not nil, validates the module's settings block.
func RegisterModuleKind(kind string, needsNet bool, settings func(*yaml.Node) error) {
	moduleKinds[kind] = moduleKind{needsNet: needsNet, settings: settings}
}

// ModuleKinds lists the known kinds.
func ModuleKinds() []string {
	out := make([]string, 0, len(moduleKinds))
	for k := range moduleKinds {
		out = append(out, k)
	}
	sortStrings(out)
	return out
}
