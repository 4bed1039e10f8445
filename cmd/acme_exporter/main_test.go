// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/acme-exporter/acme_exporter/internal/testbed"
	"github.com/acme-exporter/acme_exporter/internal/testcerts"
)

// buildBinary builds the exporter once per test run.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "acme_exporter")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

func TestConfigCheckExitCodes(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yml")
	bad := filepath.Join(dir, "bad.yml")
	writeFile(t, good, "certificate_files:\n  - path: /etc/x.pem\n")
	writeFile(t, bad, "certificate_files:\n  - path: x.pem\n")
	out, err := exec.Command(bin, "--config.check", "--config.file="+good).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "config OK") {
		t.Fatalf("good config: %v %s", err, out)
	}
	out, err = exec.Command(bin, "--config.check", "--config.file="+bad).CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 || !strings.Contains(string(out), bad+":2: certificate_files[0].path: must be an absolute path") {
		t.Fatalf("bad config: %v %s", err, out)
	}
	out, err = exec.Command(bin, "--version").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "acme_exporter, version") {
		t.Fatalf("--version: %v %s", err, out)
	}
}

// The real binary: serves its endpoints, reloads on SIGHUP, keeps the old
// config on a bad reload and says so in its metrics.
func TestBinaryServesAndReloads(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	ch := testcerts.NewChain(t, "Test")
	testcerts.Write(t, dir, "live/site/fullchain.pem", ch.FullChain(ch.Leaf(t, testcerts.Options{})), 0o644)
	cfg := filepath.Join(dir, "c.yml")
	writeFile(t, cfg, fmt.Sprintf("certificate_files:\n  - path: %s/live/*/fullchain.pem\n", dir))
	port := testbed.FreePort(t, "127.0.0.1")
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	// Discovery stays on with a config file: --no-discovery.defaults keeps
	// the host's own ACME clients out of this test.
	p := testbed.Start(t, dir, "exporter", []string{bin, "--config.file=" + cfg, "--web.listen-address=" + addr, "--no-discovery.defaults"}, "ACME_EXPORTER_OFFLINE=1")
	testbed.WaitTCP(t, addr, p)
	get := func(path string) string {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	for path, want := range map[string]string{
		"/-/healthy": "Healthy",
		"/-/ready":   "Ready",
		"/":          "/metrics",
		"/metrics":   `target="` + dir + `/live/site/fullchain.pem",address=""} `,
	} {
		if got := get(path); !strings.Contains(got, want) {
			t.Errorf("%s lacks %q:\n%s", path, want, got)
		}
	}
	m := get("/metrics")
	for _, want := range []string{"acme_exporter_build_info{", "acme_exporter_config_last_reload_successful 1", "go_goroutines", `acme_exporter_collector_success{collector="certificate_file"} 1`} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	writeFile(t, cfg, "certificate_files: [\n")
	if err := p.Cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return strings.Contains(get("/metrics"), "acme_exporter_config_last_reload_successful 0") })
	if !strings.Contains(get("/metrics"), `target="`+dir+`/live/site/fullchain.pem",address=""} `) {
		t.Fatal("old config not kept after a bad reload")
	}
	if !strings.Contains(p.Logs(), "keeping the previous one") {
		t.Errorf("bad reload not logged:\n%s", p.Logs())
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal("condition not met within 10s")
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestNewcomerPath follows README.md "Try it" on a fresh clone: `make run`
// (discovery pointed at a host root holding the certbot fixture tree)
// then `curl /` shows the discovered inventory on the landing page.
func TestNewcomerPath(t *testing.T) {
	top, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	if err != nil {
		t.Fatalf("git: %v", err)
	}
	clone := filepath.Join(t.TempDir(), "acme_exporter")
	if out, err := exec.Command("git", "clone", "-q", strings.TrimSpace(string(top)), clone).CombinedOutput(); err != nil {
		t.Fatalf("git clone: %v\n%s", err, out)
	}
	host := testbed.Dir(t)
	testbed.CopyTree(t, "../../discovery/testdata/certbot", filepath.Join(host, "etc", "letsencrypt"))
	testbed.CopyTree(t, "../../discovery/testdata/certbot-logs", filepath.Join(host, "var", "log", "letsencrypt"))
	addr := fmt.Sprintf("127.0.0.1:%d", testbed.FreePort(t, "127.0.0.1"))
	p := testbed.Start(t, t.TempDir(), "make-run", []string{"make", "-C", clone, "run",
		// Offline, and no HTTP-01 check: it would ask the host's resolver
		// for the fixture's domains.
		"RUN_ARGS=--discovery.rootfs=" + host + " --web.listen-address=" + addr + " --no-collector.http01"}, "ACME_EXPORTER_OFFLINE=1")
	deadline := time.Now().Add(5 * time.Minute) // make run builds first
	for {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			_ = c.Close()
			break
		}
		if p.Exited() || time.Now().After(deadline) {
			t.Fatalf("make run did not serve on %s:\n%s", addr, p.Logs())
		}
		time.Sleep(200 * time.Millisecond)
	}
	curl := func(path string) string {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %s", path, resp.StatusCode, b)
		}
		return html.UnescapeString(string(b))
	}
	curl("/metrics") // what Prometheus would do: the checks run
	page := curl("/")
	root := filepath.Join(host, "etc", "letsencrypt")
	for _, want := range []string{
		"<td>certbot</td><td><code>" + root + "</code></td><td>3</td>",
		root + "/live/alpha.example.test/fullchain.pem",
		root + "/accounts/127.0.0.1:56763/dir/",
		"<td>beta.example.test</td><td>certbot</td>",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("landing page lacks %q:\n%s", want, page)
		}
	}
	if !strings.Contains(p.Logs(), `msg="Discovery scan done" component=discovery clients=certbot:`+root+` lineages=3`) {
		t.Errorf("no discovery summary at info:\n%s", p.Logs())
	}
}
