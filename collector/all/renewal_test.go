// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package all_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/acme-exporter/acme_exporter/discovery"
	"github.com/acme-exporter/acme_exporter/internal/scrapetest"
	"github.com/acme-exporter/acme_exporter/internal/testbed"
	"github.com/acme-exporter/acme_exporter/internal/testcerts"
	"github.com/acme-exporter/acme_exporter/scrape"
)

var fixtureNow = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

// scanEnv scans the given roots (and nothing else) into an Env.
func scanEnv(t *testing.T, yml string, now time.Time, o discovery.Overrides) *scrape.Env {
	t.Helper()
	env := scrapetest.Env(t, yml, now, nil)
	o.NoDefaults = true
	res := discovery.Scan(env.Config.Discovery, o, now)
	env.Discovered = res.Snapshot
	env.Config = discovery.Merge(env.Config, res.Roots)
	env.Config.Discovery = o.Apply(env.Config.Discovery)
	return env
}

// TestLayoutsGolden: golden output per client layout. certbot and lego
// are the trees the real clients wrote against Pebble; Caddy, autocert
// and acme.sh follow their documented layouts, made by a test helper.
func TestLayoutsGolden(t *testing.T) {
	dst := testbed.Dir(t)
	testbed.CopyTree(t, "../../discovery/testdata", dst)
	ch := testcerts.NewChain(t, "Layout")
	selected := testcerts.Epoch.AddDate(0, 0, 30)
	testbed.CaddyLayout(t, filepath.Join(dst, "caddy"), ch, selected)
	testbed.AutocertLayout(t, filepath.Join(dst, "autocert"), ch)
	testbed.AcmeShLayout(t, filepath.Join(dst, "acmesh"), ch, selected.Add(time.Hour))
	for _, tc := range []struct {
		client string
		o      discovery.Overrides
		want   string
	}{
		{"lego", discovery.Overrides{LegoDirs: []string{dst + "/lego"}}, `
acme_renewal_lineage_info{client="lego",directory="",mode="",name="_.wild.example.test"} 1
acme_renewal_lineage_info{client="lego",directory="",mode="",name="delta.example.test"} 1
acme_discovery_root_info{client="lego",root="ROOT/lego"} 1
acme_account_key_usable{client="lego",path="ROOT/lego/accounts/127.0.0.1_56763/admin@example.test/keys/admin@example.test.key"} 1
acme_probe_failure_info{check="renewal_last_run",reason="no_renewal_record",target="lego"} 1
`},
		{"caddy", discovery.Overrides{CaddyDirs: []string{dst + "/caddy"}}, fmt.Sprintf(`
acme_renewal_lineage_info{client="caddy",directory="https://acme-v02.api.letsencrypt.org/directory",mode="standalone",name="caddy.example.test"} 1
acme_renewal_scheduled_timestamp_seconds{client="caddy",name="caddy.example.test"} %d
acme_discovery_root_info{client="caddy",root="ROOT/caddy"} 1
acme_account_key_usable{client="caddy",path="ROOT/caddy/acme/acme-v02.api.letsencrypt.org-directory/users/admin@example.test/admin.key"} 1
`, selected.Unix())},
		{"autocert", discovery.Overrides{AutocertDirs: []string{dst + "/autocert"}}, `
acme_renewal_lineage_info{client="autocert",directory="",mode="standalone",name="autocert.example.test"} 1
acme_discovery_root_info{client="autocert",root="ROOT/autocert"} 1
acme_account_key_usable{client="autocert",path="ROOT/autocert/acme_account+key"} 1
`},
		{"acmesh", discovery.Overrides{AcmeShDirs: []string{dst + "/acmesh"}}, fmt.Sprintf(`
acme_renewal_lineage_info{client="acmesh",directory="https://acme-v02.api.letsencrypt.org/directory",mode="webroot",name="sh.example.test_ecc"} 1
acme_renewal_config_problem_info{client="acmesh",name="sh.example.test_ecc",problem="webroot_missing"} 1
acme_renewal_scheduled_timestamp_seconds{client="acmesh",name="sh.example.test_ecc"} %d
acme_discovery_root_info{client="acmesh",root="ROOT/acmesh"} 1
acme_account_key_usable{client="acmesh",path="ROOT/acmesh/ca/acme-v02.api.letsencrypt.org/directory/account.key"} 1
acme_probe_failure_info{check="renewal_last_run",reason="no_renewal_record",target="acmesh"} 1
`, selected.Add(time.Hour).Unix())},
	} {
		t.Run(tc.client, func(t *testing.T) {
			env := scanEnv(t, `global: {run_as: "0"}`, fixtureNow, tc.o)
			h := scrapetest.NewHarness(env, scrapetest.NewFamilies(t, env.Logger, "renewal", "discovery", "account"))
			want := strings.ReplaceAll(tc.want, "ROOT", dst)
			scrapetest.Compare(t, h, want, "acme_renewal_lineage_info", "acme_renewal_config_problem_info",
				"acme_renewal_scheduled_timestamp_seconds", "acme_discovery_root_info", "acme_account_key_usable",
				"acme_probe_failure_info")
			if problems, err := testutil.CollectAndLint(h); err != nil || len(problems) > 0 {
				t.Errorf("lint: %v %v", err, problems)
			}
		})
	}
}

