// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package clock

import (
	"github.com/acme-exporter/acme_exporter/scrape"
)

// The check names and failure reasons this family emits: the mixin may
// match only these (tools/mixincheck).
var (
	_ = scrape.Checks(clockNTPCheck, clockKernelCheck)
	_ = scrape.DeclareReasons("adjtimex_failed", "dns_error", "ntp_error", "ntp_invalid_response", "ntp_kiss_of_death", "ntp_no_answer", "ntp_unreachable", "timeout")
)
