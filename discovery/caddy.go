// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package discovery

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/acme-exporter/acme_exporter/inventory"
)

// Caddy / certmagic storage (certmagic storage.go, account.go):
//
//	certificates/<issuer key>/<name>/<name>.{crt,key,json}
//	acme/<issuer key>/users/<email|default>/<local part>.{key,json}
//
// The .json holds the ARI window and the renewal time certmagic chose.

// CertmagicMeta is the part of certmagic's certificate .json read here.
type CertmagicMeta struct {
	SANs       []string `json:"sans"`
	IssuerData struct {
		URL         string `json:"url"`
		CA          string `json:"ca"`
		Account     string `json:"account"`
		RenewalInfo *struct {
			SuggestedWindow struct {
				Start time.Time `json:"start"`
				End   time.Time `json:"end"`
			} `json:"suggestedWindow"`
			ExplanationURL string    `json:"explanationURL"`
			RetryAfter     time.Time `json:"_retryAfter"`
			SelectedTime   time.Time `json:"_selectedTime"`
		} `json:"renewal_info"`
	} `json:"issuer_data"`
}

// ParseCertmagicMeta parses a certmagic certificate .json.
func ParseCertmagicMeta(b []byte) (*CertmagicMeta, error) {
	var m CertmagicMeta
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	return &m, nil
}

func inspectCaddy(r *Root) error {
	base := filepath.Join(r.Root, "certificates")
	issuers, err := readDir(base)
	if err != nil {
		return fmt.Errorf("caddy certificates/: %w", err)
	}
	for _, is := range issuers {
		if !is.IsDir() {
			continue
		}
		names, err := readDir(filepath.Join(base, is.Name()))
		if err != nil {
			continue
		}
		for _, n := range names {
			if n.IsDir() {
				r.caddyCert(filepath.Join(base, is.Name(), n.Name()), n.Name())
			}
		}
	}
	r.caddyAccounts()
	return nil
}

func (r *Root) caddyCert(dir, name string) {
	crt := filepath.Join(dir, name+".crt")
	meta := filepath.Join(dir, name+".json")
	l := Lineage{Client: Caddy, Name: name, Source: meta, Mode: "standalone"}
	if exists(crt) {
		l.CertPath = crt
		r.Certs = append(r.Certs, CertFile{Client: Caddy, Name: name, Path: crt, KeyPath: filepath.Join(dir, name+".key")})
	} else {
		l.Problems = append(l.Problems, "certificate_missing")
	}
	var sans []string
	if b, err := readFile(meta); err != nil {
		l.Problems = append(l.Problems, "metadata_missing")
	} else if m, err := ParseCertmagicMeta(b); err != nil {
		l.Problems = append(l.Problems, "metadata_invalid")
	} else {
		sans = m.SANs
		l.Directory = m.IssuerData.CA
		r.addDirectory(l.Directory, meta)
		if ri := m.IssuerData.RenewalInfo; ri != nil && !ri.SelectedTime.IsZero() {
			l.Scheduled = ri.SelectedTime
		}
	}
	if len(sans) == 0 && l.CertPath != "" {
		if c, err := leafOf(l.CertPath); err == nil {
			sans = certNames(c)
		}
	}
	for _, s := range sans {
		// Caddy answers http-01 and tls-alpn-01 itself on its own ports.
		r.Domains = append(r.Domains, inventory.Domain{Name: s, Client: Caddy, Lineage: name, Mode: "standalone",
			Directory: l.Directory, Source: meta})
	}
	r.Lineages = append(r.Lineages, l)
}

func (r *Root) caddyAccounts() {
	base := filepath.Join(r.Root, "acme")
	issuers, _ := readDir(base)
	for _, is := range issuers {
		users, err := readDir(filepath.Join(base, is.Name(), "users"))
		if err != nil {
			continue
		}
		for _, u := range users {
			udir := filepath.Join(base, is.Name(), "users", u.Name())
			files, err := readDir(udir)
			if err != nil {
				// Unreadable: certmagic names the key after the e-mail's local part.
				local, _, _ := strings.Cut(u.Name(), "@")
				r.Accounts = append(r.Accounts, inventory.Account{Client: Caddy, Format: "pem",
					KeyPath: filepath.Join(udir, local+".key"), Source: udir})
				continue
			}
			for _, f := range files {
				if stem, ok := strings.CutSuffix(f.Name(), ".key"); ok {
					a := inventory.Account{Client: Caddy, Format: "pem", KeyPath: filepath.Join(udir, f.Name()), Source: udir}
					if b, err := readFile(filepath.Join(udir, stem+".json")); err == nil {
						var aj struct {
							Location string `json:"location"`
						}
						if json.Unmarshal(b, &aj) == nil {
							a.ID = aj.Location
							a.Source = filepath.Join(udir, stem+".json")
						}
					}
					r.Accounts = append(r.Accounts, a)
				}
			}
		}
	}
}
