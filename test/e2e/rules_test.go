// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package e2e

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/acme-exporter/acme_exporter/internal/testbed"
)

// Timing of the bed: Prometheus scrapes and evaluates every few seconds so
// the scenarios take seconds, not the production minutes.
const (
	scrapeInterval = "2s"
	evalInterval   = "2s"
	jobName        = "acme"
	// jobAccounts scrapes the second exporter (the account-key service-user
	// scenario); the mixin's selector job=~"acme.*" takes it too.
	jobAccounts = "acme-accounts"
)

// rulesFile renders the mixin's recording rules and alerts into dir with jsonnet, its `for`
// durations and windows overridden through `_config` by
// testdata/mixin-overrides.jsonnet (the generated alerts/ are not edited),
// and says where they came from.
func rulesFile(t testing.TB, root, dir string) (path, source string) {
	path = filepath.Join(dir, "rules.yml")
	mixin := filepath.Join(root, "mixin", "mixin.libsonnet")
	jsonnet := testbed.Binary(t, "jsonnet")
	overrides, err := filepath.Abs("testdata/mixin-overrides.jsonnet")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(jsonnet, "-S", "-J", filepath.Join(root, "mixin"),
		"--tla-code-file", "overrides="+overrides,
		"-e", fmt.Sprintf(`function(overrides) local m = (import %q) + overrides; std.manifestYamlDoc({ groups: m.prometheusRules.groups + m.prometheusAlerts.groups })`, mixin))
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("rendering the mixin: %v\n%s", err, stderrOf(err))
	}
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	testbed.Run(t, []string{testbed.Binary(t, "promtool"), "check", "rules", path})
	return path, "mixin/ rendered with testdata/mixin-overrides.jsonnet"
}

func stderrOf(err error) string {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return string(ee.Stderr)
	}
	return ""
}

// prometheusConfig scrapes both exporters; with accountsAddr empty the
// accounts job keeps no target, as when its target left service discovery.
// (The job itself stays: a job removed from the configuration gets no
// staleness markers, and its last up sample would linger for the 5-minute
// lookback.)
func prometheusConfig(rules, amAddr, exporterAddr, accountsAddr string) string {
	targets := ""
	if accountsAddr != "" {
		targets = fmt.Sprintf("%q", accountsAddr)
	}
	accounts := fmt.Sprintf("  - job_name: %s\n    static_configs: [{targets: [%s]}]\n", jobAccounts, targets)
	return fmt.Sprintf(`global:
  scrape_interval: %[1]s
  scrape_timeout: %[1]s
  evaluation_interval: %[2]s
rule_files: [%[3]q]
alerting:
  alertmanagers:
    - static_configs: [{targets: [%[4]q]}]
scrape_configs:
  - job_name: %[6]s
    static_configs: [{targets: [%[5]q]}]
%[7]s`, scrapeInterval, evalInterval, rules, amAddr, exporterAddr, jobName, accounts)
}

// setAccountsJob rewrites Prometheus' configuration with or without the
// accounts exporter's job and reloads it (POST /-/reload).
func (b *bed) setAccountsJob(ctx context.Context, on bool) error {
	addr := ""
	if on {
		addr = b.acctExporterAddr
	}
	cfg := prometheusConfig(b.promRules, strings.TrimPrefix(b.am.URL, "http://"), b.exporterAddr, addr)
	if err := os.WriteFile(filepath.Join(b.dir, "prometheus.yml"), []byte(cfg), 0o644); err != nil {
		return err
	}
	return b.prom.Reload(ctx)
}

// routingKey is the PagerDuty integration key the bed's receiver reads
// from its routing_key_file; the sink checks every event carries it.
const routingKey = "e2e0123456789abcdef0123456789abc"

// alertmanagerConfig loads examples/alertmanager.yml and rewrites only what points outside the bed: receiver
// URLs go to the sink, the routing key file to one in dir, template paths
// to the repository. The routing tree, matchers, receivers and inhibit
// rules are kept as written. Group timers are shortened like the rules'
// `for` (a 5m group_interval would delay every resolve by 5 minutes).
func alertmanagerConfig(t testing.TB, root, dir string, sink *testbed.PDSink) (cfg, source string) {
	path := filepath.Join(root, "examples", "alertmanager.yml")
	source = "examples/alertmanager.yml"
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(dir, "pagerduty.key")
	if err := os.WriteFile(keyFile, []byte(routingKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if g, ok := doc["global"].(map[string]any); ok {
		for _, k := range []string{"pagerduty_url", "slack_api_url", "opsgenie_api_url", "victorops_api_url", "wechat_api_url", "telegram_api_url", "webex_api_url"} {
			if _, ok := g[k]; ok {
				g[k] = sink.URL + "/unexpected/" + k
			}
		}
		delete(g, "slack_api_url_file")
	}
	if tpls, ok := doc["templates"].([]any); ok {
		for i, p := range tpls {
			if s, ok := p.(string); ok && !filepath.IsAbs(s) {
				tpls[i] = filepath.Join(filepath.Dir(path), s)
			}
		}
	}
	recvs, _ := doc["receivers"].([]any)
	for _, r := range recvs {
		rm, _ := r.(map[string]any)
		name, _ := rm["name"].(string)
		for k, v := range rm {
			cfgs, ok := v.([]any)
			if !ok {
				continue
			}
			for _, c := range cfgs {
				cm, _ := c.(map[string]any)
				switch k {
				case "pagerduty_configs":
					cm["url"] = sink.EnqueueURL()
					if _, ok := cm["routing_key"]; ok {
						cm["routing_key"] = routingKey
					} else {
						cm["routing_key_file"] = keyFile
					}
				case "webhook_configs":
					cm["url"] = sink.WebhookURL(name)
					delete(cm, "url_file")
				default:
					t.Fatalf("%s: receiver %s uses %s, which the bed cannot stand in for: add it to alertmanagerConfig", path, name, k)
				}
			}
		}
	}
	var shorten func(r map[string]any)
	shorten = func(r map[string]any) {
		for k, v := range map[string]string{"group_wait": "1s", "group_interval": "2s", "repeat_interval": "1h"} {
			if _, set := r[k]; set {
				r[k] = v
			}
		}
		subs, _ := r["routes"].([]any)
		for _, s := range subs {
			if sm, ok := s.(map[string]any); ok {
				shorten(sm)
			}
		}
	}
	if route, ok := doc["route"].(map[string]any); ok {
		route["group_wait"], route["group_interval"], route["repeat_interval"] = "1s", "2s", "1h"
		shorten(route)
	}
	out, err := yaml.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return string(out), source
}

// routeReceivers asks amtool which receivers an alert with labels reaches.
func routeReceivers(t testing.TB, cfgPath string, labels ...string) []string {
	out := testbed.Run(t, append([]string{testbed.Binary(t, "amtool"), "config", "routes", "test", "--config.file=" + cfgPath}, labels...))
	// amtool may print warnings first; the receivers are on the last line.
	lines := strings.Split(strings.TrimSpace(out), "\n")
	return strings.Split(strings.TrimSpace(lines[len(lines)-1]), ",")
}
