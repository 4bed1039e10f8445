// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package certs

import "github.com/acme-exporter/acme_exporter/internal/failure"

// Reasons are the failure reasons of parsing a certificate or key file.
var Reasons = []string{ReasonNoCertificate, ReasonParseError}

var _ = failure.Declare(Reasons...)
