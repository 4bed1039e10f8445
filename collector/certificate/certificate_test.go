// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package certificate

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/acme-exporter/acme_exporter/config"
	"github.com/acme-exporter/acme_exporter/internal/certs"
	"github.com/acme-exporter/acme_exporter/internal/scrapetest"
	"github.com/acme-exporter/acme_exporter/internal/testbed"
	"github.com/acme-exporter/acme_exporter/internal/testcerts"
	"github.com/acme-exporter/acme_exporter/inventory"
	"github.com/acme-exporter/acme_exporter/scrape"
)

// certTree writes the fixture cases of the certificate-file golden test.
func certTree(t *testing.T, dir string, ch *testcerts.Chain) {
	t.Helper()
	w := func(name string, data []byte) { testcerts.Write(t, dir, name, data, 0o644) }

	full := ch.Leaf(t, testcerts.Options{DNSNames: []string{"full.example.test", "www.full.example.test"}, Serial: 0x1001})
	w("full/fullchain.pem", ch.FullChain(full))
	w("full/privkey.pem", full.KeyPEM())

	leaf := ch.Leaf(t, testcerts.Options{DNSNames: []string{"leaf.example.test"}, Serial: 0x1002})
	w("leafonly/cert.pem", leaf.PEM())
	w("leafonly/privkey.pem", leaf.KeyPEM())

	old := ch.Leaf(t, testcerts.Options{DNSNames: []string{"expired.example.test"}, Serial: 0x1003,
		NotBefore: testcerts.Epoch.AddDate(0, 0, -100)})
	w("expired/fullchain.pem", ch.FullChain(old))

	mis := ch.Leaf(t, testcerts.Options{DNSNames: []string{"mismatch.example.test"}, Serial: 0x1004, RSA: true})
	other := ch.Leaf(t, testcerts.Options{Serial: 0x1005})
	w("mismatch/fullchain.pem", ch.FullChain(mis))
	w("mismatch/privkey.pem", other.KeyPEM())

	w("corrupt/fullchain.pem", []byte("-----BEGIN CERTIFICATE-----\nTm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n"))
	w("empty/fullchain.pem", nil)
	w("keyonly/fullchain.pem", full.KeyPEM())

	if err := os.MkdirAll(filepath.Join(dir, "dangling"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../../archive/dangling/fullchain3.pem", filepath.Join(dir, "dangling/fullchain.pem")); err != nil {
		t.Fatal(err)
	}

	// autocert's cache: key and chain in one file named after the domain.
	ac := ch.Leaf(t, testcerts.Options{DNSNames: []string{"auto.example.test"}, Serial: 0x1006, MustStaple: true})
	w("autocert/auto.example.test", append(ac.KeyPEM(), ch.FullChain(ac)...))

	der := ch.Leaf(t, testcerts.Options{DNSNames: []string{"der.example.test"}, Serial: 0x1007,
		Lifetime: 6 * 24 * time.Hour, NotBefore: testcerts.Epoch.Add(-48 * time.Hour)})
	w("der/site.der", der.Cert.Raw)

	many := make([]string, 12)
	for i := range many {
		many[i] = fmt.Sprintf("n%02d.example.test", i)
	}
	w("many/fullchain.pem", ch.FullChain(ch.Leaf(t, testcerts.Options{DNSNames: many, Serial: 0x1008})))
}

func certConfig(dir string) string {
	var b strings.Builder
	b.WriteString("certificate_files:\n")
	for _, p := range []string{"full/fullchain.pem", "leafonly/cert.pem", "expired/fullchain.pem",
		"mismatch/fullchain.pem", "corrupt/fullchain.pem", "empty/fullchain.pem", "keyonly/fullchain.pem",
		"dangling/fullchain.pem", "der/site.der", "many/fullchain.pem", "missing/fullchain.pem"} {
		fmt.Fprintf(&b, "  - path: %s/%s\n", dir, p)
	}
	fmt.Fprintf(&b, "  - path: %s/autocert/*.test\n", dir)
	return b.String()
}

var certFamilies = []string{
	"acme_certificate_chain_not_after_timestamp_seconds",
	"acme_certificate_info", "acme_certificate_key_match", "acme_certificate_not_after_timestamp_seconds",
	"acme_probe_failure_info", "acme_probe_success",
}

func TestCertificateFilesGolden(t *testing.T) {
	dir := t.TempDir()
	ch := testcerts.NewChain(t, "Test")
	certTree(t, dir, ch)
	env := scrapetest.Env(t, certConfig(dir), testcerts.Epoch, ch.Pool())
	h := scrapetest.NewHarness(env, map[string]scrape.Collector{certFileCheck: newCertFileCollector(env.Logger)})
	scrapetest.CompareFile(t, h, "certificate_files.prom", dir, certFamilies...)
	if problems, err := testutil.CollectAndLint(h); err != nil || len(problems) > 0 {
		t.Fatalf("lint: %v %v", err, problems)
	}
}

// Golden output does not depend on the date: a year later, only the
// verdicts that are about time could change, and they are not exported as
// booleans, so the output is the same.
func TestCertificateFilesIndependentOfClock(t *testing.T) {
	dir := t.TempDir()
	ch := testcerts.NewChain(t, "Test")
	certTree(t, dir, ch)
	env := scrapetest.Env(t, certConfig(dir), testcerts.Epoch.AddDate(1, 0, 0), ch.Pool())
	h := scrapetest.NewHarness(env, map[string]scrape.Collector{certFileCheck: newCertFileCollector(env.Logger)})
	scrapetest.CompareFile(t, h, "certificate_files.prom", dir, certFamilies...)
}

// An unchanged file is parsed once; a replaced file is parsed again and
// leaves no series of the old certificate behind.
func TestCertificateParseCache(t *testing.T) {
	dir := t.TempDir()
	ch := testcerts.NewChain(t, "Test")
	a := ch.Leaf(t, testcerts.Options{Serial: 0xa1})
	p := testcerts.Write(t, dir, "site/fullchain.pem", ch.FullChain(a), 0o644)
	testcerts.Write(t, dir, "other/fullchain.pem", ch.FullChain(ch.Leaf(t, testcerts.Options{Serial: 0xa2})), 0o644)
	env := scrapetest.Env(t, "certificate_files:\n  - path: "+dir+"/*/fullchain.pem\n", testcerts.Epoch, ch.Pool())
	h := scrapetest.NewHarness(env, map[string]scrape.Collector{certFileCheck: newCertFileCollector(env.Logger)})

	before := parseCount.Load()
	testutil.CollectAndCount(h)
	if got := parseCount.Load() - before; got != 2 {
		t.Fatalf("first scrape parsed %d files, want 2", got)
	}
	for i := 0; i < 3; i++ {
		testutil.CollectAndCount(h)
	}
	if got := parseCount.Load() - before; got != 2 {
		t.Fatalf("unchanged files parsed again: %d parses", got)
	}

	// Renewal: a new file renamed over the old one.
	b := ch.Leaf(t, testcerts.Options{Serial: 0xb1})
	tmp := testcerts.Write(t, dir, "site/.new", ch.FullChain(b), 0o644)
	if err := os.Rename(tmp, p); err != nil {
		t.Fatal(err)
	}
	n := testutil.CollectAndCount(h, "acme_certificate_info")
	if got := parseCount.Load() - before; got != 3 {
		t.Fatalf("replaced file: %d parses, want 3", got)
	}
	if n != 2 {
		t.Fatalf("%d acme_certificate_info series, want 2 (no stale series)", n)
	}
	want := fmt.Sprintf(`acme_certificate_info{address="",dns_names="example.test",issuer="Test Intermediate",key_type="ecdsa_p256",must_staple="false",name="other",serial="a2",source="file",target="%[1]s/other/fullchain.pem"} 1
acme_certificate_info{address="",dns_names="example.test",issuer="Test Intermediate",key_type="ecdsa_p256",must_staple="false",name="site",serial="b1",source="file",target="%[1]s/site/fullchain.pem"} 1
`, dir)
	scrapetest.Compare(t, h, want, "acme_certificate_info")
	if got := len(env.Inventory.All()); got != 2 {
		t.Fatalf("inventory holds %d certificates, want 2", got)
	}
}

// History files (certbot archive/) feed the inventory only.
func TestCertificateHistoryIsQuiet(t *testing.T) {
	dir := t.TempDir()
	ch := testcerts.NewChain(t, "Test")
	testcerts.Write(t, dir, "archive/site/fullchain1.pem", ch.FullChain(ch.Leaf(t, testcerts.Options{Serial: 1})), 0o644)
	testcerts.Write(t, dir, "archive/site/fullchain2.pem", ch.FullChain(ch.Leaf(t, testcerts.Options{Serial: 2})), 0o644)
	env := scrapetest.Env(t, "certificate_files:\n  - path: "+dir+"/archive/site/fullchain*.pem\n    name: site\n    history: true\n", testcerts.Epoch, ch.Pool())
	h := scrapetest.NewHarness(env, map[string]scrape.Collector{certFileCheck: newCertFileCollector(env.Logger)})
	if n := testutil.CollectAndCount(h, "acme_certificate_not_after_timestamp_seconds", "acme_probe_success"); n != 0 {
		t.Fatalf("history files exported %d lifecycle/probe series", n)
	}
	inv := env.Inventory.All()
	if len(inv) != 2 || !inv[0].History || inv[0].Name != "site" {
		t.Fatalf("inventory: %+v", inv)
	}
}

func init() {
	// Child of TestCertificateUnreadableByExporter: runs as uid 65534.
	scrapetest.ChildModes["unreadable"] = func() int {
		dir := os.Getenv("ACME_TEST_DIR")
		c := newCertFileCollector(nil)
		env := &scrape.Env{Config: nil, Now: time.Now}
		_ = env
		_, err := c.load(&scrape.Env{Now: time.Now}, &certFileSpec{path: filepath.Join(dir, "secret/fullchain.pem")})
		fmt.Println("reason:", scrape.ReasonOf(err))
		_, err = c.loadKey(filepath.Join(dir, "readable/privkey.pem"))
		fmt.Println("key reason:", scrape.ReasonOf(err))
		return 0
	}
}

// The exporter's own lack of access is its own reason. CI runs as root,
// which reads anything, so the check runs as uid 65534 in a child.
func TestCertificateUnreadableByExporter(t *testing.T) {
	if os.Getuid() != 0 {
		t.Log("not root: the child still runs under setpriv only as root; checking in-process")
	}
	dir := testbed.Dir(t)
	ch := testcerts.NewChain(t, "Test")
	leaf := ch.Leaf(t, testcerts.Options{})
	testcerts.Write(t, dir, "secret/fullchain.pem", ch.FullChain(leaf), 0o600)
	testcerts.Write(t, dir, "readable/privkey.pem", leaf.KeyPEM(), 0o600)
	var out string
	if os.Getuid() == 0 {
		out = scrapetest.RunAsNobody(t, dir, "unreadable", "ACME_TEST_DIR="+dir)
	} else {
		c := newCertFileCollector(nil)
		_, err := c.load(&scrape.Env{Now: time.Now}, &certFileSpec{path: filepath.Join(dir, "secret/fullchain.pem")})
		_, kerr := c.loadKey(filepath.Join(dir, "readable/privkey.pem"))
		out = "reason: " + scrape.ReasonOf(err) + "\nkey reason: " + scrape.ReasonOf(kerr) + "\n"
	}
	want := "reason: exporter_cannot_read\nkey reason: key_exporter_cannot_read\n"
	if out != want {
		t.Fatalf("got %q, want %q", out, want)
	}
}

func TestDeriveName(t *testing.T) {
	for path, want := range map[string]string{
		"/etc/letsencrypt/live/example.com/fullchain.pem":           "example.com",
		"/etc/letsencrypt/live/example.com/cert.pem":                "example.com",
		"/home/u/.lego/certificates/example.com.crt":                "example.com",
		"/home/u/.lego/certificates/_.wild.example.com.crt":         "_.wild.example.com",
		"/var/cache/autocert/example.com":                           "example.com",
		"/etc/ssl/site/tls.crt":                                     "site",
		"/data/caddy/certificates/acme/example.com/example.com.crt": "example.com",
	} {
		if got := DeriveName(path); got != want {
			t.Errorf("DeriveName(%s) = %q, want %q", path, got, want)
		}
	}
}

var _ prometheus.Collector = (*scrapetest.Harness)(nil)

// /metrics writes the files' samples straight from their data (Lazy,
// WriteText); it must say what the golden file (gathered through
// client_golang) says, on a cold and on a warm scrape.
func TestCertificateFilesStreamedLikeGathered(t *testing.T) {
	dir := t.TempDir()
	ch := testcerts.NewChain(t, "Test")
	certTree(t, dir, ch)
	env := scrapetest.Env(t, certConfig(dir), testcerts.Epoch, ch.Pool())
	golden, err := os.ReadFile("testdata/certificate_files.prom")
	if err != nil {
		t.Fatal(err)
	}
	parse := func(text string) map[string]string {
		p := expfmt.NewTextParser(model.UTF8Validation)
		mfs, err := p.TextToMetricFamilies(strings.NewReader(text))
		if err != nil {
			t.Fatalf("%v\n%s", err, text)
		}
		out := map[string]string{}
		for _, n := range certFamilies {
			if mf := mfs[n]; mf != nil {
				// Neither label nor sample order is part of the format.
				for _, m := range mf.Metric {
					sort.Slice(m.Label, func(i, j int) bool { return m.Label[i].GetName() < m.Label[j].GetName() })
				}
				sort.Slice(mf.Metric, func(i, j int) bool { return mf.Metric[i].String() < mf.Metric[j].String() })
				out[n] = mf.String()
			}
		}
		return out
	}
	want := parse(string(golden))
	c := newCertFileCollector(env.Logger)
	s := scrape.NewScheduler(4, env.Now, env.Logger)
	for _, pass := range []string{"cold", "warm"} {
		var batches [][]prometheus.Metric
		s.CollectBatches(env, map[string]scrape.Collector{certFileCheck: c}, time.Now().Add(time.Minute),
			func(b [][]prometheus.Metric) { batches = append(batches, b...) })
		var b strings.Builder
		if err := scrape.WriteText(&b, batches...); err != nil {
			t.Fatal(err)
		}
		got := parse(strings.ReplaceAll(b.String(), dir, "DIR"))
		if len(got) != len(want) {
			t.Fatalf("%s: %d families, golden has %d", pass, len(got), len(want))
		}
		for n, w := range want {
			if got[n] != w {
				t.Errorf("%s: %s differs:\nstreamed: %s\ngolden:   %s", pass, n, got[n], w)
			}
		}
	}
}

// A file checked through /probe answers the request and stays out of the
// inventory that rate limits, ARI and serving_latest read; the same file
// configured is in it.
func TestCertificateProbeStaysOutOfInventory(t *testing.T) {
	dir := t.TempDir()
	ch := testcerts.NewChain(t, "Test")
	p := testcerts.Write(t, dir, "live/site/fullchain.pem", ch.FullChain(ch.Leaf(t, testcerts.Options{})), 0o644)
	env := scrapetest.Env(t, "modules:\n  files:\n    kind: certificate_file\n    file_roots: ["+dir+"]\n", testcerts.Epoch, ch.Pool())
	c := newCertFileCollector(env.Logger)
	ts, err := c.ProbeTargets(context.Background(), env, env.Config.Modules["files"], p)
	if err != nil {
		t.Fatal(err)
	}
	scrapetest.Compare(t, &scrapetest.ProbeCollector{Sched: scrape.NewScheduler(1, env.Now, env.Logger), Targets: ts},
		`acme_probe_success{check="certificate_file",target="`+p+`"} 1`+"\n", "acme_probe_success")
	if n := inventorySize(env); n != 0 {
		t.Fatalf("a /probe'd file put %d certificates into the inventory", n)
	}
	env.Config.CertificateFiles = []config.CertificateFile{{Path: p}}
	testutil.CollectAndCount(scrapetest.NewHarness(env, map[string]scrape.Collector{certFileCheck: c}))
	if n := inventorySize(env); n != 1 {
		t.Fatalf("the configured file gave %d inventory entries, want 1", n)
	}
}

// A file that goes missing and comes back unchanged (renamed away and
// back: same inode, size and mtime) is back in the inventory too.
func TestCertificateBackInInventoryAfterFailure(t *testing.T) {
	dir := t.TempDir()
	ch := testcerts.NewChain(t, "Test")
	p := testcerts.Write(t, dir, "site/fullchain.pem", ch.FullChain(ch.Leaf(t, testcerts.Options{})), 0o644)
	env := scrapetest.Env(t, "certificate_files:\n  - path: "+p+"\n", testcerts.Epoch, ch.Pool())
	h := scrapetest.NewHarness(env, map[string]scrape.Collector{certFileCheck: newCertFileCollector(env.Logger)})
	steps := []struct {
		name string
		do   func()
		want int
	}{
		{"present", func() {}, 1},
		{"renamed away", func() {
			if err := os.Rename(p, p+".away"); err != nil {
				t.Fatal(err)
			}
		}, 0},
		{"renamed back", func() {
			if err := os.Rename(p+".away", p); err != nil {
				t.Fatal(err)
			}
		}, 1},
	}
	for _, st := range steps {
		st.do()
		testutil.CollectAndCount(h)
		if n := inventorySize(env); n != st.want {
			t.Fatalf("%s: %d inventory entries, want %d", st.name, n, st.want)
		}
	}
}

// inventorySize counts the certificates in env's inventory.
func inventorySize(env *scrape.Env) int {
	return len(env.Inventory.All())
}

// hideText hides a fileSamples' own text, so the writer formats what
// SampleOf makes, as it does for any Lazy.
type hideText struct{ f *fileSamples }

func (h hideText) Metas() []*scrape.DescMeta { return h.f.Metas() }

func (h hideText) SampleOf(m *scrape.DescMeta, dst *scrape.Sample, scratch []string) bool {
	return h.f.SampleOf(m, dst, scratch)
}

// The label text a file renders once must be what the writer makes of its
// samples, escaping included (file names are bytes: quotes, backslashes,
// newlines and invalid UTF-8 all occur).
func TestFileSamplesTextLikeSamples(t *testing.T) {
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	inv := &inventory.Certificate{NotBefore: at, NotAfter: at.Add(90 * 24 * time.Hour), Serial: "1f",
		Issuer: `Issuer "Q"`, KeyType: "ecdsa_p256", MustStaple: true}
	for _, c := range []struct {
		name, path string
		complete   bool
		key        int8
	}{
		{"plain", "/etc/letsencrypt/live/plain/fullchain.pem", true, keyUnknown},
		{`quo"te`, `/srv/a\b/"q".pem`, false, keyMatch},
		{"new\nline", "/srv/new\nline.pem", true, keyMismatch},
		{"bad\xffutf8", "/srv/bad\xff\xfe.pem", true, keyMatch},
	} {
		spec := &certFileSpec{name: c.name, path: c.path}
		chain := &certs.Verdict{Complete: c.complete, ChainNotAfter: at.Add(24 * time.Hour)}
		f := newFileSamples(spec, inv, chain, "a.example.test,b.example.test", c.key)
		var fast, slow strings.Builder
		if err := scrape.WriteText(&fast, []prometheus.Metric{lazyMetricOf(&f.ref)}); err != nil {
			t.Fatal(err)
		}
		if err := scrape.WriteText(&slow, []prometheus.Metric{lazyMetricOf(scrape.NewLazyRef(hideText{f}))}); err != nil {
			t.Fatal(err)
		}
		if fast.String() != slow.String() {
			t.Errorf("%q: rendered once:\n%s\nfrom samples:\n%s", c.name, fast.String(), slow.String())
		}
		if n := strings.Count(fast.String(), "\n"+"acme_"); n < 4 {
			t.Errorf("%q: %d samples:\n%s", c.name, n, fast.String())
		}
	}
}

// lazyMetricOf returns what emitting r hands the scheduler.
func lazyMetricOf(r *scrape.LazyRef) prometheus.Metric {
	var m prometheus.Metric
	scrape.Emit(func(x prometheus.Metric) { m = x }).Lazy(r)
	return m
}

// The targets of an unchanged expansion are made once and shared by the
// scrapes; a new file makes them again.
func TestTargetsMadeOncePerExpansion(t *testing.T) {
	dir := t.TempDir()
	ch := testcerts.NewChain(t, "Test")
	testcerts.Write(t, dir, "a/fullchain.pem", ch.FullChain(ch.Leaf(t, testcerts.Options{})), 0o644)
	env := scrapetest.Env(t, "certificate_files:\n  - path: "+dir+"/*/fullchain.pem\n", testcerts.Epoch, ch.Pool())
	// A directory modified within the last second is listed again on the
	// next scrape: let the tree settle first.
	time.Sleep(1100 * time.Millisecond)
	c := newCertFileCollector(env.Logger)
	first, err := c.Targets(env)
	if err != nil || len(first) != 1 {
		t.Fatalf("%d targets, %v", len(first), err)
	}
	again, _ := c.Targets(env)
	if &again[0] != &first[0] {
		t.Fatal("unchanged expansion: targets made again")
	}
	testcerts.Write(t, dir, "b/fullchain.pem", ch.FullChain(ch.Leaf(t, testcerts.Options{Serial: 77})), 0o644)
	// A directory modified within the last second is listed again on the
	// next scrape; wait it out so the new one is seen for certain.
	time.Sleep(1100 * time.Millisecond)
	var now []scrape.Target
	for range 3 {
		if now, _ = c.Targets(env); len(now) == 2 {
			break
		}
	}
	if len(now) != 2 || &now[0] == &first[0] {
		t.Fatalf("after a new file: %d targets (shared with the old slice: %v)", len(now), len(now) > 0 && &now[0] == &first[0])
	}
}
