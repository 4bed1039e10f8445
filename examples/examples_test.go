// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

// Package examples_test checks that the shipped examples fit together: a
// user who copies examples/acme_exporter.yml and examples/prometheus.yml
// (with examples/file_sd/) gets probes the exporter answers, and the
// example file module accepts a real certbot tree.
package examples_test

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"go.yaml.in/yaml/v3"

	_ "github.com/acme-exporter/acme_exporter/collector/all" // the exporter with every check family
	"github.com/acme-exporter/acme_exporter/config"
	"github.com/acme-exporter/acme_exporter/exporter"
	"github.com/acme-exporter/acme_exporter/internal/testbed"
)

// promConfig is the part of a Prometheus configuration the examples use.
type promConfig struct {
	ScrapeConfigs []struct {
		JobName       string              `yaml:"job_name"`
		MetricsPath   string              `yaml:"metrics_path"`
		Params        map[string][]string `yaml:"params"`
		StaticConfigs []struct {
			Targets []string `yaml:"targets"`
		} `yaml:"static_configs"`
		FileSDConfigs []struct {
			Files []string `yaml:"files"`
		} `yaml:"file_sd_configs"`
		RelabelConfigs []relabel `yaml:"relabel_configs"`
	} `yaml:"scrape_configs"`
}

type relabel struct {
	SourceLabels []string `yaml:"source_labels"`
	TargetLabel  string   `yaml:"target_label"`
}

type fileSDGroup struct {
	Targets []string          `yaml:"targets"`
	Labels  map[string]string `yaml:"labels"`
}

func readYAML(t *testing.T, path string, out any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, out); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// closedResolver returns a loopback UDP address nobody answers on: name
// lookups of the probed example.com names fail at once instead of going
// to the host's resolver, which these tests must never use.
func closedResolver(t *testing.T) string {
	t.Helper()
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := c.LocalAddr().String()
	_ = c.Close()
	return addr
}

// exampleConfig writes examples/acme_exporter.yml to a temporary file
// with discovery off, every network module's resolver replaced by
// closedResolver, and the file module's /etc/letsencrypt roots moved
// under certbotRoot; it returns the path.
func exampleConfig(t *testing.T, certbotRoot string) string {
	t.Helper()
	var doc yaml.Node
	readYAML(t, "acme_exporter.yml", &doc)
	top := doc.Content[0]
	resolver := closedResolver(t)
	for _, m := range mapping(mapValue(top, "modules")) {
		kind := mapValue(m, "kind").Value
		if kind == "certificate_file" {
			for _, r := range mapValue(m, "file_roots").Content {
				r.Value = strings.Replace(r.Value, "/etc/letsencrypt", certbotRoot, 1)
			}
			continue
		}
		s := mapValue(m, "settings")
		if s == nil {
			s = &yaml.Node{Kind: yaml.MappingNode}
			m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: "settings"}, s)
		}
		if r := mapValue(s, "resolver"); r != nil {
			r.Value = resolver
		} else {
			s.Content = append(s.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: "resolver"},
				&yaml.Node{Kind: yaml.ScalarNode, Value: resolver})
		}
	}
	mapValue(mapValue(top, "discovery"), "enabled").Value = "false"
	b, err := yaml.Marshal(&doc)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "acme_exporter.yml")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func mapValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func mapping(n *yaml.Node) map[string]*yaml.Node {
	out := map[string]*yaml.Node{}
	if n == nil {
		return out
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		out[n.Content[i].Value] = n.Content[i+1]
	}
	return out
}

func startExporter(t *testing.T, path string) *httptest.Server {
	t.Helper()
	reg := prometheus.NewRegistry()
	sc := config.NewSafeConfig(path, reg, nil)
	if err := sc.Reload(nil); err != nil {
		t.Fatal(err)
	}
	e, err := exporter.New(sc, reg, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e.ProbeHandler())
	t.Cleanup(srv.Close)
	return srv
}

