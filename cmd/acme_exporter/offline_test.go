// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package main

import "github.com/acme-exporter/acme_exporter/config"

// Tests never reach the public NTP pool or Let's Encrypt by default.
func init() { config.OfflineDefaults = true }
