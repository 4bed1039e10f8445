// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package files

import "github.com/acme-exporter/acme_exporter/internal/failure"

// Reasons are the failure reasons of reading a file; families that read
// files pass them on (a key file's with a key_ prefix).
var Reasons = []string{"changing", "dangling_symlink", "exporter_cannot_read", "not_found", "not_regular_file", "read_error", "too_large"}

var _ = failure.Declare(Reasons...)
