// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package http01

import "github.com/acme-exporter/acme_exporter/scrape"

// The check name and failure reasons this family emits, and the values of
// its bounded labels: the mixin may match only these (tools/mixincheck).
var (
	_ = scrape.Checks(http01Check)
	_ = scrape.DeclareReasons("canary_too_large", "canary_unreadable")

	_ = scrape.Bounded(http01FailureDesc, "reason",
		// a walk of the challenge path (fetch, hopAddr, classifyDial)
		"body_too_large", "canary_mismatch", "catch_all_response", "connection_refused", "dial_error",
		"http_error", "http_forbidden", "http_not_found", "http_server_error", "http_unauthorized",
		"http_unexpected_status", "prober_no_ipv6", "redirect_forbidden_port", "redirect_forbidden_scheme",
		"redirect_invalid", "redirect_loop", "redirect_other_family", "redirect_status_rejected",
		"redirect_to_other_path", "redirect_unresolvable", "refused_by_policy", "timeout", "tls_error",
		"too_many_redirects", "unreachable",
		// the standalone port (ip_family local)
		"port_holder_not_visible", "port_taken")
	_ = scrape.Bounded(http01FailureDesc, "ip_family", "ipv4", "ipv6", "ca", "local")
	_ = scrape.Bounded(http01ReachableDesc, "ip_family", "ipv4", "ipv6", "ca")
	_ = scrape.Bounded(http01StatusDesc, "ip_family", "ipv4", "ipv6", "ca")
	_ = scrape.Bounded(http01RedirectsDesc, "ip_family", "ipv4", "ipv6", "ca")
)
