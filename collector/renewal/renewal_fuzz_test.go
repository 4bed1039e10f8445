// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package renewal

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"
)

func FuzzLastCertbotRenewal(f *testing.F) {
	if b, err := os.ReadFile("../../discovery/testdata/certbot-logs/letsencrypt.log"); err == nil {
		f.Add(b)
	}
	f.Add([]byte("2026-11-27 02:51:00,235:DEBUG:certbot._internal.renewal:Auto-renewal forced\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 1<<20 {
			return
		}
		_, _ = LastCertbotRenewal(bytes.NewReader(b), time.UTC)
	})
}

// TestLastCertbotRenewalFixture: the real certbot log holds one
// `certbot renew` run (the forced renewal of alpha.example.test).
func TestLastCertbotRenewalFixture(t *testing.T) {
	b, err := os.ReadFile("../../discovery/testdata/certbot-logs/letsencrypt.log")
	if err != nil {
		t.Fatal(err)
	}
	got, ok := LastCertbotRenewal(bytes.NewReader(b), time.UTC)
	if !ok {
		t.Fatal("no renewal entry found")
	}
	// The renew run's renewal-module records are from 02:51:00-02:51:05;
	// the later certonly runs wrote none.
	if got.Format("2006-01-02 15:04") != "2026-11-27 02:51" {
		t.Errorf("last renewal %v", got)
	}
	if _, ok := LastCertbotRenewal(strings.NewReader("2026-11-27 02:51:00,235:DEBUG:certbot._internal.main:Arguments: []\n"), time.UTC); ok {
		t.Error("a non-renew run counted as a renewal")
	}
}
