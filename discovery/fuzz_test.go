// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package discovery

import (
	"os"
	"path/filepath"
	"testing"
)

func seedFiles(f *testing.F, glob string) {
	ms, _ := filepath.Glob(glob)
	for _, m := range ms {
		if b, err := os.ReadFile(m); err == nil {
			f.Add(b)
		}
	}
}

func FuzzParseRenewalConf(f *testing.F) {
	seedFiles(f, "testdata/certbot/renewal/*.conf")
	f.Add([]byte("[renewalparams]\nwebroot_path = /a, /b,\n[[webroot_map]]\nx = /y\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 1<<16 {
			return
		}
		c, err := ParseRenewalConf(b)
		if err == nil && (c.Top == nil || c.Params == nil) {
			t.Fatal("nil maps without error")
		}
	})
}

func FuzzParseInterval(f *testing.F) {
	for _, s := range []string{"30 days", "2 weeks", "12h", "7", "1 month", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if d, err := ParseInterval(s); err == nil && d < 0 {
			t.Fatalf("negative interval %v from %q", d, s)
		}
	})
}

func FuzzParseShellVars(f *testing.F) {
	f.Add([]byte("Le_Domain='a.test'\nLe_NextRenewTime='1771074000'\nexport X=\"y\"\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 1<<16 {
			return
		}
		_ = ParseShellVars(b)
	})
}

func FuzzParseCertmagicMeta(f *testing.F) {
	f.Add([]byte(`{"sans":["a.test"],"issuer_data":{"ca":"https://x/dir","renewal_info":{"_selectedTime":"2026-01-01T00:00:00Z"}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 1<<16 {
			return
		}
		_, _ = ParseCertmagicMeta(b)
	})
}
