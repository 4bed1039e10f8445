// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package account

import (
	"os"
	"testing"
)

func FuzzParseAccountKey(f *testing.F) {
	for _, p := range []string{
		"../../discovery/testdata/certbot/accounts/127.0.0.1:56763/dir/6415a838f97b3a973c6f2747e0dc8464/private_key.json",
		"../../discovery/testdata/lego/accounts/127.0.0.1_56763/admin@example.test/keys/admin@example.test.key",
		"../../discovery/testdata/lego-v5/accounts/127.0.0.1_46813/ops/ops.key",
	} {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"kty":"EC","crv":"P-256","d":"AQ"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > maxKeyFile {
			return
		}
		s, _, err := ParseAccountKey(b)
		if err == nil && s == nil {
			t.Fatal("nil key without error")
		}
	})
}