// TestCertbotBrokenTree: a missing renewal conf, an emptied live dir, an
// account directory the service user cannot enter and bad renewal
// settings each give their own reason; every other lineage keeps its
// series.
func TestCertbotBrokenTree(t *testing.T) {
	dst := testbed.Dir(t)
	testbed.CopyTree(t, "../../discovery/testdata", dst)
	cb := filepath.Join(dst, "certbot")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	// alpha: no renewal conf.
	must(os.Remove(filepath.Join(cb, "renewal", "alpha.example.test.conf")))
	// beta: live dir emptied, and a 60-day renew_before_expiry (too long
	// for its 90-day certificate... which is gone: judged on nothing).
	for _, f := range []string{"cert.pem", "chain.pem", "fullchain.pem", "privkey.pem", "README"} {
		must(os.Remove(filepath.Join(cb, "live", "beta.example.test", f)))
	}
	// gamma: staging server and renew_before_expiry 60 days on a 90-day cert.
	conf := filepath.Join(cb, "renewal", "gamma.example.test.conf")
	b, err := os.ReadFile(conf)
	must(err)
	s := strings.Replace(string(b), "server = https://127.0.0.1:56763/dir", "server = https://acme-staging-v02.api.letsencrypt.org/directory", 1)
	s = "renew_before_expiry = 60 days\n" + s
	must(os.WriteFile(conf, []byte(s), 0o644))
	// The account directory: 0700 root, so uid 65534 cannot enter it.
	acct := filepath.Join(cb, "accounts", "127.0.0.1:56763", "dir", "6415a838f97b3a973c6f2747e0dc8464")
	must(os.Chmod(acct, 0o700))

	env := scanEnv(t, `global: {run_as: "65534"}`, fixtureNow, discovery.Overrides{CertbotDirs: []string{cb}})
	h := scrapetest.NewHarness(env, scrapetest.NewFamilies(t, env.Logger, "renewal", "discovery", "account"))
	want := strings.ReplaceAll(`
acme_renewal_lineage_info{client="certbot",directory="",mode="",name="alpha.example.test"} 1
acme_renewal_lineage_info{client="certbot",directory="https://127.0.0.1:56763/dir",mode="webroot",name="beta.example.test"} 1
acme_renewal_lineage_info{client="certbot",directory="https://acme-staging-v02.api.letsencrypt.org/directory",mode="standalone",name="gamma.example.test"} 1
acme_renewal_config_problem_info{client="certbot",name="alpha.example.test",problem="renewal_conf_missing"} 1
acme_renewal_config_problem_info{client="certbot",name="beta.example.test",problem="live_dir_empty"} 1
acme_renewal_config_problem_info{client="certbot",name="beta.example.test",problem="webroot_missing"} 1
acme_renewal_config_problem_info{client="certbot",name="gamma.example.test",problem="account_missing"} 1
acme_renewal_config_problem_info{client="certbot",name="gamma.example.test",problem="must_staple"} 1
acme_renewal_config_problem_info{client="certbot",name="gamma.example.test",problem="renew_before_expiry_too_long"} 1
acme_renewal_config_problem_info{client="certbot",name="gamma.example.test",problem="staging_directory"} 1
acme_discovery_root_info{client="certbot",root="ROOT"} 1
acme_account_key_usable{client="certbot",path="ROOT/accounts/127.0.0.1:56763/dir/6415a838f97b3a973c6f2747e0dc8464/private_key.json"} 0
acme_probe_failure_info{check="renewal_last_run",reason="no_renewal_record",target="certbot"} 1
`, "ROOT", cb)
	scrapetest.Compare(t, h, want, "acme_renewal_lineage_info", "acme_renewal_config_problem_info",
		"acme_discovery_root_info", "acme_account_key_usable", "acme_probe_failure_info")
	// The certificates of the intact lineages are still checked.
	var live, hist int
	for _, f := range env.Config.CertificateFiles {
		if f.History {
			hist++
		} else {
			live++
		}
	}
	if live != 2 || hist != 4 {
		t.Errorf("certificate files: %d current, %d history; want 2 and 4", live, hist)
	}
}
