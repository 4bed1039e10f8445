// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package inventory

import (
	"time"
)

// Snapshot is what discovery found on the host, published for the check
// families to derive targets from (each merges it with its configured
// targets and de-duplicates). The zero value means nothing was found.
// Every item says which client and which file it came from.
type Snapshot struct {
	Taken       time.Time
	Clients     []ClientRoot
	Accounts    []Account
	Directories []Directory
	Domains     []Domain
	Logs        []LogFile
}

// ClientRoot is one discovered client storage root.
type ClientRoot struct {
	Client string // certbot, lego, caddy, autocert, acmesh
	Root   string // e.g. /etc/letsencrypt
	// Lineages are the certificates the client renews there, sorted by
	// name. None is a client installed but not used (certbot's package
	// leaves cli.ini, `lego run` was never called): nothing to renew,
	// nothing to fail.
	Lineages []Lineage
	// Err says why the root could not be read: not at all when Unreadable
	// (Lineages is then empty), else only in part (Lineages holds what
	// was read). nil when it was read.
	Err        error
	Unreadable bool
}

// Lineage is one certificate a client renews, with its renewal settings.
type Lineage struct {
	Client    string
	Name      string
	Source    string // the file that describes it (renewal conf, .json, .conf)
	CertPath  string // the current certificate ("" when missing)
	Directory string // ACME directory URL
	Mode      string // how it is validated: webroot, standalone, dns-<provider>, ...
	// RenewBefore is certbot's renew_before_expiry (0 when unset).
	RenewBefore time.Duration
	// Lifetime is notAfter - notBefore + 1s of the current certificate's
	// leaf, as discovery read it; 0 when it did not (the certificate
	// family's reading, in the Inventory, is the fresher one).
	Lifetime   time.Duration
	MustStaple bool
	// Scheduled is when the client itself plans to renew, where it
	// stores that (certmagic's ARI selected time, acme.sh Le_NextRenewTime).
	Scheduled time.Time
	// Problems found in the layout and settings, bounded snake_case words.
	Problems []string
}

// Account is one ACME account key on disk.
type Account struct {
	Client    string
	KeyPath   string // the key file (certbot private_key.json, lego keys/<email>.key, ...)
	Format    string // jwk or pem
	Directory string // ACME directory URL the account belongs to, when known
	ID        string // account URL or id, when known
	Source    string // file that said so
}

// Directory is an ACME directory URL a client uses.
type Directory struct {
	URL    string
	Client string
	Source string
}

// Domain is one identifier a client renews, with how it is validated.
type Domain struct {
	Name      string // DNS name (wildcards keep their "*.")
	Client    string
	Lineage   string // the certificate's name (certbot lineage, lego ID)
	Challenge string // http-01, dns-01, tls-alpn-01, or "" when unknown
	// Mode: webroot, standalone, nginx, apache, manual, or dns-<provider>.
	Mode      string
	Webroot   string // for webroot mode
	Directory string // ACME directory URL
	Source    string // file that said so
}

// LogFile is a client log worth tailing for ACME errors.
type LogFile struct {
	Client string
	Path   string
	Format string // certbot, lego, caddy-json
}
