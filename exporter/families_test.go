// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package exporter

// The handlers are tested with the real check families behind them.
import _ "github.com/acme-exporter/acme_exporter/collector/all"
