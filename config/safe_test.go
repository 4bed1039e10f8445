// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package config

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// A file emptied while the exporter runs (an editor's truncation, a deploy
// tool writing in place) is refused like any bad file: the configured
// checks stay. At start the same file means "no configured checks".
func TestReloadRefusesEmptyFile(t *testing.T) {
	good := "certificate_files:\n  - path: /etc/ssl/a.pem\n"
	cases := []struct{ name, content string }{
		{"empty", ""},
		{"blank", "  \n\n   \n"},
		{"null", "~\n"},
		{"only comments", "# emptied\n   # nothing else\n"},
		{"document marker only", "---\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "c.yml")
			write := func(s string) {
				if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			// At start: accepted, no checks.
			write(c.content)
			reg := prometheus.NewRegistry()
			sc := NewSafeConfig(path, reg, nil)
			if err := sc.Reload(nil); err != nil {
				t.Fatalf("at start: %v", err)
			}
			if n := len(sc.Get().CertificateFiles); n != 0 {
				t.Fatalf("at start: %d checks", n)
			}
			write(good)
			if err := sc.Reload(nil); err != nil {
				t.Fatal(err)
			}
			write(c.content)
			err := sc.Reload(nil)
			if !errors.Is(err, ErrEmptyOnReload) {
				t.Fatalf("reload of an %s file: got %v, want ErrEmptyOnReload", c.name, err)
			}
			if n := len(sc.Get().CertificateFiles); n != 1 {
				t.Fatalf("after the refused reload: %d checks, want the previous 1", n)
			}
			if v := testutil.ToFloat64(sc.reloadOK); v != 0 {
				t.Fatalf("acme_exporter_config_last_reload_successful = %v, want 0", v)
			}
		})
	}
}
