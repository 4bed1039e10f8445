// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package all_test

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/acme-exporter/acme_exporter/collector/account"
	"github.com/acme-exporter/acme_exporter/discovery"
	"github.com/acme-exporter/acme_exporter/internal/certs"
	"github.com/acme-exporter/acme_exporter/internal/scrapetest"
	"github.com/acme-exporter/acme_exporter/internal/testbed"
)

// TestLayoutsGoldenLegoV5: golden output for the tree lego v5.6.0 wrote
// against Pebble (discovery/testdata/lego-v5): one lineage per certificate
// ID with the directory of the accounts kept for its CA host, both
// accounts' PKCS#8 keys usable, and nothing for the certificate lego
// revoked and zipped into archives/.
func TestLayoutsGoldenLegoV5(t *testing.T) {
	dst := testbed.Dir(t)
	testbed.CopyTree(t, "../../discovery/testdata", dst)
	env := scanEnv(t, `global: {run_as: "0"}`, fixtureNow, discovery.Overrides{LegoDirs: []string{dst + "/lego-v5"}})
	h := scrapetest.NewHarness(env, scrapetest.NewFamilies(t, env.Logger, "renewal", "discovery", "account"))
	want := strings.ReplaceAll(`
acme_renewal_lineage_info{client="lego",directory="https://127.0.0.1:46813/dir",mode="",name="*.wild5.example.test"} 1
acme_renewal_lineage_info{client="lego",directory="https://127.0.0.1:46813/dir",mode="",name="echo.example.test"} 1
acme_renewal_lineage_info{client="lego",directory="https://127.0.0.1:46813/dir",mode="",name="foxtrot-rsa"} 1
acme_discovery_root_info{client="lego",root="ROOT/lego-v5"} 1
acme_account_key_usable{client="lego",path="ROOT/lego-v5/accounts/127.0.0.1_46813/admin@example.test/admin@example.test.key"} 1
acme_account_key_usable{client="lego",path="ROOT/lego-v5/accounts/127.0.0.1_46813/ops/ops.key"} 1
acme_probe_failure_info{check="renewal_last_run",reason="no_renewal_record",target="lego"} 1
`, "ROOT", dst)
	scrapetest.Compare(t, h, want, "acme_renewal_lineage_info", "acme_renewal_config_problem_info",
		"acme_renewal_scheduled_timestamp_seconds", "acme_discovery_root_info", "acme_account_key_usable",
		"acme_probe_failure_info")
	if problems, err := testutil.CollectAndLint(h); err != nil || len(problems) > 0 {
		t.Errorf("lint: %v %v", err, problems)
	}
}

// TestParseLegoV5AccountKeys: lego v5 writes every key as PKCS#8
// "PRIVATE KEY" (v4: SEC1 / PKCS#1); both account keys of the real tree parse.
func TestParseLegoV5AccountKeys(t *testing.T) {
	for _, tc := range []struct{ path, keyType string }{
		{"../../discovery/testdata/lego-v5/accounts/127.0.0.1_46813/admin@example.test/admin@example.test.key", "ecdsa_p256"},
		{"../../discovery/testdata/lego-v5/accounts/127.0.0.1_46813/ops/ops.key", "rsa2048"},
	} {
		t.Run(tc.keyType, func(t *testing.T) {
			b := scrapetest.MustRead(t, tc.path)
			if !strings.HasPrefix(string(b), "-----BEGIN PRIVATE KEY-----") {
				t.Fatalf("%s is not PKCS#8: the fixture is not what lego v5 writes", tc.path)
			}
			s, format, err := account.ParseAccountKey(b)
			if err != nil || format != "pem" {
				t.Fatalf("format %q, err %v", format, err)
			}
			if got := certs.KeyType(s.Public()); got != tc.keyType {
				t.Errorf("key type %q, want %q", got, tc.keyType)
			}
		})
	}
}
