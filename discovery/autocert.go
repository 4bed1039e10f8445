// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package discovery

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/acme-exporter/acme_exporter/inventory"
)

// golang.org/x/crypto/acme/autocert DirCache: a flat directory holding
// acme_account+key (legacy acme_account.key) and, per domain, a file named
// <domain> (ECDSA) or <domain>+rsa holding the private key followed by the
// chain. <domain>+token and <token>+http-01 are transient challenge files.

func inspectAutocert(r *Root) error {
	es, err := readDir(r.Root)
	if err != nil {
		return fmt.Errorf("autocert dir: %w", err)
	}
	for _, e := range es {
		n := e.Name()
		p := filepath.Join(r.Root, n)
		switch {
		case e.IsDir():
		case n == "acme_account+key" || n == "acme_account.key":
			r.Accounts = append(r.Accounts, inventory.Account{Client: Autocert, KeyPath: p, Format: "pem", Source: p})
		case strings.HasSuffix(n, "+token") || strings.HasSuffix(n, "+http-01"):
		case strings.Contains(n, "."):
			name := strings.TrimSuffix(n, "+rsa")
			l := Lineage{Client: Autocert, Name: n, Source: p, CertPath: p, Mode: "standalone"}
			// The key is in the same file.
			r.Certs = append(r.Certs, CertFile{Client: Autocert, Name: n, Path: p})
			if c, err := leafOf(p); err == nil {
				for _, s := range certNames(c) {
					r.Domains = append(r.Domains, inventory.Domain{Name: s, Client: Autocert, Lineage: n, Mode: "standalone", Source: p})
				}
			} else {
				l.Problems = append(l.Problems, "certificate_unreadable")
				r.Domains = append(r.Domains, inventory.Domain{Name: name, Client: Autocert, Lineage: n, Mode: "standalone", Source: p})
			}
			r.Lineages = append(r.Lineages, l)
		}
	}
	return nil
}
