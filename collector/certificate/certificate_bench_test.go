// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package certificate

import (
	"crypto/x509"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/acme-exporter/acme_exporter/internal/scrapetest"
	"github.com/acme-exporter/acme_exporter/scrape"
)

var (
	benchOnce sync.Once
	benchDir  string
	benchErr  error
)

// benchTree generates the 10,000-file fixture once per test binary run;
// ACME_BENCH_FIXTURE names one made by tools/gencerts instead (a 100,000-file
// tree: go run ./tools/gencerts -out DIR -dirs 1000 -per-dir 100).
func benchTree(b *testing.B) (string, *x509.CertPool) {
	benchOnce.Do(func() {
		if dir := os.Getenv("ACME_BENCH_FIXTURE"); dir != "" {
			benchDir = dir
			return
		}
		benchDir, benchErr = os.MkdirTemp("", "acme-bench-")
		if benchErr != nil {
			return
		}
		cmd := exec.Command("go", "run", "../../tools/gencerts", "-out", benchDir)
		cmd.Stderr = os.Stderr
		benchErr = cmd.Run()
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	pem, err := os.ReadFile(filepath.Join(benchDir, "ca.pem"))
	if err != nil {
		b.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	return benchDir, pool
}

// BenchmarkScrape10kFiles measures one full scrape (targets, reads or
// cache hits, metric building, exposition) over 10,000 certificate files.
// cold: a new collector each time, so every file is read and parsed.
// warm: the same collector, files unchanged, so only stat calls remain.
// The text variants stream through WriteText as /metrics does; the
// gather variants go through client_golang's Registry.Gather, as tests do.
func BenchmarkScrape10kFiles(b *testing.B) {
	dir, pool := benchTree(b)
	env := scrapetest.Env(b, "certificate_files:\n  - path: "+dir+"/d*/*.pem\n", time.Now(), pool)
	gather := func(c *certFileCollector, s *scrape.Scheduler) {
		reg := prometheus.NewRegistry()
		reg.MustRegister(&scrapetest.Harness{Sched: s, Env: env, Families: map[string]scrape.Collector{certFileCheck: c}, Timeout: time.Minute})
		mfs, err := reg.Gather()
		if err != nil {
			b.Fatal(err)
		}
		if len(mfs) == 0 {
			b.Fatal("no metrics")
		}
	}
	text := func(c *certFileCollector, s *scrape.Scheduler) {
		var ms [][]prometheus.Metric
		s.CollectBatches(env, map[string]scrape.Collector{certFileCheck: c}, time.Now().Add(time.Minute),
			func(batch [][]prometheus.Metric) { ms = append(ms, batch...) })
		var w countingWriter
		if err := scrape.WriteText(&w, ms...); err != nil || w == 0 {
			b.Fatal(err, w)
		}
	}
	for _, v := range []struct {
		name   string
		scrape func(*certFileCollector, *scrape.Scheduler)
	}{{"text", text}, {"gather", gather}} {
		b.Run("cold-"+v.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				v.scrape(newCertFileCollector(env.Logger), scrape.NewScheduler(16, env.Now, env.Logger))
			}
		})
		b.Run("warm-"+v.name, func(b *testing.B) {
			c := newCertFileCollector(env.Logger)
			s := scrape.NewScheduler(16, env.Now, env.Logger)
			v.scrape(c, s)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				v.scrape(c, s)
			}
		})
	}
}

type countingWriter int

func (w *countingWriter) Write(p []byte) (int, error) {
	*w += countingWriter(len(p))
	return len(p), nil
}
