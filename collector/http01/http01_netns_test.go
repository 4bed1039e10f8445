// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package http01

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/acme-exporter/acme_exporter/internal/scrapetest"
	"github.com/acme-exporter/acme_exporter/internal/testbed"
	"github.com/acme-exporter/acme_exporter/internal/testcerts"
	"github.com/acme-exporter/acme_exporter/scrape"
)

func init() { scrapetest.ChildModes["http01_no_ipv6"] = http01NoIPv6Child }

// TestHTTP01ProberNoIPv6 runs the http01 check on a prober without IPv6:
// a network namespace created for the test, holding only loopback, with
// IPv6 disabled by sysctl inside it. The test binary is re-executed in the
// namespace with `ip netns exec` and runs http01NoIPv6Child there, which
// starts nginx (IPv4 only) and checks the golden output. Needs root (CI
// runs as root); the namespace is deleted when the test ends.
func TestHTTP01ProberNoIPv6(t *testing.T) {
	ip := testbed.Binary(t, "ip")
	sysctl := testbed.Binary(t, "sysctl")
	nginx := testbed.Binary(t, "nginx")
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	ns := fmt.Sprintf("acme-test-noipv6-%d-%s", os.Getpid(), hex.EncodeToString(b))
	testbed.Run(t, []string{ip, "netns", "add", ns})
	t.Cleanup(func() {
		if out, err := exec.Command(ip, "netns", "delete", ns).CombinedOutput(); err != nil {
			t.Errorf("ip netns delete %s: %v %s", ns, err, out)
		}
	})
	inNS := func(argv ...string) string { return testbed.Run(t, append([]string{ip, "netns", "exec", ns}, argv...)) }
	inNS(ip, "link", "set", "lo", "up")
	inNS(sysctl, "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1")
	inNS(sysctl, "-q", "-w", "net.ipv6.conf.default.disable_ipv6=1")
	// The premise: inside, loopback has 127.0.0.1 and no IPv6 address.
	if addrs := inNS(ip, "-o", "addr", "show"); strings.Contains(addrs, "inet6") || !strings.Contains(addrs, "127.0.0.1") {
		t.Fatalf("namespace %s is not IPv4-only loopback:\n%s", ns, addrs)
	}

	dir := testbed.Dir(t)
	testcerts.Write(t, dir, "webroot/.well-known/acme-challenge/canary-token", []byte("canary-content-42\n"), 0o644)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(ip, "netns", "exec", ns, self, "-test.run=^$")
	cmd.Env = []string{"ACME_TEST_CHILD=http01_no_ipv6", "ACME_TEST_DIR=" + dir, "ACME_TEST_NGINX=" + nginx, "PATH=" + os.Getenv("PATH")}
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "child ok") {
		t.Fatalf("child in namespace %s: %v\n%s", ns, err, out)
	}
}

// childTB lets test helpers (testbed, compare) run in a child process: a
// failure prints the message, runs the cleanups (stopping daemons by PID)
// and exits 1. Only the methods those helpers call are implemented.
type childTB struct {
	testing.TB
	cleanups []func()
}

func (c *childTB) Helper()                 {}
func (c *childTB) Cleanup(f func())        { c.cleanups = append(c.cleanups, f) }
func (c *childTB) Logf(f string, a ...any) { fmt.Printf(f+"\n", a...) }
func (c *childTB) Fatal(a ...any)          { c.Fatalf("%s", fmt.Sprint(a...)) }
func (c *childTB) Fatalf(f string, a ...any) {
	fmt.Printf("FAIL: "+f+"\n", a...)
	c.finish()
	os.Exit(1)
}

func (c *childTB) finish() {
	for _, f := range slices.Backward(c.cleanups) {
		f()
	}
	c.cleanups = nil
}

// http01NoIPv6Child runs inside the IPv6-less namespace. nginx serves the
// canary on 127.0.0.1 (it cannot bind ::1 here); the resolver answers
// both A and AAAA, as public DNS would for a dual-stack site. The IPv6
// family fails with prober_no_ipv6 (the prober's fault, not the site's)
// and the CA's view falls back to IPv4 after the dial error, as Let's
// Encrypt does. A pinned IPv6 address gets the same reason.
func http01NoIPv6Child() int {
	t := &childTB{}
	defer t.finish()
	dir, nginx := os.Getenv("ACME_TEST_DIR"), os.Getenv("ACME_TEST_NGINX")
	if dir == "" || nginx == "" {
		t.Fatalf("ACME_TEST_DIR and ACME_TEST_NGINX must be set")
	}
	p80 := testbed.FreePort(t, "127.0.0.1")
	servers := fmt.Sprintf(`
    server {
        listen 127.0.0.1:%[1]d default_server;
        location /.well-known/acme-challenge/ { root %[2]s/webroot; default_type text/plain; }
    }
`, p80, dir)
	testbed.StartNginx(t, dir, servers, fmt.Sprintf("127.0.0.1:%d", p80))
	zone := testbed.StartFakeDNS(t, map[string][]string{"dual.example.test": {"127.0.0.1", "::1"}})
	vars := map[string]string{"R": zone.Addr, "P80": fmt.Sprint(p80), "DIR": dir}
	yml := scrapetest.Expand(`
http01:
  - domain: dual.example.test
    webroot: {{DIR}}/webroot
    canary: canary-token
    resolver: {{R}}
    port: {{P80}}
  - domain: v6pinned.example.test
    address: "::1"
    port: {{P80}}
`, vars)
	want := `
acme_http01_canary{domain="dual.example.test"} 1
acme_http01_canary{domain="v6pinned.example.test"} 0
acme_http01_reachable{domain="dual.example.test",ip_family="ipv4"} 1
acme_http01_reachable{domain="dual.example.test",ip_family="ipv6"} 0
acme_http01_reachable{domain="dual.example.test",ip_family="ca"} 1
acme_http01_reachable{domain="v6pinned.example.test",ip_family="ipv6"} 0
acme_http01_reachable{domain="v6pinned.example.test",ip_family="ca"} 0
acme_http01_status_code{domain="dual.example.test",ip_family="ipv4"} 200
acme_http01_status_code{domain="dual.example.test",ip_family="ca"} 200
acme_http01_redirects{domain="dual.example.test",ip_family="ipv4"} 0
acme_http01_redirects{domain="dual.example.test",ip_family="ipv6"} 0
acme_http01_redirects{domain="dual.example.test",ip_family="ca"} 0
acme_http01_redirects{domain="v6pinned.example.test",ip_family="ipv6"} 0
acme_http01_redirects{domain="v6pinned.example.test",ip_family="ca"} 0
acme_http01_failure_info{domain="dual.example.test",ip_family="ipv6",reason="prober_no_ipv6"} 1
acme_http01_failure_info{domain="v6pinned.example.test",ip_family="ipv6",reason="prober_no_ipv6"} 1
acme_http01_failure_info{domain="v6pinned.example.test",ip_family="ca",reason="prober_no_ipv6"} 1
acme_probe_success{check="http01",target="dual.example.test"} 1
acme_probe_success{check="http01",target="v6pinned.example.test"} 1
`
	env := scrapetest.Env(t, yml, testcerts.Epoch, nil)
	h := scrapetest.NewHarness(env, map[string]scrape.Collector{http01Check: &http01Collector{}})
	scrapetest.Compare(t, h, want, http01Names...)
	if problems, err := testutil.CollectAndLint(h); err != nil || len(problems) > 0 {
		t.Fatalf("lint: %v %v", err, problems)
	}
	fmt.Println("child ok")
	return 0
}
