// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package certificate

import (
	"github.com/acme-exporter/acme_exporter/internal/certs"
	"github.com/acme-exporter/acme_exporter/internal/files"
	"github.com/acme-exporter/acme_exporter/scrape"
)

// The check names and failure reasons this family emits: the mixin may
// match only these (tools/mixincheck).
var (
	_ = scrape.Checks(certFileCheck)
	_ = scrape.DeclareReasons("exporter_cannot_read", "key_parse_error", "parse_error")
	// A key file's failure is the file failure with a key_ prefix.
	_ = scrape.DeclareReasons(scrape.Prefixed("key_", files.Reasons, certs.Reasons, []string{"timeout", "canceled", "error"})...)
)
