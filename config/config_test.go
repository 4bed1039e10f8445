// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestLoadGood(t *testing.T) {
	c, err := Load("testdata/good.yml")
	if err != nil {
		t.Fatal(err)
	}
	if c.Global.ScrapeTimeout.D() != 15*time.Second || c.Global.Concurrency != 8 {
		t.Errorf("global not decoded: %+v", c.Global)
	}
	if got := c.CertificateFiles[1].MinInterval.D(); got != time.Minute {
		t.Errorf("min_interval = %v", got)
	}
	if c.Global.ProbeConcurrency != DefaultProbeConcurrency {
		t.Errorf("default probe_concurrency not applied: %d", c.Global.ProbeConcurrency)
	}
	if !c.DiscoveryEnabled() {
		t.Error("discovery must stay on with a config file that does not disable it")
	}
}

// Every validation rule has its own file and its exact message, which
// names the file, the line and the field.
func TestLoadBad(t *testing.T) {
	cases := map[string]string{
		"invalid-unknown-key.yml":                "testdata/invalid-unknown-key.yml:3: certificate_files[0].pahth: unknown field \"pahth\", did you mean \"path\"?",
		"invalid-unknown-top-key.yml":            "testdata/invalid-unknown-top-key.yml:3: endpoint: unknown field \"endpoint\", did you mean \"endpoints\"?",
		"invalid-syntax-line3.yml":               "testdata/invalid-syntax-line3.yml:3: did not find expected key",
		"invalid-syntax-tab.yml":                 "testdata/invalid-syntax-tab.yml:3: found a tab character that violates indentation",
		"invalid-two-errors.yml":                 "testdata/invalid-two-errors.yml:3: certificate_files[0].path: must be an absolute path\ntestdata/invalid-two-errors.yml:5: global.concurrency: must be positive",
		"invalid-empty-path.yml":                 "testdata/invalid-empty-path.yml:2: certificate_files[0].path: must not be empty",
		"invalid-relative-path.yml":              "testdata/invalid-relative-path.yml:2: certificate_files[0].path: must be an absolute path",
		"invalid-lazy-bad-glob.yml":              "testdata/invalid-lazy-bad-glob.yml:2: certificate_files[0].path: bad glob \"/etc/*[\": syntax error in pattern",
		"invalid-bad-glob.yml":                   "testdata/invalid-bad-glob.yml:2: certificate_files[0].path: bad glob \"/etc/[x.pem\": syntax error in pattern",
		"invalid-offset.yml":                     "testdata/invalid-offset.yml:3: global.timeout_offset: must be shorter than scrape_timeout (5s)",
		"invalid-concurrency.yml":                "testdata/invalid-concurrency.yml:2: global.concurrency: must be positive",
		"invalid-duration.yml":                   "testdata/invalid-duration.yml:2: global.scrape_timeout: invalid duration \"soon\" (use 30s, 5m, 1h or 2d)",
		"invalid-module-kind.yml":                "testdata/invalid-module-kind.yml:3: modules.m.kind: unknown kind \"nosuch\" (one of [acme_directory certificate_file",
		"invalid-module-no-roots.yml":            "testdata/invalid-module-no-roots.yml:3: modules.m.file_roots: a certificate_file module must list at least one root",
		"invalid-module-relative-root.yml":       "testdata/invalid-module-relative-root.yml:4: modules.m.file_roots[0]: must be an absolute path",
		"invalid-module-cidr.yml":                "testdata/invalid-module-cidr.yml:5: modules.m.allow_cidrs[0]: bad CIDR \"10.0.0.0/33\"",
		"invalid-module-settings-unexpected.yml": "testdata/invalid-module-settings-unexpected.yml:6: modules.m.settings: a certificate_file module takes no settings",
		"invalid-module-directory-resolver.yml":  "testdata/invalid-module-directory-resolver.yml:6: modules.m.settings: resolver: \"127.0.0.1\" is not ip:port",
		"invalid-module-settings-typo.yml":       "testdata/invalid-module-settings-typo.yml:6: modules.m.settings: unknown field \"resolvr\", did you mean \"resolver\"?",
		"invalid-discovery-interval.yml":         "testdata/invalid-discovery-interval.yml:2: discovery.interval: must be at least 10s",
		"invalid-syntax.yml":                     "testdata/invalid-syntax.yml:1: did not find expected node content",
	}
	files, _ := filepath.Glob("testdata/invalid-*.yml")
	if len(files) != len(cases) {
		t.Errorf("%d invalid-*.yml files but %d cases: every file needs its expected error", len(files), len(cases))
	}
	for file, want := range cases {
		t.Run(file, func(t *testing.T) {
			_, err := Load(filepath.Join("testdata", file))
			if err == nil {
				t.Fatal("loaded without error")
			}
			if !strings.HasPrefix(err.Error(), want) {
				t.Fatalf("error\n got: %s\nwant: %s", err, want)
			}
		})
	}
}

func TestEmptyFileIsDefault(t *testing.T) {
	c, err := Parse([]byte("# nothing\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Global.ScrapeTimeout.D() != DefaultScrapeTimeout {
		t.Errorf("defaults not applied: %v", c.Global.ScrapeTimeout)
	}
}

// Good, bad, good: a bad file keeps the old config and shows in the
// reload metrics; the next good file is taken.
func TestReloadKeepsOldConfigOnError(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "c.yml")
	write := func(s string) {
		if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	reg := prometheus.NewRegistry()
	now := time.Unix(1000, 0)
	sc := NewSafeConfig(path, reg, func() time.Time { return now })
	loads := 0
	sc.OnLoad(func(*Config) { loads++ })

	write("global:\n  concurrency: 3\n")
	if err := sc.Reload(nil); err != nil {
		t.Fatal(err)
	}
	now = time.Unix(2000, 0)
	write("global:\n  concurrency: [\n")
	if err := sc.Reload(nil); err == nil {
		t.Fatal("bad config accepted")
	}
	if got := sc.Get().Global.Concurrency; got != 3 {
		t.Fatalf("old config lost: concurrency %d", got)
	}
	want := `
# HELP acme_exporter_config_last_reload_success_timestamp_seconds Unix time of the last successful configuration load.
# TYPE acme_exporter_config_last_reload_success_timestamp_seconds gauge
acme_exporter_config_last_reload_success_timestamp_seconds 1000
# HELP acme_exporter_config_last_reload_successful 1 when the last configuration load succeeded, 0 when it failed and the previous configuration is still in use.
# TYPE acme_exporter_config_last_reload_successful gauge
acme_exporter_config_last_reload_successful 0
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want)); err != nil {
		t.Fatal(err)
	}
	now = time.Unix(3000, 0)
	write("global:\n  concurrency: 5\n")
	if err := sc.Reload(nil); err != nil {
		t.Fatal(err)
	}
	if got := sc.Get().Global.Concurrency; got != 5 || loads != 2 {
		t.Fatalf("concurrency %d, loads %d", got, loads)
	}
	if v := testutil.ToFloat64(sc.reloadOK); v != 1 {
		t.Fatalf("reload successful = %v", v)
	}
}

func FuzzParse(f *testing.F) {
	for _, p := range []string{"testdata/good.yml", "testdata/invalid-module-cidr.yml", "testdata/invalid-unknown-key.yml"} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 1<<16 {
			return
		}
		c, err := Parse(b)
		if err == nil && c == nil {
			t.Fatal("nil config without error")
		}
	})
}
