// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package certificate

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/acme-exporter/acme_exporter/config"
	"github.com/acme-exporter/acme_exporter/internal/scrapetest"
	"github.com/acme-exporter/acme_exporter/internal/testbed"
	"github.com/acme-exporter/acme_exporter/internal/testcerts"
	"github.com/acme-exporter/acme_exporter/inventory"
	"github.com/acme-exporter/acme_exporter/scrape"
)

// A file that fails to parse is not read again while its identity is
// unchanged; a permission change (only ctime moves) makes it read again.
func TestFailedReadsCachedByIdentity(t *testing.T) {
	dir := t.TempDir()
	ch := testcerts.NewChain(t, "Test")
	testcerts.Write(t, dir, "bad/fullchain.pem", []byte("-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n"), 0o644)
	good := testcerts.Write(t, dir, "good/fullchain.pem", ch.FullChain(ch.Leaf(t, testcerts.Options{})), 0o644)
	env := scrapetest.Env(t, "certificate_files:\n  - path: "+dir+"/*/fullchain.pem\n", testcerts.Epoch, ch.Pool())
	h := scrapetest.NewHarness(env, map[string]scrape.Collector{certFileCheck: newCertFileCollector(env.Logger)})

	before := parseCount.Load()
	for i := 0; i < 4; i++ {
		testutil.CollectAndCount(h)
	}
	if got := parseCount.Load() - before; got != 2 {
		t.Fatalf("4 scrapes of one good and one broken file parsed %d times, want 2 (failures cached)", got)
	}
	// chmod changes neither size nor mtime, only ctime.
	time.Sleep(10 * time.Millisecond)
	if err := os.Chmod(good, 0o600); err != nil {
		t.Fatal(err)
	}
	testutil.CollectAndCount(h)
	if got := parseCount.Load() - before; got != 3 {
		t.Fatalf("after chmod: %d parses, want 3 (the file read again)", got)
	}
}

// Non-UTF-8 file names stay apart: two names differing only in invalid
// bytes give two series, not one U+FFFD name twice.
func TestNonUTF8NamesDistinct(t *testing.T) {
	dir := t.TempDir()
	ch := testcerts.NewChain(t, "Test")
	testcerts.Write(t, dir, "live/a\xfe/fullchain.pem", ch.FullChain(ch.Leaf(t, testcerts.Options{Serial: 1})), 0o644)
	testcerts.Write(t, dir, "live/a\xff/fullchain.pem", ch.FullChain(ch.Leaf(t, testcerts.Options{Serial: 2})), 0o644)
	env := scrapetest.Env(t, "certificate_files:\n  - path: "+dir+"/live/*/fullchain.pem\n", testcerts.Epoch, ch.Pool())
	h := scrapetest.NewHarness(env, map[string]scrape.Collector{certFileCheck: newCertFileCollector(env.Logger)})
	want := fmt.Sprintf(`acme_certificate_info{address="",dns_names="example.test",issuer="Test Intermediate",key_type="ecdsa_p256",must_staple="false",name="a\\xfe",serial="01",source="file",target="%[1]s/live/a\\xfe/fullchain.pem"} 1
acme_certificate_info{address="",dns_names="example.test",issuer="Test Intermediate",key_type="ecdsa_p256",must_staple="false",name="a\\xff",serial="02",source="file",target="%[1]s/live/a\\xff/fullchain.pem"} 1
`, dir)
	scrapetest.Compare(t, h, want, "acme_certificate_info")
}

func init() {
	// Child of TestUnreadableToTheExporter: runs as uid 65534.
	scrapetest.ChildModes["unreadable_glob"] = func() int {
		dir := os.Getenv("ACME_TEST_DIR")
		cfg, err := config.Parse([]byte(fmt.Sprintf("certificate_files:\n  - path: %[1]s/locked/*/fullchain.pem\n  - path: %[1]s/missing/*/fullchain.pem\n  - path: %[1]s/mine/fullchain.pem\n", dir)))
		if err != nil {
			fmt.Println("config:", err)
			return 1
		}
		env := &scrape.Env{Config: cfg, Now: time.Now, Inventory: inventory.New(), Discovered: &inventory.Snapshot{}}
		c := newCertFileCollector(nil)
		run := func() []string {
			ts, err := c.Targets(env)
			var out []string
			if err != nil {
				out = append(out, "targets error: "+err.Error())
			}
			for _, tg := range ts {
				err := tg.Run(context.Background(), func(prometheus.Metric) {})
				reason := "ok"
				if err != nil {
					reason = scrape.ReasonOf(err)
				}
				out = append(out, strings.TrimPrefix(tg.Target, dir)+" "+reason)
			}
			slices.Sort(out)
			return out
		}
		fmt.Println("first:", strings.Join(run(), "; "))
		if err := os.Chmod(filepath.Join(dir, "mine/fullchain.pem"), 0); err != nil {
			fmt.Println("chmod:", err)
			return 1
		}
		fmt.Println("after chmod:", strings.Join(run(), "; "))
		return 0
	}
}

// As an unprivileged exporter: a glob over a directory it may not list
// fails on the pattern (exporter_cannot_read) instead of expanding to
// nothing, a glob over a missing directory stays quiet, and chmod 000 of a
// file already read is noticed at the next scrape.
func TestUnreadableToTheExporter(t *testing.T) {
	if os.Getuid() != 0 {
		t.Fatal("this test creates files for another user and re-executes itself with setpriv: run it as root (CI does)")
	}
	dir := testbed.Dir(t)
	ch := testcerts.NewChain(t, "Test")
	pem := ch.FullChain(ch.Leaf(t, testcerts.Options{}))
	testcerts.Write(t, dir, "locked/site/fullchain.pem", pem, 0o644)
	if err := os.Chmod(filepath.Join(dir, "locked"), 0o700); err != nil {
		t.Fatal(err)
	}
	mine := testcerts.Write(t, dir, "mine/fullchain.pem", pem, 0o644)
	if err := os.Chown(mine, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	out := scrapetest.RunAsNobody(t, dir, "unreadable_glob", "ACME_TEST_DIR="+dir)
	want := "first: /locked/*/fullchain.pem exporter_cannot_read; /mine/fullchain.pem ok\n" +
		"after chmod: /locked/*/fullchain.pem exporter_cannot_read; /mine/fullchain.pem exporter_cannot_read\n"
	if out != want {
		t.Fatalf("got\n%s\nwant\n%s", out, want)
	}
}
