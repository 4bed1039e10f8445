// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package directory

import (
	"github.com/acme-exporter/acme_exporter/internal/acmehttp"
	"github.com/acme-exporter/acme_exporter/scrape"
)

// The check names and failure reasons this family emits: the mixin may
// match only these (tools/mixincheck).
var (
	_ = scrape.Checks(directoryCheck, ariCheck)
	_ = scrape.DeclareReasons("bad_url", "directory_unavailable", "no_cert_id", "pending")
	// ACME request failures, prefixed with what was asked.
	_ = scrape.DeclareReasons(scrape.Prefixed("directory_", acmehttp.Reasons, []string{"timeout", "error"})...)
	_ = scrape.DeclareReasons(scrape.Prefixed("nonce_", acmehttp.Reasons, []string{"timeout", "error"})...)
)
