// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package testbed

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Prometheus is Debian's Prometheus server running on a loopback port with
// its own storage directory.
type Prometheus struct {
	*Process
	URL string // http://127.0.0.1:port
}

// StartPrometheus writes config (prometheus.yml; rule files it names must
// already exist, relative paths resolve against dir), checks it with
// promtool and starts the server. It fails the test when the binary is
// missing or the config is rejected.
func StartPrometheus(t testing.TB, dir, config string) *Prometheus {
	t.Helper()
	bin := Binary(t, "prometheus")
	promtool := Binary(t, "promtool")
	cfg := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfg, []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	Run(t, []string{promtool, "check", "config", cfg})
	port := FreePort(t, "127.0.0.1")
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	p := Start(t, dir, "prometheus", []string{bin,
		"--config.file=" + cfg,
		"--storage.tsdb.path=" + filepath.Join(dir, "prometheus-data"),
		"--web.listen-address=" + addr,
		"--web.external-url=http://" + addr + "/",
		"--web.enable-lifecycle",
	})
	pr := &Prometheus{Process: p, URL: "http://" + addr}
	WaitHTTP(t, pr.URL+"/-/ready", p)
	return pr
}

// PromAlert is one alert of Prometheus's /api/v1/alerts.
type PromAlert struct {
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	State       string            `json:"state"` // pending or firing
	ActiveAt    time.Time         `json:"activeAt"`
	Value       string            `json:"value"`
}

// Alerts returns the pending and firing alerts.
func (p *Prometheus) Alerts(ctx context.Context) ([]PromAlert, error) {
	var out struct {
		Data struct {
			Alerts []PromAlert `json:"alerts"`
		} `json:"data"`
	}
	if err := getJSON(ctx, p.URL+"/api/v1/alerts", &out); err != nil {
		return nil, err
	}
	return out.Data.Alerts, nil
}

// Sample is one element of an instant vector.
type Sample struct {
	Metric map[string]string `json:"metric"`
	Value  [2]any            `json:"value"`
}

// Query evaluates an instant query.
func (p *Prometheus) Query(ctx context.Context, q string) ([]Sample, error) {
	var out struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			ResultType string   `json:"resultType"`
			Result     []Sample `json:"result"`
		} `json:"data"`
	}
	if err := getJSON(ctx, p.URL+"/api/v1/query?query="+url.QueryEscape(q), &out); err != nil {
		return nil, err
	}
	if out.Status != "success" {
		return nil, fmt.Errorf("query %q: %s", q, out.Error)
	}
	return out.Data.Result, nil
}

// RuleGroups returns the number of loaded rule groups and rules, so a test
// can make sure its rules were really loaded.
func (p *Prometheus) RuleGroups(ctx context.Context) (groups, rules int, err error) {
	var out struct {
		Data struct {
			Groups []struct {
				Rules []json.RawMessage `json:"rules"`
			} `json:"groups"`
		} `json:"data"`
	}
	if err := getJSON(ctx, p.URL+"/api/v1/rules", &out); err != nil {
		return 0, 0, err
	}
	for _, g := range out.Data.Groups {
		rules += len(g.Rules)
	}
	return len(out.Data.Groups), rules, nil
}

// Reload makes Prometheus read its configuration file again (POST
// /-/reload; the bed starts it with --web.enable-lifecycle).
func (p *Prometheus) Reload(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.URL+"/-/reload", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return fmt.Errorf("prometheus reload: %s %s", resp.Status, body)
	}
	return nil
}

// maxAPIBody bounds what is read from a test server's API.
const maxAPIBody = 16 << 20

func getJSON(ctx context.Context, u string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxAPIBody))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s: %s", u, resp.Status, b)
	}
	return json.Unmarshal(b, v)
}

// WaitHTTP waits until u answers 200.
func WaitHTTP(t testing.TB, u string, p *Process) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(u)
		if err == nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if p != nil && p.Exited() { // not Cmd.ProcessState: Start's Wait goroutine writes it
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	msg := ""
	if p != nil {
		msg = "\n" + p.Name + " log:\n" + p.Logs()
	}
	t.Fatalf("%s did not answer 200%s", u, msg)
}
