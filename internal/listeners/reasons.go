// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package listeners

import "github.com/acme-exporter/acme_exporter/internal/failure"

// The failure reasons of reading the host's listening sockets.
var _ = failure.Declare("proc_parse_error", "proc_unreadable")
