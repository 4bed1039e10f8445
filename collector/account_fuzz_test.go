// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package collector

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"
)

func FuzzParseACL(f *testing.F) {
	f.Add(aclBytes([3]uint32{tagUserObj, 6, noID}, [3]uint32{tagUser, 4, 1000}, [3]uint32{tagGroupObj, 0, noID},
		[3]uint32{tagMask, 4, noID}, [3]uint32{tagOther, 0, noID}))
	f.Add([]byte{2, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 4096 {
			return
		}
		a, err := ParseACL(b)
		if err == nil {
			_ = Allowed(Identity{UID: 1000, GID: 1000}, FileMeta{Mode: 0o640, ACL: a}, accessRead)
		}
	})
}

func FuzzParseAccountKey(f *testing.F) {
	for _, p := range []string{
		"../discovery/testdata/certbot/accounts/127.0.0.1:56763/dir/6415a838f97b3a973c6f2747e0dc8464/private_key.json",
		"../discovery/testdata/lego/accounts/127.0.0.1_56763/admin@example.test/keys/admin@example.test.key",
		"../discovery/testdata/lego-v5/accounts/127.0.0.1_46813/ops/ops.key",
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

func FuzzLastCertbotRenewal(f *testing.F) {
	if b, err := os.ReadFile("../discovery/testdata/certbot-logs/letsencrypt.log"); err == nil {
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
	b, err := os.ReadFile("../discovery/testdata/certbot-logs/letsencrypt.log")
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
