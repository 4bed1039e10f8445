// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package discovery

import (
	"bufio"
	"bytes"
	"fmt"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/acme-exporter/acme_exporter/inventory"
)

// acme.sh home (~/.acme.sh, LE_CONFIG_HOME):
//
//	<domain>/ (RSA) or <domain>_ecc/: <domain>.cer, <domain>.key, ca.cer,
//	    fullchain.cer, <domain>.conf (Le_* shell variables), backup/
//	ca/<CA host>/<CA path>/{account.key,account.json,ca.conf}
//	acme.sh.log when LOG_FILE is set

// ParseShellVars parses the KEY='value' lines acme.sh writes.
func ParseShellVars(b []byte) map[string]string {
	out := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 4096), maxFile)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		k, v, ok := strings.Cut(line, "=")
		if !ok || k == "" || strings.ContainsAny(k, " \t") {
			continue
		}
		out[k] = unquote(strings.TrimSpace(v))
	}
	return out
}

func inspectAcmeSh(r *Root) error {
	es, err := readDir(r.Root)
	if err != nil {
		return fmt.Errorf("acme.sh home: %w", err)
	}
	for _, e := range es {
		if !e.IsDir() {
			continue
		}
		dom := strings.TrimSuffix(e.Name(), "_ecc")
		dir := filepath.Join(r.Root, e.Name())
		if conf := filepath.Join(dir, dom+".conf"); exists(conf) {
			r.acmeshCert(dir, dom, e.Name())
		}
	}
	caDir := filepath.Join(r.Root, "ca")
	if exists(caDir) {
		_ = filepath.WalkDir(caDir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || d.Name() != "account.key" {
				return nil
			}
			rel, _ := filepath.Rel(caDir, filepath.Dir(p))
			a := inventory.Account{Client: AcmeSh, KeyPath: p, Format: "pem", Source: p,
				Directory: "https://" + filepath.ToSlash(rel)}
			if b, err := readFile(filepath.Join(filepath.Dir(p), "ca.conf")); err == nil {
				v := ParseShellVars(b)
				a.ID = v["ACCOUNT_URL"]
				a.Source = filepath.Join(filepath.Dir(p), "ca.conf")
			}
			r.addDirectory(a.Directory, a.Source)
			r.Accounts = append(r.Accounts, a)
			return nil
		})
	}
	if l := filepath.Join(r.Root, "acme.sh.log"); exists(l) {
		r.Logs = append(r.Logs, inventory.LogFile{Client: AcmeSh, Path: l, Format: "acmesh"})
	}
	return nil
}

func (r *Root) acmeshCert(dir, dom, name string) {
	conf := filepath.Join(dir, dom+".conf")
	l := Lineage{Client: AcmeSh, Name: name, Source: conf}
	full := filepath.Join(dir, "fullchain.cer")
	if exists(full) {
		l.CertPath = full
		r.Certs = append(r.Certs, CertFile{Client: AcmeSh, Name: name, Path: full, KeyPath: filepath.Join(dir, dom+".key")})
	} else {
		l.Problems = append(l.Problems, "certificate_missing")
	}
	if b := filepath.Join(dir, "backup", "fullchain.bak"); exists(b) {
		r.Certs = append(r.Certs, CertFile{Client: AcmeSh, Name: name, Path: b, KeyPath: filepath.Join(dir, "backup", "key.bak"), History: true})
	}
	b, err := readFile(conf)
	if err != nil {
		l.Problems = append(l.Problems, "renewal_conf_unreadable")
		r.Lineages = append(r.Lineages, l)
		return
	}
	v := ParseShellVars(b)
	l.Directory = v["Le_API"]
	r.addDirectory(l.Directory, conf)
	if s := v["Le_NextRenewTime"]; s != "" {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil && n > 0 {
			l.Scheduled = time.Unix(n, 0).UTC()
		} else {
			l.Problems = append(l.Problems, "next_renew_time_invalid")
		}
	}
	if v["Le_OCSP_Staple"] == "1" {
		l.MustStaple = true
		l.Problems = append(l.Problems, "must_staple")
	}
	mode, webroot := acmeshMode(v["Le_Webroot"])
	l.Mode = mode
	if mode == "webroot" && !exists(webroot) {
		l.Problems = append(l.Problems, "webroot_missing")
	}
	if Staging(l.Directory) && l.CertPath != "" {
		if c, err := leafOf(l.CertPath); err == nil && !stagingIssuer(c.Issuer.CommonName) {
			l.Problems = append(l.Problems, "staging_directory")
		}
	}
	names := []string{v["Le_Domain"]}
	if alt := v["Le_Alt"]; alt != "" && alt != "no" {
		names = append(names, strings.Split(alt, ",")...)
	}
	for _, n := range names {
		if n = strings.TrimSpace(n); n != "" {
			r.Domains = append(r.Domains, inventory.Domain{Name: n, Client: AcmeSh, Lineage: name, Mode: mode,
				Challenge: challengeOf(mode), Webroot: webroot, Directory: l.Directory, Source: conf})
		}
	}
	r.Lineages = append(r.Lineages, l)
}

// acmeshMode maps Le_Webroot: "no" is standalone, dns_<provider> is DNS,
// nginx/apache the installers' modes, anything else a webroot path.
func acmeshMode(w string) (mode, webroot string) {
	w = strings.TrimSpace(strings.Split(w, ",")[0])
	switch {
	case w == "no" || w == "":
		return "standalone", ""
	case w == "nginx" || w == "apache":
		return w, ""
	case w == "dns" || w == "dns_manual":
		return "manual", ""
	case strings.HasPrefix(w, "dns_"):
		return "dns-" + strings.TrimPrefix(w, "dns_"), ""
	case strings.HasPrefix(w, "alpn"):
		return "tls-alpn", ""
	}
	return "webroot", w
}
