// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package discovery

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/acme-exporter/acme_exporter/inventory"
)

// certbot layout (certbot's storage.py, account.py):
//
//	live/<lineage>/{cert,chain,fullchain,privkey}.pem  -> ../../archive/<lineage>/*N.pem
//	archive/<lineage>/{cert,chain,fullchain,privkey}N.pem
//	renewal/<lineage>.conf
//	accounts/<server host>/<server path>/<account id>/{private_key.json,regr.json,meta.json}

var archiveRE = regexp.MustCompile(`^fullchain([0-9]+)\.pem$`)

func inspectCertbot(r *Root) error {
	live := filepath.Join(r.Root, "live")
	names := map[string]bool{}
	liveEntries, err := readDir(live)
	if err != nil {
		return fmt.Errorf("certbot live/: %w", err)
	}
	for _, e := range liveEntries {
		if e.IsDir() || e.Type()&fs.ModeSymlink != 0 {
			if fi, err := os.Stat(filepath.Join(live, e.Name())); err == nil && fi.IsDir() {
				names[e.Name()] = true
			}
		}
	}
	confs, err := readDir(filepath.Join(r.Root, "renewal"))
	if err != nil {
		return fmt.Errorf("certbot renewal/: %w", err)
	}
	for _, e := range confs {
		if n, ok := strings.CutSuffix(e.Name(), ".conf"); ok && !e.IsDir() {
			names[n] = true
		}
	}
	for _, n := range sortedKeys(names) {
		r.certbotLineage(n)
	}
	r.certbotAccounts()
	for _, a := range r.referenced {
		if !slices.ContainsFunc(r.Accounts, func(x inventory.Account) bool { return x.KeyPath == a.KeyPath }) {
			r.Accounts = append(r.Accounts, a)
		}
	}
	return nil
}

