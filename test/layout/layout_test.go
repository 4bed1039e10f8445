// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

// Package layout enforces the import rules that keep the check families
// independent (docs/development.md): read from `go list -deps -json`, so a
// rule holds for everything a package links, not only what it names.
package layout

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"slices"
	"sort"
	"strings"
	"testing"
)

const module = "github.com/acme-exporter/acme_exporter"

type pkg struct {
	ImportPath string
	Name       string
	Deps       []string
	Imports    []string
	Module     *struct{ Path string }
}

// packages lists the module's packages (not their tests) with their
// transitive dependencies.
func packages(t *testing.T) map[string]*pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps", "-json", module+"/...")
	cmd.Dir = "../.."
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	ps := map[string]*pkg{}
	dec := json.NewDecoder(&out)
	for {
		p := &pkg{}
		err := dec.Decode(p)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if p.Module != nil && p.Module.Path == module {
			ps[rel(p.ImportPath)] = p
		}
	}
	if len(ps) < 10 {
		t.Fatalf("go list found only %d packages of the module", len(ps))
	}
	return ps
}

// rel is an import path relative to the module ("." for the root).
func rel(path string) string {
	if path == module {
		return "."
	}
	return strings.TrimPrefix(path, module+"/")
}

// family is the check family a package belongs to ("" when none): the
// first element under collector/, except collector/all, which links them.
func family(p string) string {
	rest, ok := strings.CutPrefix(p, "collector/")
	if !ok || rest == "all" {
		return ""
	}
	f, _, _ := strings.Cut(rest, "/")
	return f
}

// ours lists the module's packages among deps.
func ours(deps []string) []string {
	var out []string
	for _, d := range deps {
		if d == module || strings.HasPrefix(d, module+"/") {
			out = append(out, rel(d))
		}
	}
	sort.Strings(out)
	return out
}

// wires says whether p may link the check families: programs and the
// package that links them all.
func wires(p *pkg, path string) bool {
	return p.Name == "main" || path == "collector/all"
}

// rule is one import rule: which packages it covers and which of their
// dependencies it refuses (with why).
type rule struct {
	name   string
	covers func(path string, p *pkg) bool
	refuse func(path, dep string) bool
}

var rules = []rule{
	{
		name:   "families never import each other",
		covers: func(path string, _ *pkg) bool { return family(path) != "" },
		refuse: func(path, dep string) bool { return family(dep) != "" && family(dep) != family(path) },
	},
	{
		name:   "config imports nothing of the project",
		covers: func(path string, _ *pkg) bool { return path == "config" },
		refuse: func(_, _ string) bool { return true },
	},
	{
		name:   "discovery and inventory never import a family or the framework",
		covers: func(path string, _ *pkg) bool { return path == "discovery" || path == "inventory" },
		refuse: func(_, dep string) bool { return strings.HasPrefix(dep, "collector/") || dep == "scrape" },
	},
	{
		name:   "the framework imports no family",
		covers: func(path string, _ *pkg) bool { return path == "scrape" },
		refuse: func(_, dep string) bool { return strings.HasPrefix(dep, "collector/") },
	},
	{
		name:   "shared edges import no family",
		covers: func(path string, _ *pkg) bool { return strings.HasPrefix(path, "internal/") },
		refuse: func(_, dep string) bool { return strings.HasPrefix(dep, "collector/") },
	},
	{
		// The edges serve the families and the framework alike; only the
		// shared metric descriptions and the test harness are made of
		// the framework.
		name: "shared edges do not import the framework",
		covers: func(path string, _ *pkg) bool {
			return strings.HasPrefix(path, "internal/") && path != "internal/series" && path != "internal/scrapetest"
		},
		refuse: func(_, dep string) bool { return dep == "scrape" },
	},
	{
		name:   "only cmd/ (and tools) wire the families in",
		covers: func(path string, p *pkg) bool { return family(path) == "" && !wires(p, path) },
		refuse: func(_, dep string) bool { return strings.HasPrefix(dep, "collector/") },
	},
}

func TestImportRules(t *testing.T) {
	ps := packages(t)
	for _, r := range rules {
		t.Run(r.name, func(t *testing.T) {
			covered := 0
			for path, p := range ps {
				if !r.covers(path, p) {
					continue
				}
				covered++
				for _, dep := range ours(p.Deps) {
					if r.refuse(path, dep) {
						t.Errorf("%s depends on %s", path, dep)
					}
				}
			}
			if covered == 0 {
				t.Fatal("the rule covers no package: the layout changed under it")
			}
		})
	}
}

// The exporter's own code imports no test support: "testing" in
// production code is linked into the binary and tempts behaviour that
// differs under tests.
func TestBinaryLinksNoTesting(t *testing.T) {
	ps := packages(t)
	bin, ok := ps["cmd/acme_exporter"]
	if !ok {
		t.Fatal("cmd/acme_exporter not found")
	}
	for _, d := range append(ours(bin.Deps), "cmd/acme_exporter") {
		if strings.HasPrefix(d, "internal/test") || d == "internal/scrapetest" {
			t.Errorf("the exporter links %s", d)
		}
		if p := ps[d]; p != nil && slices.Contains(p.Imports, "testing") {
			t.Errorf("%s imports testing", d)
		}
	}
}

// The rules must be able to fail: a family importing another, and config
// importing the framework, are caught.
func TestImportRulesCatchViolations(t *testing.T) {
	cases := []struct {
		rule      string
		path, dep string
	}{
		{"families never import each other", "collector/crl", "collector/directory"},
		{"config imports nothing of the project", "config", "internal/guard"},
		{"discovery and inventory never import a family or the framework", "discovery", "collector/renewal"},
		{"only cmd/ (and tools) wire the families in", "exporter", "collector/certificate"},
		{"shared edges do not import the framework", "internal/files", "scrape"},
	}
	for _, tc := range cases {
		found := false
		for _, r := range rules {
			if r.name == tc.rule {
				found = true
				if !r.covers(tc.path, &pkg{Name: "x"}) || !r.refuse(tc.path, tc.dep) {
					t.Errorf("%s: %s -> %s is not refused", tc.rule, tc.path, tc.dep)
				}
			}
		}
		if !found {
			t.Errorf("no rule %q", tc.rule)
		}
	}
	// A family may use its own subpackages and the shared edges.
	if rules[0].refuse("collector/certificate", "collector/certificate/internal/x") || rules[0].refuse("collector/crl", "internal/files") {
		t.Error("a family's own packages and the edges must be allowed")
	}
}
