// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package collector

import (
	"crypto/x509"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

var (
	benchOnce sync.Once
	benchDir  string
	benchErr  error
)

// benchTree generates the 10,000-file fixture once per test binary run.
func benchTree(b *testing.B) (string, *x509.CertPool) {
	benchOnce.Do(func() {
		benchDir, benchErr = os.MkdirTemp("", "acme-bench-")
		if benchErr != nil {
			return
		}
		cmd := exec.Command("go", "run", "../tools/gencerts", "-out", benchDir)
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
// cache hits, metric building, gathering) over 10,000 certificate files.
// cold: a new collector each time, so every file is read and parsed.
// warm: the same collector, files unchanged, so only stat calls remain.
func BenchmarkScrape10kFiles(b *testing.B) {
	dir, pool := benchTree(b)
	env := testEnv(b, "certificate_files:\n  - path: "+dir+"/d*/*.pem\n", time.Now(), pool)
	scrape := func(c *certFileCollector, s *Scheduler) {
		reg := prometheus.NewRegistry()
		reg.MustRegister(&familyCollector{sched: s, env: env, families: map[string]Collector{certFileCheck: c}, timeout: time.Minute})
		mfs, err := reg.Gather()
		if err != nil {
			b.Fatal(err)
		}
		if len(mfs) == 0 {
			b.Fatal("no metrics")
		}
	}
	b.Run("cold", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			scrape(newCertFileCollector(env.Logger), NewScheduler(16, env.Now, env.Logger))
		}
	})
	b.Run("warm", func(b *testing.B) {
		c := newCertFileCollector(env.Logger)
		s := NewScheduler(16, env.Now, env.Logger)
		scrape(c, s)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			scrape(c, s)
		}
	})
}
