// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package all_test

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/acme-exporter/acme_exporter/discovery"
	"github.com/acme-exporter/acme_exporter/internal/scrapetest"
	"github.com/acme-exporter/acme_exporter/internal/testbed"
)

const asNobodyEnv = "ACME_EXPORTER_TEST_AS_NOBODY"

// TestExporterCannotReadAccountDir: the certbot accounts/ directory is
// 0700 root and the exporter runs as nobody (re-exec under setpriv, as CI
// runs as root). The account the renewal confs name is still checked and
// says exporter_cannot_read (not missing, not "service user cannot
// read"); every lineage keeps its series.
func TestExporterCannotReadAccountDir(t *testing.T) {
	if dir := os.Getenv(asNobodyEnv); dir != "" {
		exporterCannotReadInner(t, dir)
		return
	}
	if os.Getuid() != 0 {
		t.Fatal("this test creates files for another user and re-executes itself with setpriv: run it as root (CI does)")
	}
	setpriv := testbed.Binary(t, "setpriv")
	dst := testbed.Dir(t)
	testbed.CopyTree(t, "../../discovery/testdata", dst)
	cb := filepath.Join(dst, "certbot")
	for _, d := range []string{"live", "archive"} {
		if err := os.Chmod(filepath.Join(cb, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// accounts/ stays 0700 root, as certbot makes it.
	bin := filepath.Join(dst, "collector.test")
	copyExec(t, os.Args[0], bin)
	cmd := exec.Command(setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", bin,
		"-test.run=^TestExporterCannotReadAccountDir$", "-test.v")
	cmd.Env = append(os.Environ(), asNobodyEnv+"="+dst)
	cmd.Dir = dst
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS") {
		t.Fatalf("as nobody: %v\n%s", err, out)
	}
}

func exporterCannotReadInner(t *testing.T, dst string) {
	cb := filepath.Join(dst, "certbot")
	env := scanEnv(t, `global: {run_as: "0"}`, fixtureNow, discovery.Overrides{CertbotDirs: []string{cb}})
	h := scrapetest.NewHarness(env, scrapetest.NewFamilies(t, env.Logger, "renewal", "discovery", "account"))
	key := cb + "/accounts/127.0.0.1:56763/dir/6415a838f97b3a973c6f2747e0dc8464/private_key.json"
	want := strings.ReplaceAll(`
acme_renewal_lineage_info{client="certbot",directory="https://127.0.0.1:56763/dir",mode="standalone",name="alpha.example.test"} 1
acme_renewal_lineage_info{client="certbot",directory="https://127.0.0.1:56763/dir",mode="webroot",name="beta.example.test"} 1
acme_renewal_lineage_info{client="certbot",directory="https://127.0.0.1:56763/dir",mode="standalone",name="gamma.example.test"} 1
acme_renewal_config_problem_info{client="certbot",name="beta.example.test",problem="webroot_missing"} 1
acme_renewal_config_problem_info{client="certbot",name="gamma.example.test",problem="must_staple"} 1
acme_probe_failure_info{check="account_key",reason="exporter_cannot_read",target="KEY"} 1
acme_probe_failure_info{check="renewal_last_run",reason="no_renewal_record",target="certbot"} 1
`, "KEY", key)
	scrapetest.Compare(t, h, want, "acme_renewal_lineage_info", "acme_renewal_config_problem_info", "acme_account_key_usable",
		"acme_account_key_problem_info", "acme_probe_failure_info")
}

func copyExec(t *testing.T, src, dst string) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = in.Close() }()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}
