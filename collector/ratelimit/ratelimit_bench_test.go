// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package ratelimit

import (
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/acme-exporter/acme_exporter/config"
	"github.com/acme-exporter/acme_exporter/internal/testcerts"
	"github.com/acme-exporter/acme_exporter/inventory"
)

// BenchmarkAfterChange is what a scrape pays for the rate-limit families
// once one file of n changed (a renewal): the inventory's sorted view and
// the counts are made again. At 100,000 files renewals land about every
// half minute, so on a large host nearly every scrape pays this.
func BenchmarkAfterChange(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			inv := inventory.New()
			now := testcerts.Epoch
			sum := func(i, serial int) []inventory.Certificate {
				return []inventory.Certificate{{
					Name: fmt.Sprintf("site%d", i), Source: "file", Path: fmt.Sprintf("/etc/acme/d%03d/cert%d.pem", i/100, i),
					Serial: fmt.Sprintf("%x", serial), Issuer: "Bench Intermediate", KeyType: "ecdsa_p256",
					NotBefore: now.Add(-time.Duration(i%60) * 24 * time.Hour), NotAfter: now.Add(time.Duration(90-i%60) * 24 * time.Hour),
					DNSNames: []string{fmt.Sprintf("site%d.example%d.com", i, i%500)}, SHA256: [32]byte{byte(i), byte(i >> 8), byte(i >> 16), byte(serial)},
				}}
			}
			for i := range n {
				inv.Put("certificate_file", fmt.Sprintf("/etc/acme/d%03d/cert%d.pem", i/100, i), sum(i, i))
			}
			cfg := config.RateLimits{EarlyRenewalRatio: 0.5}
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				k := (i * 7919) % n
				inv.Put("certificate_file", fmt.Sprintf("/etc/acme/d%03d/cert%d.pem", k/100, k), sum(k, n+i))
				computeRateLimits(cfg, inv.All(), now, func(prometheus.Metric) {})
			}
		})
	}
}
