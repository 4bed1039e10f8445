// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package discovery

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/acme-exporter/acme_exporter/config"
	"github.com/acme-exporter/acme_exporter/internal/testbed"
	"github.com/acme-exporter/acme_exporter/inventory"
)

var taken = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

func fixtureCopy(t *testing.T) string {
	t.Helper()
	dst := testbed.Dir(t)
	testbed.CopyTree(t, "testdata", dst)
	return dst
}

func TestCertbotSnapshot(t *testing.T) {
	dst := fixtureCopy(t)
	cb := filepath.Join(dst, "certbot")
	d := config.Default().Discovery
	d.CertbotLogDirs = []string{filepath.Join(dst, "certbot-logs")}
	res := Scan(d, Overrides{CertbotDirs: []string{cb}, NoDefaults: true}, taken)
	s := res.Snapshot
	if len(res.Errors) > 0 {
		t.Fatalf("errors: %v", res.Errors)
	}
	want := &inventory.Snapshot{
		Taken:   taken,
		Clients: []inventory.ClientRoot{{Client: "certbot", Root: cb, Lineages: make([]inventory.Lineage, 3)}},
		Accounts: []inventory.Account{{Client: "certbot", Format: "jwk", Directory: "https://127.0.0.1:56763/dir",
			KeyPath: cb + "/accounts/127.0.0.1:56763/dir/6415a838f97b3a973c6f2747e0dc8464/private_key.json",
			ID:      "https://127.0.0.1:56763/my-account/1655c8022f8d6988",
			Source:  cb + "/accounts/127.0.0.1:56763/dir/6415a838f97b3a973c6f2747e0dc8464/regr.json"}},
		Directories: []inventory.Directory{{URL: "https://127.0.0.1:56763/dir", Client: "certbot",
			Source: cb + "/renewal/alpha.example.test.conf"}},
		Logs: []inventory.LogFile{{Client: "certbot", Path: dst + "/certbot-logs/letsencrypt.log", Format: "certbot"}},
	}
	for _, dm := range []struct{ name, lineage, mode, webroot string }{
		{"alpha.example.test", "alpha.example.test", "standalone", ""},
		{"www.alpha.example.test", "alpha.example.test", "standalone", ""},
		{"beta.example.test", "beta.example.test", "webroot", "/tmp/acme-exporter-fixtures/webroot"},
		{"gamma.example.test", "gamma.example.test", "standalone", ""},
	} {
		want.Domains = append(want.Domains, inventory.Domain{Name: dm.name, Client: "certbot", Lineage: dm.lineage,
			Challenge: "http-01", Mode: dm.mode, Webroot: dm.webroot, Directory: "https://127.0.0.1:56763/dir",
			Source: cb + "/renewal/" + dm.lineage + ".conf"})
	}
	if diff := snapshotDiff(want, s); diff != "" {
		t.Error(diff)
	}
	// Current files with their keys; archive/ only as history.
	var cur, hist []string
	for _, f := range res.Roots[0].Certs {
		rel, _ := filepath.Rel(cb, f.Path)
		if f.History {
			hist = append(hist, rel)
			continue
		}
		cur = append(cur, rel)
		if filepath.Base(f.KeyPath) != "privkey.pem" || filepath.Dir(f.KeyPath) != filepath.Dir(f.Path) {
			t.Errorf("%s: key %s", rel, f.KeyPath)
		}
	}
	if want := []string{"live/alpha.example.test/fullchain.pem", "live/beta.example.test/fullchain.pem", "live/gamma.example.test/fullchain.pem"}; !slices.Equal(cur, want) {
		t.Errorf("current files %v, want %v", cur, want)
	}
	if len(hist) != 4 || !strings.HasPrefix(hist[0], "archive/") {
		t.Errorf("history files %v", hist)
	}
}

