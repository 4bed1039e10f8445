// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package all_test

// The tests here combine families, which they build by registered name.
import _ "github.com/acme-exporter/acme_exporter/collector/all"