func (r *Root) certbotLineage(name string) {
	l := Lineage{Client: Certbot, Name: name}
	liveDir := filepath.Join(r.Root, "live", name)
	confPath := filepath.Join(r.Root, "renewal", name+".conf")
	l.Source = confPath

	// Current files.
	switch {
	case !exists(liveDir):
		l.Problems = append(l.Problems, "live_dir_missing")
	default:
		for _, f := range []string{"fullchain.pem", "cert.pem"} {
			p := filepath.Join(liveDir, f)
			if _, err := os.Lstat(p); err == nil {
				l.CertPath = p
				r.Certs = append(r.Certs, CertFile{Client: Certbot, Name: name, Path: p, KeyPath: filepath.Join(liveDir, "privkey.pem")})
				break
			}
		}
		if l.CertPath == "" {
			l.Problems = append(l.Problems, "live_dir_empty")
		}
	}
	// History: every fullchainN.pem in archive/.
	arch := filepath.Join(r.Root, "archive", name)
	if es, err := readDir(arch); err == nil {
		for _, e := range es {
			if m := archiveRE.FindStringSubmatch(e.Name()); m != nil {
				r.Certs = append(r.Certs, CertFile{Client: Certbot, Name: name, Path: filepath.Join(arch, e.Name()),
					KeyPath: filepath.Join(arch, "privkey"+m[1]+".pem"), History: true})
			}
		}
	}

	// Renewal configuration.
	var conf *RenewalConf
	b, err := readFile(confPath)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		l.Problems = append(l.Problems, "renewal_conf_missing")
	case err != nil:
		l.Problems = append(l.Problems, "renewal_conf_unreadable")
	default:
		conf, err = ParseRenewalConf(b)
		if err != nil {
			l.Problems = append(l.Problems, "renewal_conf_invalid")
			conf = nil
		}
	}
	mode, webroots := "", map[string]string{}
	var defaultWebroot []string
	if conf != nil {
		p := conf.Params
		l.Directory = p["server"]
		r.addDirectory(l.Directory, confPath)
		mode = p["authenticator"]
		if mode == "" {
			mode = p["installer"]
		}
		l.Mode = mode
		if v := conf.Top["renew_before_expiry"]; v != "" {
			d, err := ParseInterval(v)
			if err != nil {
				l.Problems = append(l.Problems, "renew_before_expiry_invalid")
			}
			l.RenewBefore = d
		}
		if isTrue(p["must_staple"]) {
			l.MustStaple = true
			l.Problems = append(l.Problems, "must_staple")
		}
		webroots = conf.WebrootMap
		defaultWebroot = listValue(p["webroot_path"])
		if mode == "webroot" {
			var missing bool
			for _, w := range append(slices.Collect(mapValues(webroots)), defaultWebroot...) {
				if !exists(w) {
					missing = true
				}
			}
			if len(webroots) == 0 && len(defaultWebroot) == 0 {
				missing = true
			}
			if missing {
				l.Problems = append(l.Problems, "webroot_missing")
			}
		}
		for k, v := range p {
			if strings.HasSuffix(k, "_credentials") && v != "" && !exists(v) {
				l.Problems = append(l.Problems, "credentials_missing")
			}
			if (k == "manual_auth_hook" || k == "manual_cleanup_hook") && v != "" {
				if f := strings.Fields(v); len(f) > 0 && filepath.IsAbs(f[0]) && !exists(f[0]) {
					l.Problems = append(l.Problems, "hook_missing")
				}
			}
		}
		if a := p["account"]; a != "" && l.Directory != "" {
			dir := filepath.Join(r.Root, "accounts", directoryDir(l.Directory), a)
			switch _, err := os.Stat(dir); {
			case errors.Is(err, fs.ErrNotExist):
				l.Problems = append(l.Problems, "account_missing")
			case err != nil:
				// Hidden from the exporter: still name its key, so the
				// account check says the exporter cannot read it.
				r.referenced = append(r.referenced, inventory.Account{Client: Certbot, Format: "jwk",
					KeyPath: filepath.Join(dir, "private_key.json"), Directory: l.Directory, Source: confPath})
			}
		}
	}

	// Domains: the current certificate's names; else the webroot map.
	var names []string
	if l.CertPath != "" {
		if c, err := leafOf(l.CertPath); err == nil {
			names = certNames(c)
			l.Lifetime = c.NotAfter.Sub(c.NotBefore) + time.Second
			if conf != nil && Staging(l.Directory) && !stagingIssuer(c.Issuer.CommonName) {
				l.Problems = append(l.Problems, "staging_directory")
			}
		} else {
			l.Problems = append(l.Problems, "certificate_unreadable")
		}
	}
	if len(names) == 0 {
		names = sortedKeys(boolSet(mapKeys(webroots)))
	}
	for _, n := range names {
		d := inventory.Domain{Name: n, Client: Certbot, Lineage: name, Mode: mode, Challenge: challengeOf(mode),
			Directory: l.Directory, Source: confPath}
		if mode == "webroot" {
			d.Webroot = webroots[n]
			if d.Webroot == "" && len(defaultWebroot) > 0 {
				d.Webroot = defaultWebroot[0]
			}
		}
		r.Domains = append(r.Domains, d)
	}
	r.Lineages = append(r.Lineages, l)
}

// stagingIssuer: Let's Encrypt's staging intermediates say "(STAGING)"
// and older ones "Fake LE".
func stagingIssuer(cn string) bool {
	u := strings.ToUpper(cn)
	return strings.Contains(u, "STAGING") || strings.Contains(u, "FAKE")
}

var accountIDRE = regexp.MustCompile(`^[0-9a-f]{32}$`)

func (r *Root) certbotAccounts() {
	base := filepath.Join(r.Root, "accounts")
	if !exists(base) {
		return
	}
	_ = filepath.WalkDir(base, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			// An unreadable account directory still names its key.
			if p != base && accountIDRE.MatchString(filepath.Base(p)) {
				r.certbotAccount(base, p)
			}
			return fs.SkipDir
		}
		if d.IsDir() && p != base && accountIDRE.MatchString(d.Name()) {
			r.certbotAccount(base, p)
			return fs.SkipDir
		}
		return nil
	})
}