// rootsOf is client, root and how many lineages, per client root (the
// lineages themselves are tested on the Root).
func rootsOf(s *inventory.Snapshot) []string {
	var out []string
	for _, r := range s.Clients {
		out = append(out, fmt.Sprintf("%s %s %d %v", r.Client, r.Root, len(r.Lineages), r.Err))
	}
	return out
}

func snapshotDiff(want, got *inventory.Snapshot) string {
	var b strings.Builder
	check := func(what string, w, g any) {
		if !equalJSON(w, g) {
			b.WriteString(what + ":\n got  " + toJSON(g) + "\n want " + toJSON(w) + "\n")
		}
	}
	check("taken", want.Taken, got.Taken)
	check("clients", rootsOf(want), rootsOf(got))
	check("accounts", want.Accounts, got.Accounts)
	check("directories", want.Directories, got.Directories)
	check("domains", want.Domains, got.Domains)
	check("logs", want.Logs, got.Logs)
	return b.String()
}

func TestLegoV4Snapshot(t *testing.T) {
	dst := fixtureCopy(t)
	lg := filepath.Join(dst, "lego")
	r, err := Inspect(Lego, lg)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Accounts) != 1 || r.Accounts[0].KeyPath != lg+"/accounts/127.0.0.1_56763/admin@example.test/keys/admin@example.test.key" ||
		r.Accounts[0].ID != "https://127.0.0.1:56763/my-account/3d168ac9c4b03d0" || r.Accounts[0].Format != "pem" {
		t.Errorf("accounts %+v", r.Accounts)
	}
	var names []string
	for _, d := range r.Domains {
		names = append(names, d.Lineage+"="+d.Name)
	}
	if want := []string{"_.wild.example.test=*.wild.example.test", "_.wild.example.test=wild.example.test", "delta.example.test=delta.example.test"}; !slices.Equal(names, want) {
		t.Errorf("domains %v, want %v", names, want)
	}
	for _, c := range r.Certs {
		if c.History || !strings.HasSuffix(c.KeyPath, ".key") || strings.HasSuffix(c.Path, ".issuer.crt") {
			t.Errorf("cert %+v", c)
		}
	}
	if len(r.Certs) != 2 {
		t.Errorf("%d certs, want 2", len(r.Certs))
	}
}

