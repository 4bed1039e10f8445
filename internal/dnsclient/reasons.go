// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package dnsclient

import "github.com/acme-exporter/acme_exporter/internal/failure"

// Reasons are the failure reasons of a DNS query or zone walk.
var Reasons = []string{"bad_rcode", "cname_loop", "connection_refused", "dns_error", "dns_not_found", "formerr",
	"malformed", "mismatched_question", "network_error", "no_address", "no_delegation", "no_nameservers", "no_parent",
	"notimp", "nxdomain", "oversized", "refused", "refused_by_policy", "servfail", "timeout", "wrong_id", "zone_not_found"}

var _ = failure.Declare(Reasons...)
