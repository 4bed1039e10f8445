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
