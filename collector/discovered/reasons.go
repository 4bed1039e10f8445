// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package discovered

import (
	"github.com/acme-exporter/acme_exporter/scrape"
)

// The check names and failure reasons this family emits: the mixin may
// match only these (tools/mixincheck).
var (
	_ = scrape.Checks(discoveryCheck)
)
