// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package discovery

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/acme-exporter/acme_exporter/config"
	"github.com/acme-exporter/acme_exporter/inventory"
)

// Overrides are directories given on the command line; a non-empty list
// replaces the config's list for that client.
type Overrides struct {
	CertbotDirs, LegoDirs, CaddyDirs, AutocertDirs, AcmeShDirs []string
	CertbotLogDirs                                             []string
	SystemdTimerDir                                            string
	// NoDefaults: look only where told, never in the clients' default
	// locations.
	NoDefaults bool
	// RootFS is where the host's root file system is mounted (a container
	// that mounts the host's / read-only at /host sets /host): default
	// locations are looked up below it. Configured and flag-given
	// directories are taken as they are.
	RootFS string
}

// under returns p below the RootFS.
func (o Overrides) under(p string) string {
	if o.RootFS == "" || o.RootFS == "/" {
		return p
	}
	return filepath.Join(o.RootFS, p)
}

// Apply returns d with the overrides in place.
func (o Overrides) Apply(d config.Discovery) config.Discovery {
	set := func(dst *[]string, src []string) {
		if len(src) > 0 {
			*dst = src
		}
	}
	set(&d.CertbotDirs, o.CertbotDirs)
	set(&d.LegoDirs, o.LegoDirs)
	set(&d.CaddyDirs, o.CaddyDirs)
	set(&d.AutocertDirs, o.AutocertDirs)
	set(&d.AcmeShDirs, o.AcmeShDirs)
	if slices.Equal(d.CertbotLogDirs, config.DefaultCertbotLogDirs) {
		d.CertbotLogDirs = []string{o.under(config.DefaultCertbotLogDirs[0])}
	}
	set(&d.CertbotLogDirs, o.CertbotLogDirs)
	if d.SystemdTimerDir == config.DefaultSystemdTimerDir {
		d.SystemdTimerDir = o.under(d.SystemdTimerDir)
	}
	if o.SystemdTimerDir != "" {
		d.SystemdTimerDir = o.SystemdTimerDir
	}
	return d
}

// Candidates returns the roots to look at for each client: the configured
// (or overridden) ones, else the client's default locations. explicit
// roots that do not exist are reported by Scan; default ones are skipped.
func Candidates(d config.Discovery, o Overrides) map[string]roots {
	pick := func(flag, conf []string, defaults func() []string) roots {
		if o.NoDefaults {
			defaults = nil
		}
		switch {
		case len(flag) > 0:
			return roots{dirs: flag, explicit: true}
		case len(conf) > 0:
			return roots{dirs: conf, explicit: true}
		case defaults != nil:
			var dirs []string
			for _, d := range defaults() {
				dirs = append(dirs, o.under(d))
			}
			return roots{dirs: dedup(dirs)}
		}
		return roots{}
	}
	return map[string]roots{
		Certbot:  pick(o.CertbotDirs, d.CertbotDirs, func() []string { return []string{"/etc/letsencrypt"} }),
		Lego:     pick(o.LegoDirs, d.LegoDirs, func() []string { return homes(o, ".lego") }),
		Caddy:    pick(o.CaddyDirs, d.CaddyDirs, caddyDefaults),
		Autocert: pick(o.AutocertDirs, d.AutocertDirs, nil), // only when configured
		AcmeSh:   pick(o.AcmeShDirs, d.AcmeShDirs, func() []string { return homes(o, ".acme.sh") }),
	}
}

type roots struct {
	dirs     []string
	explicit bool
}

// homes lists sub below root's home, the exporter's home and /home/*
// (the host's /home/* when o.RootFS is set; Candidates puts the returned
// paths below it).
func homes(o Overrides, sub string) []string {
	out := []string{filepath.Join("/root", sub)}
	if h, err := os.UserHomeDir(); err == nil {
		out = append(out, filepath.Join(h, sub))
	}
	if m, err := filepath.Glob(filepath.Join(o.under("/home"), "*", sub)); err == nil {
		for _, p := range m {
			rel, _ := filepath.Rel(o.under("/"), p)
			out = append(out, "/"+rel)
		}
	}
	return dedup(out)
}