func (r *Root) certbotAccount(base, dir string) {
	rel, _ := filepath.Rel(base, filepath.Dir(dir))
	a := inventory.Account{Client: Certbot, KeyPath: filepath.Join(dir, "private_key.json"), Format: "jwk",
		Directory: "https://" + filepath.ToSlash(rel), Source: dir}
	if b, err := readFile(filepath.Join(dir, "regr.json")); err == nil {
		var regr struct {
			URI string `json:"uri"`
		}
		if json.Unmarshal(b, &regr) == nil {
			a.ID = regr.URI
			a.Source = filepath.Join(dir, "regr.json")
		}
	}
	r.addDirectory(a.Directory, a.Source)
	r.Accounts = append(r.Accounts, a)
}

// directoryDir is certbot's accounts/ sub-path for a directory URL.
func directoryDir(url string) string {
	u := strings.TrimPrefix(strings.TrimPrefix(url, "https://"), "http://")
	return filepath.FromSlash(strings.TrimSuffix(u, "/"))
}

// RenewalConf is a parsed certbot renewal configuration (ConfigObj).
type RenewalConf struct {
	Top        map[string]string
	Params     map[string]string // [renewalparams]
	WebrootMap map[string]string // [[webroot_map]]
	ARI        map[string]string // [acme_renewal_info]
}

// ParseRenewalConf parses the subset of ConfigObj syntax certbot writes:
// key = value lines, [section] and [[subsection]] headers, # comments.
func ParseRenewalConf(b []byte) (*RenewalConf, error) {
	c := &RenewalConf{Top: map[string]string{}, Params: map[string]string{}, WebrootMap: map[string]string{}, ARI: map[string]string{}}
	cur := c.Top
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "[") {
			name := strings.TrimSpace(strings.Trim(line, "[]"))
			switch {
			case !strings.HasSuffix(line, "]"):
				return nil, fmt.Errorf("line %d: bad section header", i+1)
			case name == "renewalparams":
				cur = c.Params
			case name == "webroot_map":
				cur = c.WebrootMap
			case name == "acme_renewal_info":
				cur = c.ARI
			default:
				cur = map[string]string{} // unknown sections are ignored
			}
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("line %d: expected key = value", i+1)
		}
		k = strings.TrimSpace(k)
		if k == "" {
			return nil, fmt.Errorf("line %d: empty key", i+1)
		}
		cur[k] = unquote(strings.TrimSpace(v))
	}
	return c, nil
}

func unquote(v string) string {
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		return v[1 : len(v)-1]
	}
	return v
}

// listValue splits a ConfigObj list ("a, b," or a single value).
func listValue(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = unquote(strings.TrimSpace(s)); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func isTrue(v string) bool {
	switch strings.ToLower(v) {
	case "true", "yes", "on", "1":
		return true
	}
	return false
}

var intervalRE = regexp.MustCompile(`(?i)^\s*([0-9]+)\s*([a-z]+)\s*$`)

// ParseInterval parses certbot's renew_before_expiry ("30 days", "2 weeks",
// "12 hours"); a bare number means days.
func ParseInterval(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if n, err := strconv.Atoi(s); err == nil {
		if n < 0 || n > 100000 {
			return 0, fmt.Errorf("bad interval %q", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	m := intervalRE.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("bad interval %q", s)
	}
	n, err := strconv.Atoi(m[1])
	if err != nil || n > 100000 {
		return 0, fmt.Errorf("bad interval %q", s)
	}
	unit := strings.TrimSuffix(strings.ToLower(m[2]), "s")
	var d time.Duration
	switch unit {
	case "second", "sec":
		d = time.Second
	case "minute", "min":
		d = time.Minute
	case "hour", "h":
		d = time.Hour
	case "day", "d":
		d = 24 * time.Hour
	case "week", "w":
		d = 7 * 24 * time.Hour
	case "month":
		d = 30 * 24 * time.Hour
	default:
		return 0, fmt.Errorf("bad interval unit %q", m[2])
	}
	return time.Duration(n) * d, nil
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func boolSet(ks []string) map[string]bool {
	m := map[string]bool{}
	for _, k := range ks {
		m[k] = true
	}
	return m
}

func mapKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func mapValues(m map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for _, v := range m {
			if !yield(v) {
				return
			}
		}
	}
}
