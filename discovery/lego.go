// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package discovery

import (
	"encoding/json"
	"fmt"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/acme-exporter/acme_exporter/inventory"
)

// lego layouts (--path, default ./.lego):
//
//	v4: certificates/<name>.{crt,issuer.crt,key,json}; archives/<unix>.<name>.crt;
//	    accounts/<CA host[_port]>/<email>/{account.json,keys/<email>.key}
//	v5: certificates/<sanitized certID>.{crt,issuer.crt,key,json} (the .json
//	    holds the certID itself, e.g. "*.example.test" for _.example.test.crt);
//	    archives/certificates/<stem>_<unix>.zip (revoked or dropped
//	    certificates, zipped: not read here);
//	    accounts/<CA host with : and / as _>/<accountID>/{account.json,<accountID>.key},
//	    account.json {"id","email","keyType","server","registration":{...,"accountURL"}}
//	(as lego v5.6.0 writes them: discovery/testdata/lego-v5).

// knownDirectories maps lego's server directory names (host only) back to
// directory URLs for the CAs whose directory path is well known.
var knownDirectories = map[string]string{
	"acme-v02.api.letsencrypt.org":         "https://acme-v02.api.letsencrypt.org/directory",
	"acme-staging-v02.api.letsencrypt.org": "https://acme-staging-v02.api.letsencrypt.org/directory",
	"acme.zerossl.com":                     "https://acme.zerossl.com/v2/DV90",
	"dv.acme-v02.api.pki.goog":             "https://dv.acme-v02.api.pki.goog/directory",
}

// legoCertMeta is the union of the v4 and v5 certificate .json files.
type legoCertMeta struct {
	Domain  string   `json:"domain"`  // v4
	ID      string   `json:"id"`      // v5
	Domains []string `json:"domains"` // v5
	CertURL string   `json:"certUrl"`
}

var legoArchiveRE = regexp.MustCompile(`^[0-9]+\.(.+)\.crt$`)

func inspectLego(r *Root) error {
	certDir := filepath.Join(r.Root, "certificates")
	es, err := readDir(certDir)
	if err != nil {
		return fmt.Errorf("lego certificates/: %w", err)
	}
	// The CA host each lineage's certificate came from (its certUrl), to
	// find its directory among the accounts: lego names an account's
	// folder after the CA host, and v5 keeps the directory URL there.
	caHosts := map[int]string{}
	for _, e := range es {
		n := e.Name()
		if e.IsDir() || !strings.HasSuffix(n, ".crt") || strings.HasSuffix(n, ".issuer.crt") {
			continue
		}
		stem := strings.TrimSuffix(n, ".crt")
		if h := r.legoCert(certDir, stem); h != "" {
			caHosts[len(r.Lineages)-1] = h
		}
	}
	if es, err := readDir(filepath.Join(r.Root, "archives")); err == nil {
		for _, e := range es {
			if m := legoArchiveRE.FindStringSubmatch(e.Name()); m != nil && !strings.HasSuffix(m[1], ".issuer") {
				r.Certs = append(r.Certs, CertFile{Client: Lego, Name: m[1],
					Path: filepath.Join(r.Root, "archives", e.Name()), History: true})
			}
		}
	}
	dirs := r.legoAccounts()
	for i, h := range caHosts {
		if d := dirs[h]; d != "" && r.Lineages[i].Directory == "" {
			r.Lineages[i].Directory = d
		}
	}
	return nil
}

// legoHostDir is the accounts/ folder name lego uses for a CA host
// ("127.0.0.1:14000" is stored as "127.0.0.1_14000").
func legoHostDir(host string) string {
	return strings.NewReplacer(":", "_", "/", "_").Replace(host)
}

// legoCert adds one certificate and its lineage; it returns the accounts/
// folder name of the CA that issued it, from its certUrl ("" if unknown).
func (r *Root) legoCert(dir, stem string) (caHost string) {
	crt := filepath.Join(dir, stem+".crt")
	l := Lineage{Client: Lego, Name: stem, Source: crt, CertPath: crt}
	if b, err := readFile(filepath.Join(dir, stem+".json")); err == nil {
		var m legoCertMeta
		if json.Unmarshal(b, &m) == nil {
			l.Source = filepath.Join(dir, stem+".json")
			if m.ID != "" {
				l.Name = m.ID
			}
			if u, err := url.Parse(m.CertURL); err == nil && u.Host != "" {
				caHost = legoHostDir(u.Host)
			}
		} else {
			l.Problems = append(l.Problems, "metadata_invalid")
		}
	} else {
		l.Problems = append(l.Problems, "metadata_missing")
	}
	key := filepath.Join(dir, stem+".key")
	if !exists(key) {
		l.Problems = append(l.Problems, "key_missing")
	}
	r.Certs = append(r.Certs, CertFile{Client: Lego, Name: l.Name, Path: crt, KeyPath: key})
	if c, err := leafOf(crt); err == nil {
		for _, n := range certNames(c) {
			r.Domains = append(r.Domains, inventory.Domain{Name: n, Client: Lego, Lineage: l.Name, Source: l.Source})
		}
	} else {
		l.Problems = append(l.Problems, "certificate_unreadable")
	}
	r.Lineages = append(r.Lineages, l)
	return caHost
}

// legoAccounts adds the accounts and returns, per accounts/ folder (CA
// host), the directory URL its accounts agree on ("" when they differ or
// none says).
func (r *Root) legoAccounts() map[string]string {
	dirs := map[string]string{}
	conflict := map[string]bool{}
	base := filepath.Join(r.Root, "accounts")
	servers, _ := readDir(base)
	for _, s := range servers {
		if !s.IsDir() {
			continue
		}
		sdir := filepath.Join(base, s.Name())
		accts, err := readDir(sdir)
		if err != nil {
			continue
		}
		for _, a := range accts {
			if !a.IsDir() {
				continue
			}
			adir := filepath.Join(sdir, a.Name())
			acc := inventory.Account{Client: Lego, Format: "pem", Source: filepath.Join(adir, "account.json"),
				Directory: knownDirectories[s.Name()]}
			// v4 keeps keys/<email>.key, v5 <accountID>.key next to account.json.
			if v4 := filepath.Join(adir, "keys", a.Name()+".key"); exists(filepath.Join(adir, "keys")) || !exists(filepath.Join(adir, a.Name()+".key")) {
				acc.KeyPath = v4
			} else {
				acc.KeyPath = filepath.Join(adir, a.Name()+".key")
			}
			if b, err := readFile(acc.Source); err == nil {
				var aj struct {
					Server       string `json:"server"` // v5
					Registration struct {
						URI        string `json:"uri"`        // v4: {"body": {...}, "uri": ...}
						AccountURL string `json:"accountURL"` // v5: the account object itself
					} `json:"registration"`
				}
				if json.Unmarshal(b, &aj) == nil {
					acc.ID = aj.Registration.URI
					if acc.ID == "" {
						acc.ID = aj.Registration.AccountURL
					}
					if aj.Server != "" {
						acc.Directory = aj.Server
					}
				}
			}
			r.addDirectory(acc.Directory, acc.Source)
			r.Accounts = append(r.Accounts, acc)
			if acc.Directory != "" {
				if d, ok := dirs[s.Name()]; ok && d != acc.Directory {
					conflict[s.Name()] = true
				}
				dirs[s.Name()] = acc.Directory
			}
		}
	}
	for h := range conflict {
		delete(dirs, h)
	}
	return dirs
}
