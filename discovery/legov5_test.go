// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package discovery

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/acme-exporter/acme_exporter/config"
	"github.com/acme-exporter/acme_exporter/inventory"
)

// legoV5Dir is the directory of the Pebble run that wrote testdata/lego-v5
// (lego v5.6.0, scripts/regen-fixtures.sh lego-v5).
const legoV5Dir = "https://127.0.0.1:46813/dir"

// TestLegoV5Snapshot: the tree lego v5.6.0 itself wrote against Pebble is
// discovered: both accounts (one whose ID is its email, one with its own
// --account-id), their PKCS#8 keys next to account.json, the directory URL
// from account.json, every certificate under its v5 certificate ID (the
// wildcard one stored as _.wild5.example.test.*), and the revoked
// certificate lego zipped into archives/certificates/ is neither a current
// file nor history.
func TestLegoV5Snapshot(t *testing.T) {
	dst := fixtureCopy(t)
	lg := filepath.Join(dst, "lego-v5")
	res := Scan(config.Default().Discovery, Overrides{LegoDirs: []string{lg}, NoDefaults: true}, taken)
	if len(res.Errors) > 0 {
		t.Fatalf("errors: %v", res.Errors)
	}
	acct := lg + "/accounts/127.0.0.1_46813/"
	cert := lg + "/certificates/"
	want := &inventory.Snapshot{
		Taken:   taken,
		Clients: []inventory.ClientRoot{{Client: "lego", Root: lg, Lineages: make([]inventory.Lineage, 3)}},
		Accounts: []inventory.Account{
			{Client: "lego", Format: "pem", Directory: legoV5Dir,
				KeyPath: acct + "admin@example.test/admin@example.test.key",
				ID:      "https://127.0.0.1:46813/my-account/2252dc86943194d0",
				Source:  acct + "admin@example.test/account.json"},
			{Client: "lego", Format: "pem", Directory: legoV5Dir,
				KeyPath: acct + "ops/ops.key",
				ID:      "https://127.0.0.1:46813/my-account/3fac9385d29d6ff8",
				Source:  acct + "ops/account.json"},
		},
		Directories: []inventory.Directory{{URL: legoV5Dir, Client: "lego", Source: acct + "admin@example.test/account.json"}},
	}
	for _, dm := range []struct{ name, lineage, stem string }{
		{"*.wild5.example.test", "*.wild5.example.test", "_.wild5.example.test"},
		{"wild5.example.test", "*.wild5.example.test", "_.wild5.example.test"},
		{"echo.example.test", "echo.example.test", "echo.example.test"},
		{"www.echo.example.test", "echo.example.test", "echo.example.test"},
		{"foxtrot.example.test", "foxtrot-rsa", "foxtrot-rsa"},
	} {
		want.Domains = append(want.Domains, inventory.Domain{Name: dm.name, Client: "lego", Lineage: dm.lineage,
			Source: cert + dm.stem + ".json"})
	}
	if diff := snapshotDiff(want, res.Snapshot); diff != "" {
		t.Error(diff)
	}

	if len(res.Roots) != 1 {
		t.Fatalf("%d roots", len(res.Roots))
	}
	r := res.Roots[0]
	type file struct{ name, path, key string }
	var got []file
	for _, c := range r.Certs {
		if c.History {
			t.Errorf("history file %+v: v5 archives are zip files and must not be read as certificates", c)
			continue
		}
		got = append(got, file{c.Name, c.Path, c.KeyPath})
	}
	wantFiles := []file{
		{"*.wild5.example.test", cert + "_.wild5.example.test.crt", cert + "_.wild5.example.test.key"},
		{"echo.example.test", cert + "echo.example.test.crt", cert + "echo.example.test.key"},
		{"foxtrot-rsa", cert + "foxtrot-rsa.crt", cert + "foxtrot-rsa.key"},
	}
	if !slices.Equal(got, wantFiles) {
		t.Errorf("certificate files\n got  %+v\n want %+v", got, wantFiles)
	}
	var lineages []string
	for _, l := range r.Lineages {
		lineages = append(lineages, l.Name)
		if len(l.Problems) > 0 || l.CertPath == "" {
			t.Errorf("lineage %s: problems %v, cert %q", l.Name, l.Problems, l.CertPath)
		}
		// From the certificate's certUrl host to the accounts kept for
		// that CA host, whose account.json names the directory.
		if l.Directory != legoV5Dir {
			t.Errorf("lineage %s: directory %q, want %q", l.Name, l.Directory, legoV5Dir)
		}
	}
	if want := []string{"*.wild5.example.test", "echo.example.test", "foxtrot-rsa"}; !slices.Equal(lineages, want) {
		t.Errorf("lineages %v, want %v", lineages, want)
	}
}