// caddyDefaults: the Debian/RPM package's caddy user has its home in
// /var/lib/caddy; Caddy uses $XDG_DATA_HOME/caddy or ~/.local/share/caddy.
func caddyDefaults() []string {
	out := []string{"/var/lib/caddy/.local/share/caddy", "/root/.local/share/caddy"}
	if x := os.Getenv("XDG_DATA_HOME"); x != "" {
		out = append(out, filepath.Join(x, "caddy"))
	}
	if h, err := os.UserHomeDir(); err == nil {
		out = append(out, filepath.Join(h, ".local", "share", "caddy"))
	}
	return dedup(out)
}

func dedup(s []string) []string {
	var out []string
	for _, p := range s {
		p = cleanAbs(p)
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// Result is one scan.
type Result struct {
	Roots    []*Root
	Snapshot *inventory.Snapshot
	// Errors: explicit roots that could not be read, by path.
	Errors map[string]error
}

// Scan inspects every candidate root. certbotLogs are the directories
// holding certbot's letsencrypt.log.
func Scan(d config.Discovery, o Overrides, now time.Time) *Result {
	res := &Result{Errors: map[string]error{}}
	cands := Candidates(d, o)
	for _, client := range Clients {
		rs := cands[client]
		for _, dir := range dedup(rs.dirs) {
			r, err := Inspect(client, dir)
			if err != nil {
				if !rs.explicit && errors.Is(err, fs.ErrNotExist) {
					continue // a default location without that client
				}
				res.Errors[dir] = err
				if r == nil {
					// Keep a root the operator named (or one that exists
					// but cannot be read) so its checks report why.
					r = &Root{Client: client, Root: dir, unreadable: true}
				}
				r.err = err
			}
			res.Roots = append(res.Roots, r)
		}
	}
	res.Snapshot = Snapshot(res.Roots, now)
	if slices.ContainsFunc(res.Roots, func(r *Root) bool { return r.Client == Certbot }) {
		for _, dir := range o.Apply(d).CertbotLogDirs {
			if p := filepath.Join(dir, "letsencrypt.log"); exists(p) {
				res.Snapshot.Logs = append(res.Snapshot.Logs, inventory.LogFile{Client: Certbot, Path: p, Format: "certbot"})
			}
		}
	}
	return res
}

// Summary is what a scan found, as slog attributes: the operator's first
// look at what the exporter will check, logged at info after every scan.
func (r *Result) Summary() []any {
	var clients []string
	lineages, current, history := 0, 0, 0
	for _, root := range r.Roots {
		clients = append(clients, root.Client+":"+root.Root)
		lineages += len(root.Lineages)
		for _, f := range root.Certs {
			if f.History {
				history++
			} else {
				current++
			}
		}
	}
	if len(clients) == 0 {
		clients = []string{"none"}
	}
	names := map[string]bool{}
	for _, d := range r.Snapshot.Domains {
		names[d.Name] = true
	}
	return []any{"clients", strings.Join(clients, ","), "lineages", lineages, "certificate_files", current,
		"history_files", history, "accounts", len(r.Snapshot.Accounts), "domains", len(names),
		"directories", len(r.Snapshot.Directories), "logs", len(r.Snapshot.Logs), "unreadable_roots", len(r.Errors)}
}

// Scanner keeps the latest scan and rescans on an interval and on reload.
type Scanner struct {
	logger    *slog.Logger
	now       func() time.Time
	overrides Overrides

	mu      sync.Mutex
	enabled bool
	conf    config.Discovery
	latest  *Result
	kick    chan struct{}

	augMu  sync.Mutex
	augIn  *config.Config
	augRes *Result
	augOut *config.Config
}

// NewScanner returns an idle scanner.
func NewScanner(logger *slog.Logger, now func() time.Time, o Overrides) *Scanner {
	if now == nil {
		now = time.Now
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Scanner{logger: logger, now: now, overrides: o, kick: make(chan struct{}, 1)}
}

// Configure applies a (re)loaded configuration and rescans at once.
func (s *Scanner) Configure(c *config.Config) {
	s.mu.Lock()
	was, first := s.enabled, s.latest == nil
	s.enabled = c.DiscoveryEnabled()
	s.conf = c.Discovery
	s.mu.Unlock()
	if !c.DiscoveryEnabled() && (was || first) {
		s.logger.Info("Discovery is off: the config file says discovery.enabled: false")
	}
	s.Rescan()
}

// Rescan scans now (synchronously).
func (s *Scanner) Rescan() {
	s.mu.Lock()
	enabled, conf := s.enabled, s.conf
	s.mu.Unlock()
	var res *Result
	if enabled {
		res = Scan(conf, s.overrides, s.now())
		for dir, err := range res.Errors {
			s.logger.Warn("Discovery cannot read a client root", "root", dir, "err", err)
		}
		s.logger.Info("Discovery scan done", res.Summary()...)
	} else {
		res = &Result{Snapshot: &inventory.Snapshot{}, Errors: map[string]error{}}
	}
	s.mu.Lock()
	s.latest = res
	s.mu.Unlock()
}

// Run rescans every configured interval until ctx ends.
func (s *Scanner) Run(ctx context.Context) {
	for {
		s.mu.Lock()
		every := s.conf.Interval.D()
		s.mu.Unlock()
		if every <= 0 {
			every = config.DefaultDiscoveryEvery
		}
		t := time.NewTimer(every)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
			s.Rescan()
		}
	}
}

// Latest returns the last scan (never nil).
func (s *Scanner) Latest() *Result {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.latest == nil {
		return &Result{Snapshot: &inventory.Snapshot{}, Errors: map[string]error{}}
	}
	return s.latest
}

// Snapshot returns the latest snapshot (never nil).
func (s *Scanner) Snapshot() *inventory.Snapshot { return s.Latest().Snapshot }

// Augment returns c with the discovered certificate files added: current
// files as lifecycle entries (with their name and key file), history files
// as History entries, skipping any path the config already lists (as a
// path or through a glob). The result is cached per (config, scan).
func (s *Scanner) Augment(c *config.Config) *config.Config {
	res := s.Latest()
	s.augMu.Lock()
	defer s.augMu.Unlock()
	if s.augIn == c && s.augRes == res {
		return s.augOut
	}
	out := Merge(c, res.Roots)
	if d := s.overrides.Apply(c.Discovery); !reflect.DeepEqual(d, c.Discovery) {
		if out == c {
			cp := *c
			out = &cp
		}
		out.Discovery = d
	}
	s.augIn, s.augRes, s.augOut = c, res, out
	return out
}

// Merge adds the certificate files of roots to a copy of c.
func Merge(c *config.Config, rs []*Root) *config.Config {
	var add []config.CertificateFile
	seen := map[string]bool{} // a host can hold tens of thousands of files
	for _, r := range rs {
		for _, f := range r.Certs {
			if seen[f.Path] || configured(c, f.Path) {
				continue
			}
			seen[f.Path] = true
			add = append(add, config.CertificateFile{Path: f.Path, Name: f.Name, KeyFile: f.KeyPath, Client: f.Client, History: f.History})
		}
	}
	if len(add) == 0 {
		return c
	}
	cp := *c
	cp.CertificateFiles = append(slices.Clip(c.CertificateFiles), add...)
	return &cp
}

func configured(c *config.Config, path string) bool {
	for _, f := range c.CertificateFiles {
		if f.Path == path {
			return true
		}
		if ok, _ := filepath.Match(f.Path, path); ok {
			return true
		}
		// The same file through a symlink (live/ -> archive/) is not the
		// same target: live/ is current, archive/ history.
	}
	return false
}
