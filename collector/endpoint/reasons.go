// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package endpoint

import (
	"github.com/acme-exporter/acme_exporter/scrape"
)

// The check names and failure reasons this family emits: the mixin may
// match only these (tools/mixincheck).
var (
	_ = scrape.Checks(endpointCheck)
	_ = scrape.DeclareReasons("connection_refused", "dial_error", "no_certificate", "refused_by_policy", "starttls_failed", "starttls_not_offered", "starttls_refused", "timeout", "tls_alert", "tls_handshake_failed", "unreachable")
)
