// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package directory

import (
	"crypto/x509"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/acme-exporter/acme_exporter/inventory"
)

// ariWorkersOf counts the goroutines running c's workers, from the stacks
// of all goroutines (a worker's frame names its receiver).
func ariWorkersOf(c *ariCollector) int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	return strings.Count(string(buf), fmt.Sprintf("(*ariCollector).work(%p", c))
}

// Close stops the background workers: those waiting for work and those
// whose fetch hangs on a CA that never answers (the fetch is cancelled,
// not waited out), and none starts after it. No goroutine of the
// collector is left when Close returns.
func TestARICloseStopsWorkers(t *testing.T) {
	var hung atomic.Int64
	release := make(chan struct{})
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hung.Add(1)
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())

	c := newARICollector(slog.New(slog.DiscardHandler))
	now := time.Now
	store := inventory.NewDirectoryStore()
	c.mu.Lock()
	for i := range 3 {
		// Each job's directory hangs: a worker per job, stuck in its fetch.
		u := fmt.Sprintf("%s/dir%d", srv.URL, i)
		c.queue <- ariJob{store: store, key: u, dir: dirSpec{url: u, roots: roots}, certID: "x", now: now, timeout: time.Hour}
	}
	c.startWorkersLocked(5) // 3 busy, 2 waiting for work
	c.mu.Unlock()
	deadline := time.Now().Add(10 * time.Second)
	for hung.Load() < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("%d of 3 fetches reached the server", hung.Load())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if n := ariWorkersOf(c); n != 5 {
		t.Fatalf("%d workers running, want 5", n)
	}

	done := make(chan struct{})
	go func() { _ = c.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return: a worker is still waiting or fetching")
	}
	if n := ariWorkersOf(c); n != 0 {
		t.Errorf("%d workers left after Close", n)
	}
	c.mu.Lock()
	if c.workers != 0 {
		t.Errorf("worker count %d after Close", c.workers)
	}
	c.startWorkersLocked(3)
	started := c.workers
	c.mu.Unlock()
	if started != 0 || ariWorkersOf(c) != 0 {
		t.Errorf("%d workers started after Close", started)
	}
	if err := c.Close(); err != nil { // twice is fine
		t.Error(err)
	}
}
