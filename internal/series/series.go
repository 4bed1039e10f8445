// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

// Package series holds the metric descriptions that more than one check
// family emits: the certificate series (certificate files and endpoints)
// and the clock offset (NTP and ACME servers' Date headers).
package series

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/acme-exporter/acme_exporter/scrape"
)

var (
	CertNotBeforeDesc = scrape.Desc("certificate_file", "acme_certificate_not_before_timestamp_seconds",
		"Leaf certificate notBefore, as a Unix time.", "name", "source", "target", "address")
	CertNotAfterDesc = scrape.Desc("certificate_file", "acme_certificate_not_after_timestamp_seconds",
		"Leaf certificate notAfter, as a Unix time.", "name", "source", "target", "address")
	CertChainNotAfterDesc = scrape.Desc("certificate_file", "acme_certificate_chain_not_after_timestamp_seconds",
		"Earliest notAfter in the verified chain (leaf, intermediates, root), as a Unix time; absent when the certificates in the file (or on the wire) alone do not verify the leaf to a trusted root: an incomplete chain.",
		"name", "source", "target", "address")
	CertInfoDesc = scrape.Desc("certificate_file", "acme_certificate_info",
		"Details of the leaf certificate; dns_names is the sorted SAN list, or a count and digest when long; must_staple is true when the leaf requests OCSP Must-Staple (RFC 7633), which Let's Encrypt can no longer satisfy since it ended OCSP.",
		"name", "source", "target", "address", "serial", "issuer", "key_type", "dns_names", "must_staple")
	_ = scrape.Bounded(CertInfoDesc, "must_staple", "true", "false")
)

// Sources: a certificate read from a file or from an endpoint's handshake.
var _ = func() struct{} {
	for _, d := range []*prometheus.Desc{CertNotBeforeDesc, CertNotAfterDesc, CertChainNotAfterDesc, CertInfoDesc} {
		scrape.Bounded(d, "source", "file", "endpoint")
	}
	return struct{}{}
}()

var (
	ClockOffsetDesc = scrape.Desc("clock", "acme_clock_offset_seconds",
		"Local clock minus the reference clock, in seconds: reference=ntp from an NTP exchange, reference=acme from the Date header of an ACME server's newNonce answer (1 s resolution). Positive means the local clock is ahead.",
		"reference", "server")
	_ = scrape.Bounded(ClockOffsetDesc, "reference", "ntp", "acme")
)