// TestLegoV5Layout follows lego v5's documented layout (made by the test):
// accounts/<server>/<accountID>/{account.json,<accountID>.key} and
// certificate .json files carrying the certificate ID.
func TestLegoV5Layout(t *testing.T) {
	root := testbed.Dir(t)
	w := func(rel, data string) {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	w("accounts/acme-v02.api.letsencrypt.org_directory/acct1/account.json",
		`{"id":"acct1","email":"a@example.test","keyType":"EC256","server":"https://acme-v02.api.letsencrypt.org/directory","registration":{"uri":"https://acme-v02.api.letsencrypt.org/acme/acct/9"}}`)
	w("accounts/acme-v02.api.letsencrypt.org_directory/acct1/acct1.key", "not parsed here")
	w("certificates/example.test.crt", "")
	w("certificates/example.test.key", "")
	w("certificates/example.test.json", `{"id":"my-cert","domains":["example.test"]}`)
	r, err := Inspect(Lego, root)
	if err != nil {
		t.Fatal(err)
	}
	a := r.Accounts
	if len(a) != 1 || a[0].KeyPath != root+"/accounts/acme-v02.api.letsencrypt.org_directory/acct1/acct1.key" ||
		a[0].Directory != "https://acme-v02.api.letsencrypt.org/directory" || a[0].ID != "https://acme-v02.api.letsencrypt.org/acme/acct/9" {
		t.Errorf("accounts %+v", a)
	}
	if len(r.Lineages) != 1 || r.Lineages[0].Name != "my-cert" || !slices.Contains(r.Lineages[0].Problems, "certificate_unreadable") {
		t.Errorf("lineages %+v", r.Lineages)
	}
}

func TestMergeDeduplicates(t *testing.T) {
	dst := fixtureCopy(t)
	cb := filepath.Join(dst, "certbot")
	c, err := config.Parse([]byte(`
certificate_files:
  - {path: ` + cb + `/live/alpha.example.test/fullchain.pem, name: alpha-custom}
  - {path: "` + cb + `/archive/beta.example.test/*.pem", history: true}
`))
	if err != nil {
		t.Fatal(err)
	}
	r, err := Inspect(Certbot, cb)
	if err != nil {
		t.Fatal(err)
	}
	out := Merge(c, []*Root{r})
	if out == c || len(c.CertificateFiles) != 2 {
		t.Fatal("Merge must return a copy and leave the running config alone")
	}
	count := map[string]int{}
	for _, f := range out.CertificateFiles {
		count[f.Path]++
	}
	for p, n := range count {
		if n > 1 {
			t.Errorf("%s listed %d times", p, n)
		}
	}
	if out.CertificateFiles[0].Name != "alpha-custom" {
		t.Error("the configured entry must win")
	}
	if count[cb+"/archive/beta.example.test/fullchain1.pem"] != 0 {
		t.Error("a path the configured glob covers was added again")
	}
	// 1 configured + 1 glob + (3 live + 4 archive) - 1 live - 1 archive covered.
	if len(out.CertificateFiles) != 2+5 {
		t.Errorf("%d entries", len(out.CertificateFiles))
	}
}

// TestScannerRescansOnReload: a config reload changes the roots; a config
// file without a discovery section keeps discovery on (with the default
// roots), and only discovery.enabled: false turns it off.
func TestScannerRescansOnReload(t *testing.T) {
	dst := fixtureCopy(t)
	file := filepath.Join(dst, "acme.yml")
	writeConf := func(s string) {
		if err := os.WriteFile(file, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	writeConf("discovery:\n  enabled: true\n  certbot_dirs: [" + dst + "/certbot]\n")
	sc := config.NewSafeConfig(file, nil, nil)
	if err := sc.Reload(nil); err != nil {
		t.Fatal(err)
	}
	s := NewScanner(nil, func() time.Time { return taken }, Overrides{NoDefaults: true})
	s.Configure(sc.Get())
	sc.OnLoad(s.Configure)
	if got := s.Snapshot().Clients; len(got) != 1 || got[0].Client != Certbot {
		t.Fatalf("clients %v", got)
	}
	writeConf("discovery:\n  enabled: true\n  lego_dirs: [" + dst + "/lego]\n")
	if err := sc.Reload(nil); err != nil {
		t.Fatal(err)
	}
	if got := s.Snapshot().Clients; len(got) != 1 || got[0].Client != Lego {
		t.Fatalf("after reload: clients %v", got)
	}
	writeConf("certificate_files: []\n")
	if err := sc.Reload(nil); err != nil {
		t.Fatal(err)
	}
	if got := s.Snapshot(); got.Taken.IsZero() {
		t.Fatalf("discovery must stay on with a config file that does not disable it: %+v", got)
	}
	writeConf("discovery:\n  enabled: false\n")
	if err := sc.Reload(nil); err != nil {
		t.Fatal(err)
	}
	if got := s.Snapshot(); len(got.Clients) != 0 || !got.Taken.IsZero() {
		t.Fatalf("discovery must be off with discovery.enabled: false: %+v", got)
	}
}

func TestScanExplicitMissingRoot(t *testing.T) {
	missing := filepath.Join(testbed.Dir(t), "nope")
	res := Scan(config.Default().Discovery, Overrides{CertbotDirs: []string{missing}, NoDefaults: true}, taken)
	if res.Errors[missing] == nil {
		t.Error("no error for a named root that does not exist")
	}
	if len(res.Snapshot.Clients) != 1 || res.Snapshot.Clients[0].Root != missing {
		t.Errorf("a named root must stay in the snapshot so its checks can say why: %+v", res.Snapshot.Clients)
	}
}

func TestParseInterval(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"30 days": 30 * 24 * time.Hour, "2 weeks": 14 * 24 * time.Hour, "12 hours": 12 * time.Hour, "7": 7 * 24 * time.Hour,
		"1 day": 24 * time.Hour,
	} {
		if got, err := ParseInterval(in); err != nil || got != want {
			t.Errorf("%q: %v %v, want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "soon", "3 fortnights", "-1", "99999999999999 days"} {
		if _, err := ParseInterval(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// TestScanLogsSummary: every scan says at info what it found, so an
// operator sees the inventory without debug logging; turning discovery
// off is said once.
func TestScanLogsSummary(t *testing.T) {
	dst := fixtureCopy(t)
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
	s := NewScanner(logger, func() time.Time { return taken }, Overrides{
		CertbotDirs: []string{filepath.Join(dst, "certbot")}, LegoDirs: []string{filepath.Join(dst, "lego")}, NoDefaults: true})
	s.Configure(config.Default())
	res := s.Latest()
	want := fmt.Sprintf(`level=INFO msg="Discovery scan done" clients=certbot:%[1]s/certbot,lego:%[1]s/lego lineages=%d certificate_files=`,
		dst, len(res.Roots[0].Lineages)+len(res.Roots[1].Lineages))
	if !strings.Contains(buf.String(), want) {
		t.Errorf("log lacks %q:\n%s", want, buf.String())
	}
	for _, kv := range []string{fmt.Sprintf(" accounts=%d ", len(res.Snapshot.Accounts)), " domains=", " directories=", " unreadable_roots=0"} {
		if !strings.Contains(buf.String(), kv) {
			t.Errorf("summary lacks %q:\n%s", kv, buf.String())
		}
	}
	if len(res.Snapshot.Accounts) == 0 {
		t.Fatal("fixture has no accounts: the summary test proves nothing")
	}
	buf.Reset()
	off, err := config.Parse([]byte("discovery:\n  enabled: false\n"))
	if err != nil {
		t.Fatal(err)
	}
	s.Configure(off)
	s.Configure(off)
	if n := strings.Count(buf.String(), "Discovery is off"); n != 1 {
		t.Errorf("discovery off logged %d times, want once:\n%s", n, buf.String())
	}
}

// TestRootFS: with the host's / mounted elsewhere (a container's /host),
// every default location is looked up below it, /home/* included, and an
// empty host root yields no client at all.
func TestRootFS(t *testing.T) {
	src := fixtureCopy(t)
	host := testbed.Dir(t)
	for from, to := range map[string]string{"certbot": "etc/letsencrypt", "lego": "home/alice/.lego"} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(host, to)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(filepath.Join(src, from), filepath.Join(host, to)); err != nil {
			t.Fatal(err)
		}
	}
	o := Overrides{RootFS: host}
	res := Scan(config.Default().Discovery, o, taken)
	var got []string
	for _, c := range res.Snapshot.Clients {
		got = append(got, c.Client+":"+c.Root)
	}
	want := []string{"certbot:" + host + "/etc/letsencrypt", "lego:" + host + "/home/alice/.lego"}
	if !slices.Equal(got, want) {
		t.Errorf("clients %v, want %v", got, want)
	}
	d := o.Apply(config.Default().Discovery)
	if d.SystemdTimerDir != host+"/var/lib/systemd/timers" || !slices.Equal(d.CertbotLogDirs, []string{host + "/var/log/letsencrypt"}) {
		t.Errorf("default dirs not below the root: %q %q", d.SystemdTimerDir, d.CertbotLogDirs)
	}
	empty := Scan(config.Default().Discovery, Overrides{RootFS: testbed.Dir(t)}, taken)
	if len(empty.Roots) != 0 || len(empty.Errors) != 0 {
		t.Errorf("an empty host root must yield nothing: %+v %v", empty.Roots, empty.Errors)
	}
}
