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
	// Lineages is how many certificates the client renews there. 0 is a
	// client installed but not used (certbot's package leaves cli.ini,
	// `lego run` was never called): nothing to renew, nothing to fail.
	Lineages int
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