func probe(t *testing.T, srv *httptest.Server, module, target string) (int, string) {
	t.Helper()
	resp, err := srv.Client().Get(srv.URL + "/probe?" + url.Values{"module": {module}, "target": {target}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestPrometheusJobsMatchModules: every /probe job of
// examples/prometheus.yml names a module of examples/acme_exporter.yml and
// every sample target it would send (static or from examples/file_sd/) is
// accepted by that module; every file under examples/file_sd/ parses and
// is used by a job.
func TestPrometheusJobsMatchModules(t *testing.T) {
	if _, err := config.Load("acme_exporter.yml"); err != nil {
		t.Fatal(err)
	}
	srv := startExporter(t, exampleConfig(t, "/etc/letsencrypt"))
	var pc promConfig
	readYAML(t, "prometheus.yml", &pc)

	sdFiles, _ := filepath.Glob("file_sd/*")
	if len(sdFiles) == 0 {
		t.Fatal("no examples/file_sd files")
	}
	used := map[string]bool{}
	probeJobs := 0
	for _, job := range pc.ScrapeConfigs {
		var targets []string
		for _, sc := range job.StaticConfigs {
			targets = append(targets, sc.Targets...)
		}
		for _, fsd := range job.FileSDConfigs {
			for _, pat := range fsd.Files {
				files, _ := filepath.Glob(pat)
				if len(files) == 0 {
					t.Errorf("job %s: file_sd %s matches no file", job.JobName, pat)
				}
				for _, f := range files {
					used[f] = true
					var groups []fileSDGroup
					readYAML(t, f, &groups)
					for _, g := range groups {
						targets = append(targets, g.Targets...)
					}
				}
			}
		}
		if len(targets) == 0 {
			t.Errorf("job %s has no sample targets", job.JobName)
		}
		if job.MetricsPath != "/probe" {
			continue
		}
		probeJobs++
		modules := job.Params["module"]
		if len(modules) != 1 {
			t.Errorf("job %s: params.module = %v, want one module", job.JobName, modules)
			continue
		}
		// The target parameter must come from the service discovery
		// address, as blackbox_exporter setups do.
		if !slices.ContainsFunc(job.RelabelConfigs, func(r relabel) bool {
			return r.TargetLabel == "__param_target" && slices.Equal(r.SourceLabels, []string{"__address__"})
		}) {
			t.Errorf("job %s: no relabeling of __address__ into __param_target", job.JobName)
		}
		for _, target := range targets {
			code, body := probe(t, srv, modules[0], target)
			if code != http.StatusOK {
				t.Errorf("job %s: /probe?module=%s&target=%s answered %d: %s", job.JobName, modules[0], target, code, body)
			}
		}
	}
	if probeJobs == 0 {
		t.Error("examples/prometheus.yml has no /probe job")
	}
	for _, f := range sdFiles {
		if !used[f] {
			t.Errorf("%s is used by no job of examples/prometheus.yml", f)
		}
	}
	// The check above can fail: a module the example does not define.
	if code, _ := probe(t, srv, "nosuchmodule", "www.example.com:443"); code != http.StatusBadRequest {
		t.Errorf("unknown module answered %d, want 400", code)
	}
}

// TestFileModuleAcceptsCertbot: the example file module, with its roots
// moved onto a copy of a real certbot tree (live/ symlinks into
// archive/), accepts every live certificate and checks it.
func TestFileModuleAcceptsCertbot(t *testing.T) {
	dst := testbed.Dir(t)
	testbed.CopyTree(t, "../discovery/testdata/certbot", filepath.Join(dst, "certbot"))
	root := filepath.Join(dst, "certbot")
	srv := startExporter(t, exampleConfig(t, root))
	files, _ := filepath.Glob(filepath.Join(root, "live", "*", "fullchain.pem"))
	if len(files) == 0 {
		t.Fatal("no certbot fixtures")
	}
	for _, f := range files {
		if fi, err := os.Lstat(f); err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Fatalf("%s is not a symlink as certbot writes it: %v", f, err)
		}
		code, body := probe(t, srv, "files", f)
		want := fmt.Sprintf("acme_probe_success{check=%q,target=%q} 1", "certificate_file", f)
		if code != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("%s: %d, want 200 with %s:\n%s", f, code, want, body)
		}
	}
	// Outside the roots is refused: the module is no open file reader.
	if code, _ := probe(t, srv, "files", filepath.Join(root, "accounts")); code != http.StatusBadRequest {
		t.Errorf("a path outside file_roots answered %d, want 400", code)
	}
}
