// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package crl

import (
	"github.com/acme-exporter/acme_exporter/scrape"
)

// The check names and failure reasons this family emits: the mixin may
// match only these (tools/mixincheck).
var (
	_ = scrape.Checks(crlCheck)
	_ = scrape.DeclareReasons("crl_bad_signature", "crl_bad_url", "crl_fetch_failed", "crl_http_status", "crl_parse_error", "crl_timeout", "crl_tls_verify_failed", "crl_too_large", "no_issuer")
)
