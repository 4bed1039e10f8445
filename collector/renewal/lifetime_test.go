// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package renewal

import (
	"testing"
	"time"

	"github.com/acme-exporter/acme_exporter/internal/scrapetest"
	"github.com/acme-exporter/acme_exporter/inventory"
)

// Lifetimes come from what the certificate family published: the current
// file certificate of each path, not its history nor an endpoint's.
func TestCurrentLifetimes(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	env := scrapetest.Env(t, "", now, nil)
	cert := func(source, path string, notBefore time.Time, days int, history bool) inventory.Certificate {
		return inventory.Certificate{Source: source, Path: path, NotBefore: notBefore,
			NotAfter: notBefore.Add(time.Duration(days)*24*time.Hour - time.Second), History: history}
	}
	env.Inventory.Put("certificate_file", "/live/a/cert.pem", []inventory.Certificate{cert("file", "/live/a/cert.pem", now.Add(-time.Hour), 90, false)})
	env.Inventory.Put("certificate_file", "/archive/a/cert1.pem", []inventory.Certificate{cert("file", "/archive/a/cert1.pem", now.Add(-100*24*time.Hour), 6, true)})
	env.Inventory.Put("endpoint", "a.example:443", []inventory.Certificate{cert("endpoint", "a.example:443", now, 6, false)})
	got := currentLifetimes(env)
	if len(got) != 1 || got["/live/a/cert.pem"] != 90*24*time.Hour {
		t.Fatalf("lifetimes %v, want only /live/a/cert.pem at 90 days", got)
	}
}
