// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package acmehttp

import "github.com/acme-exporter/acme_exporter/internal/failure"

// Reasons are the failure reasons of an ACME request; families prefix them
// with what was asked (directory_, nonce_).
var Reasons = []string{"bad_json", "bad_replay_nonce", "bad_url", "body_too_large", "connection_failed", "dns_error",
	"http_status", "insecure_redirect", "invalid_field", "invalid_window", "missing_field", "no_replay_nonce", "refused",
	"timeout", "tls_error", "tls_verify_failed", "too_many_redirects",
	// set on a renewalInfo answer (GetRenewalInfo)
	"certificate_unknown", "rate_limited"}

var _ = failure.Declare(Reasons...)
