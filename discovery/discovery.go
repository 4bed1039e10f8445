// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

// Package discovery finds the storage of ACME clients on the host (certbot,
// lego, Caddy/certmagic, autocert DirCache, acme.sh), read-only, and turns
// what they store into checks: certificate files with their keys, account
// keys, directory URLs, domains with their challenge mode, client logs and
// the renewal plan of every lineage.
//
// Inspect reads one client root; a Scanner scans every root on an interval
// and on reload and publishes the result as an inventory.Snapshot plus the
// certificate files the Augmenter merges into the configuration.
package discovery

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/acme-exporter/acme_exporter/internal/files"
	"github.com/acme-exporter/acme_exporter/inventory"
)

// Client names, as used in the client label.
const (
	Certbot  = "certbot"
	Lego     = "lego"
	Caddy    = "caddy"
	Autocert = "autocert"
	AcmeSh   = "acmesh"
)

// Clients lists every supported client.
var Clients = []string{AcmeSh, Autocert, Caddy, Certbot, Lego}

// maxFile bounds every file discovery reads: configs, JSON and PEM files
// are a few KiB.
const maxFile = 1 << 20

// CertFile is a certificate file a client keeps, with its key.
type CertFile struct {
	Client  string
	Name    string // lineage / certificate name
	Path    string
	KeyPath string // "" when the key is in the same file or unknown
	// History marks old versions (certbot archive/, lego archives/, acme.sh
	// backup/): rate-limit history only, never lifecycle series.
	History bool
}

// Lineage is one certificate a client renews, with its renewal settings
// (the snapshot carries them to the renewal family).
type Lineage = inventory.Lineage

// Root is everything found in one client root.
type Root struct {
	Client      string
	Root        string
	Certs       []CertFile
	Accounts    []inventory.Account
	Directories []inventory.Directory
	Domains     []inventory.Domain
	Logs        []inventory.LogFile
	Lineages    []Lineage

	referenced []inventory.Account // accounts named by configs but not seen

	// err is why Scan could not read the root (unreadable: not at all).
	err        error
	unreadable bool
}

// Inspect reads the client root at dir. It returns an error only when the
// root itself cannot be read; problems inside it are recorded on the
// lineages and accounts it concerns, so nothing else is lost.
func Inspect(client, dir string) (*Root, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return nil, errors.New(dir + " is not a directory")
	}
	r := &Root{Client: client, Root: dir}
	switch client {
	case Certbot:
		err = inspectCertbot(r)
	case Lego:
		err = inspectLego(r)
	case Caddy:
		err = inspectCaddy(r)
	case Autocert:
		err = inspectAutocert(r)
	case AcmeSh:
		err = inspectAcmeSh(r)
	default:
		return nil, errors.New("unknown client " + client)
	}
	r.sort()
	return r, err
}

func (r *Root) sort() {
	sort.Slice(r.Certs, func(i, j int) bool { return r.Certs[i].Path < r.Certs[j].Path })
	sort.Slice(r.Accounts, func(i, j int) bool { return r.Accounts[i].KeyPath < r.Accounts[j].KeyPath })
	sort.Slice(r.Domains, func(i, j int) bool {
		if r.Domains[i].Lineage != r.Domains[j].Lineage {
			return r.Domains[i].Lineage < r.Domains[j].Lineage
		}
		return r.Domains[i].Name < r.Domains[j].Name
	})
	sort.Slice(r.Lineages, func(i, j int) bool { return r.Lineages[i].Name < r.Lineages[j].Name })
	for i := range r.Lineages {
		slices.Sort(r.Lineages[i].Problems)
		r.Lineages[i].Problems = slices.Compact(r.Lineages[i].Problems)
	}
}

func (r *Root) addDirectory(url, source string) {
	if url == "" {
		return
	}
	for _, d := range r.Directories {
		if d.URL == url {
			return
		}
	}
	r.Directories = append(r.Directories, inventory.Directory{URL: url, Client: r.Client, Source: source})
}

// readFile reads at most maxFile bytes of the regular file path, never
// blocked by a FIFO or a device planted where a config was expected.
func readFile(path string) ([]byte, error) {
	return files.ReadLimited(path, maxFile)
}

// readDir lists a directory's entries; a missing directory is empty.
func readDir(dir string) ([]fs.DirEntry, error) {
	es, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return es, err
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// leafOf parses the first certificate of a PEM file.
func leafOf(path string) (*x509.Certificate, error) {
	b, err := readFile(path)
	if err != nil {
		return nil, err
	}
	for {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			return nil, errors.New(path + ": no certificate")
		}
		if blk.Type == "CERTIFICATE" {
			return x509.ParseCertificate(blk.Bytes)
		}
	}
}

// certNames is the leaf's DNS names and IPs, sorted.
func certNames(c *x509.Certificate) []string {
	out := append([]string{}, c.DNSNames...)
	for _, ip := range c.IPAddresses {
		out = append(out, ip.String())
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Staging reports whether a directory URL is a known test environment.
func Staging(url string) bool {
	u := strings.ToLower(url)
	return strings.Contains(u, "acme-staging") || strings.Contains(u, "staging.") ||
		strings.Contains(u, "test-api.pki.goog") || strings.Contains(u, "/staging")
}

// challengeOf maps an authenticator / mode to the challenge type.
func challengeOf(mode string) string {
	switch {
	case strings.HasPrefix(mode, "dns"):
		return "dns-01"
	case mode == "webroot", mode == "standalone", mode == "nginx", mode == "apache", mode == "http":
		return "http-01"
	case mode == "tls-alpn", mode == "tls":
		return "tls-alpn-01"
	}
	return ""
}

// Snapshot merges the roots into one snapshot.
func Snapshot(roots []*Root, taken time.Time) *inventory.Snapshot {
	s := &inventory.Snapshot{Taken: taken}
	for _, r := range roots {
		s.Clients = append(s.Clients, inventory.ClientRoot{Client: r.Client, Root: r.Root, Lineages: r.Lineages,
			Err: r.err, Unreadable: r.unreadable})
		s.Accounts = append(s.Accounts, r.Accounts...)
		s.Domains = append(s.Domains, r.Domains...)
		s.Logs = append(s.Logs, r.Logs...)
		for _, d := range r.Directories {
			if !slices.ContainsFunc(s.Directories, func(x inventory.Directory) bool { return x.URL == d.URL && x.Client == d.Client }) {
				s.Directories = append(s.Directories, d)
			}
		}
	}
	return s
}

// cleanAbs returns the cleaned absolute form of p.
func cleanAbs(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return filepath.Clean(p)
}
