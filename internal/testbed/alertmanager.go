// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package testbed

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Alertmanager is Debian's Alertmanager on a loopback port, clustering off.
type Alertmanager struct {
	*Process
	URL string // http://127.0.0.1:port
}

// StartAlertmanager writes config (alertmanager.yml), checks it with amtool
// and starts Alertmanager with its own storage directory.
func StartAlertmanager(t testing.TB, dir, config string) *Alertmanager {
	t.Helper()
	bin := Binary(t, "prometheus-alertmanager")
	amtool := Binary(t, "amtool")
	cfg := filepath.Join(dir, "alertmanager.yml")
	if err := os.WriteFile(cfg, []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	Run(t, []string{amtool, "check-config", cfg})
	port := FreePort(t, "127.0.0.1")
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	p := Start(t, dir, "alertmanager", []string{bin,
		"--config.file=" + cfg,
		"--storage.path=" + filepath.Join(dir, "alertmanager-data"),
		"--web.listen-address=" + addr,
		"--web.external-url=http://" + addr + "/",
		// Without this it binds the cluster port on 0.0.0.0:9094.
		"--cluster.listen-address=",
	})
	am := &Alertmanager{Process: p, URL: "http://" + addr}
	WaitHTTP(t, am.URL+"/-/ready", p)
	return am
}

// AMAlert is one alert of Alertmanager's /api/v2/alerts.
type AMAlert struct {
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	StartsAt    time.Time         `json:"startsAt"`
	EndsAt      time.Time         `json:"endsAt"`
	Status      struct {
		State       string   `json:"state"` // active, suppressed, unprocessed
		InhibitedBy []string `json:"inhibitedBy"`
		SilencedBy  []string `json:"silencedBy"`
	} `json:"status"`
	Receivers []struct {
		Name string `json:"name"`
	} `json:"receivers"`
}

// Alerts returns the alerts Alertmanager holds (active, suppressed and
// unprocessed; resolved ones are dropped by Alertmanager itself).
func (a *Alertmanager) Alerts(ctx context.Context) ([]AMAlert, error) {
	var out []AMAlert
	if err := getJSON(ctx, a.URL+"/api/v2/alerts", &out); err != nil {
		return nil, err
	}
	return out, nil
}
