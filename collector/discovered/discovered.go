// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

// Package discovered reports what discovery found on the host: ACME
// client roots and the items counted per client.
package discovered

import (
	"context"
	"log/slog"
	"slices"

	"github.com/acme-exporter/acme_exporter/discovery"
	"github.com/acme-exporter/acme_exporter/scrape"
)

const discoveryCheck = "discovery"

var (
	discoveryItemsDesc = scrape.Desc(discoveryCheck, "acme_discovery_items",
		"Items discovery found in the latest scan, by client and kind (root, account, directory, domain, log); certificate_file and history_file count the checked certificate files attributed to the client, discovered or configured with client:.",
		"client", "kind")
	discoveryRootDesc = scrape.Desc(discoveryCheck, "acme_discovery_root_info",
		"1 for each discovered ACME client storage root.",
		"client", "root")
	discoveryTakenDesc = scrape.Desc(discoveryCheck, "acme_discovery_last_scan_timestamp_seconds",
		"When the discovery snapshot was taken, as a Unix time.")
)

func init() {
	scrape.Register("discovery", true, func(*slog.Logger) scrape.Collector { return discoveryCollector{} })
}

type discoveryCollector struct{}

var discoveryKinds = []string{"root", "account", "directory", "domain", "log", "certificate_file", "history_file"}

func (discoveryCollector) Targets(env *scrape.Env) ([]scrape.Target, error) {
	s := env.Discovered
	if s.Taken.IsZero() {
		return nil, nil // discovery is off
	}
	return []scrape.Target{{
		Check:  discoveryCheck,
		Target: "snapshot",
		Run: func(_ context.Context, emit scrape.Emit) error {
			counts := map[[2]string]int{}
			for _, c := range discovery.Clients {
				for _, k := range discoveryKinds {
					counts[[2]string{c, k}] = 0
				}
			}
			for _, r := range s.Clients {
				counts[[2]string{r.Client, "root"}]++
				emit(scrape.Gauge(discoveryRootDesc, 1, r.Client, r.Root))
			}
			for _, a := range s.Accounts {
				counts[[2]string{a.Client, "account"}]++
			}
			for _, d := range s.Directories {
				counts[[2]string{d.Client, "directory"}]++
			}
			for _, d := range s.Domains {
				counts[[2]string{d.Client, "domain"}]++
			}
			for _, l := range s.Logs {
				counts[[2]string{l.Client, "log"}]++
			}
			for _, f := range env.Config.CertificateFiles {
				if !slices.Contains(discovery.Clients, f.Client) {
					continue
				}
				if f.History {
					counts[[2]string{f.Client, "history_file"}]++
				} else {
					counts[[2]string{f.Client, "certificate_file"}]++
				}
			}
			for k, n := range counts {
				emit(scrape.Gauge(discoveryItemsDesc, float64(n), k[0], k[1]))
			}
			emit(scrape.Gauge(discoveryTakenDesc, scrape.UnixSeconds(s.Taken)))
			return nil
		},
	}}, nil
}
