// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package http01

import (
	"testing"

	"github.com/acme-exporter/acme_exporter/internal/scrapetest"
)

// TestMain lets tests re-run this binary as another user.
func TestMain(m *testing.M) { scrapetest.Main(m) }
