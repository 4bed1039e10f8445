// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package certificate

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"

	"github.com/acme-exporter/acme_exporter/internal/scrapetest"
	"github.com/acme-exporter/acme_exporter/internal/testcerts"
	"github.com/acme-exporter/acme_exporter/scrape"
)

// A cold scrape reads, parses and verifies files on many workers and
// shares the intermediate's verification between them: its answer is the
// one a single worker gives, file by file, for good and broken files alike.
func TestParallelColdScrapeMatchesSerial(t *testing.T) {
	dir := t.TempDir()
	ch := testcerts.NewChain(t, "Parallel")
	certTree(t, dir, ch)
	for i := range 60 {
		leaf := ch.Leaf(t, testcerts.Options{DNSNames: []string{fmt.Sprintf("s%02d.example.test", i)}, Serial: int64(0x3000 + i)})
		data := ch.FullChain(leaf)
		if i%10 == 0 {
			data = leaf.PEM() // no intermediate: incomplete
		}
		testcerts.Write(t, dir, fmt.Sprintf("shared/s%02d.pem", i), data, 0o644)
	}
	untrusted := testcerts.NewChain(t, "Parallel")
	testcerts.Write(t, dir, "shared/untrusted.pem", untrusted.FullChain(untrusted.Leaf(t, testcerts.Options{})), 0o644)

	env := scrapetest.Env(t, "certificate_files:\n  - path: "+dir+"/*/*.pem\n", testcerts.Epoch, ch.Pool())
	scrapeWith := func(workers int) string {
		h := &scrapetest.Harness{Sched: scrape.NewScheduler(workers, env.Now, env.Logger), Env: env,
			Families: map[string]scrape.Collector{certFileCheck: newCertFileCollector(env.Logger)}, Timeout: time.Minute}
		reg := prometheus.NewPedanticRegistry()
		reg.MustRegister(h)
		mfs, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for _, mf := range mfs {
			if mf.GetName() == "acme_exporter_collector_duration_seconds" {
				continue // wall time, which differs
			}
			if _, err := expfmt.MetricFamilyToText(&b, mf); err != nil {
				t.Fatal(err)
			}
		}
		return b.String()
	}
	serial := scrapeWith(1)
	parallel := scrapeWith(8)
	if serial != parallel {
		t.Fatalf("8 workers answer differently from 1:\n--- 1 worker\n%s\n--- 8 workers\n%s", serial, parallel)
	}
	// The comparison is not of two empty answers: 54 shared leaves verify
	// (their chain's expiry is exported), 6 without their intermediate and
	// the untrusted one do not.
	complete, incomplete := 0, 0
	for _, line := range strings.Split(serial, "\n") {
		if !strings.Contains(line, "/shared/") {
			continue
		}
		switch {
		case strings.HasPrefix(line, "acme_certificate_chain_not_after_timestamp_seconds{"):
			complete++
		case strings.HasPrefix(line, "acme_certificate_not_after_timestamp_seconds{"):
			incomplete++
		}
	}
	incomplete -= complete
	if complete != 54 || incomplete != 7 {
		t.Fatalf("shared files: %d complete, %d incomplete; want 54 and 7", complete, incomplete)
	}
}
