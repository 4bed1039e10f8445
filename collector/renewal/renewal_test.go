// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package renewal

import (
	"fmt"
	"io/fs"
	"path/filepath"
	"testing"
	"time"

	"github.com/acme-exporter/acme_exporter/internal/scrapetest"
	"github.com/acme-exporter/acme_exporter/inventory"
	"github.com/acme-exporter/acme_exporter/scrape"
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

// The renewal family reads lineages from discovery's snapshot and
// lifetimes from the inventory: the root named here does not exist, so
// any read of it would fail the check or lose the series.
func TestRenewalReadsSnapshotNotDisk(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	root := filepath.Join(t.TempDir(), "gone")
	env := scrapetest.Env(t, "", now, nil)
	env.Discovered = &inventory.Snapshot{Taken: now, Clients: []inventory.ClientRoot{
		{Client: "certbot", Root: root, Lineages: []inventory.Lineage{
			// 30-day renew_before on a 90-day certificate the inventory holds: fine.
			{Client: "certbot", Name: "a", CertPath: root + "/live/a/fullchain.pem", Directory: "https://ca.test/dir",
				Mode: "webroot", RenewBefore: 30 * 24 * time.Hour, Lifetime: 50 * 24 * time.Hour},
			// 30 days on a 50-day certificate the certificate family does
			// not check: judged on the lifetime discovery read.
			{Client: "certbot", Name: "b", CertPath: root + "/live/b/fullchain.pem", RenewBefore: 30 * 24 * time.Hour,
				Lifetime: 50 * 24 * time.Hour, Problems: []string{"must_staple"}},
		}},
		{Client: "lego", Root: root + "/lego", Unreadable: true, Err: fs.ErrNotExist},
		{Client: "acmesh", Root: root + "/acmesh", Err: fs.ErrPermission,
			Lineages: []inventory.Lineage{{Client: "acmesh", Name: "c", Scheduled: now.Add(time.Hour)}}},
	}}
	env.Inventory.Put("certificate_file", root+"/live/a/fullchain.pem", []inventory.Certificate{{Source: "file",
		Path: root + "/live/a/fullchain.pem", NotBefore: now, NotAfter: now.Add(90*24*time.Hour - time.Second)}})
	h := scrapetest.NewHarness(env, map[string]scrape.Collector{"renewal": renewalCollector{}})
	scrapetest.Compare(t, h, fmt.Sprintf(`
acme_renewal_lineage_info{client="certbot",directory="https://ca.test/dir",mode="webroot",name="a"} 1
acme_renewal_lineage_info{client="certbot",directory="",mode="",name="b"} 1
acme_renewal_lineage_info{client="acmesh",directory="",mode="",name="c"} 1
acme_renewal_config_problem_info{client="certbot",name="b",problem="must_staple"} 1
acme_renewal_config_problem_info{client="certbot",name="b",problem="renew_before_expiry_too_long"} 1
acme_renewal_scheduled_timestamp_seconds{client="acmesh",name="c"} %d
acme_probe_failure_info{check="renewal",reason="not_found",target="%s/lego"} 1
acme_probe_failure_info{check="renewal",reason="layout_unreadable",target="%s/acmesh"} 1
acme_probe_failure_info{check="renewal_last_run",reason="no_renewal_record",target="acmesh"} 1
acme_probe_failure_info{check="renewal_last_run",reason="no_renewal_record",target="certbot"} 1
`, now.Add(time.Hour).Unix(), root, root), "acme_renewal_lineage_info", "acme_renewal_config_problem_info",
		"acme_renewal_scheduled_timestamp_seconds", "acme_probe_failure_info")
}
