// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

// Package all links every check family into a program: each family
// registers itself with the scrape framework from init(). The exporter, the
// metrics reference generator and the tests that combine families import
// it; a new family adds one line here and touches no other family.
package all

import (
	_ "github.com/acme-exporter/acme_exporter/collector/account"     // account_key, account_registration
	_ "github.com/acme-exporter/acme_exporter/collector/certificate" // certificate_file
	_ "github.com/acme-exporter/acme_exporter/collector/clientlog"   // client_log
	_ "github.com/acme-exporter/acme_exporter/collector/clock"       // clock
	_ "github.com/acme-exporter/acme_exporter/collector/crl"         // crl
	_ "github.com/acme-exporter/acme_exporter/collector/directory"   // acme_directory, ari
	_ "github.com/acme-exporter/acme_exporter/collector/discovered"  // discovery
	_ "github.com/acme-exporter/acme_exporter/collector/dns01"       // dns01, caa
	_ "github.com/acme-exporter/acme_exporter/collector/endpoint"    // endpoint
	_ "github.com/acme-exporter/acme_exporter/collector/http01"      // http01
	_ "github.com/acme-exporter/acme_exporter/collector/port"        // port
	_ "github.com/acme-exporter/acme_exporter/collector/ratelimit"   // ratelimit
	_ "github.com/acme-exporter/acme_exporter/collector/renewal"     // renewal
)
