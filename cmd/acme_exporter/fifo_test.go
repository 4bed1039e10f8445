// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/acme-exporter/acme_exporter/internal/testbed"
	"github.com/acme-exporter/acme_exporter/internal/testcerts"
)

// The real binary while a hostile local user flips 16 certificate paths
// between a regular file and a FIFO (a symlink renamed over each path, as
// fast as it can): a path that is a regular file when stat'ed and a FIFO
// when opened used to block its check in open(2) for good, until every
// worker (global.concurrency: 4) was stuck and every file check stale.
// Once the flipping stops, every check must answer fresh.
func TestFIFOSwapNeverStallsChecks(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	ch := testcerts.NewChain(t, "Test")
	const n = 16
	for i := 0; i < n; i++ {
		// Two copies: a flip to the other copy changes the file's identity,
		// so it is read (opened) again.
		pem := ch.FullChain(ch.Leaf(t, testcerts.Options{Serial: int64(i + 1)}))
		testcerts.Write(t, dir, fmt.Sprintf("real/%02d.pem", i), pem, 0o644)
		testcerts.Write(t, dir, fmt.Sprintf("real/%02d.pem2", i), pem, 0o644)
		if err := syscall.Mkfifo(filepath.Join(dir, fmt.Sprintf("real/%02d.fifo", i)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "live"), 0o755); err != nil {
		t.Fatal(err)
	}
	point := func(i int, ext string) error {
		tmp := filepath.Join(dir, fmt.Sprintf("live/.%02d.tmp", i))
		_ = os.Remove(tmp)
		if err := os.Symlink(filepath.Join(dir, fmt.Sprintf("real/%02d.%s", i, ext)), tmp); err != nil {
			return err
		}
		return os.Rename(tmp, filepath.Join(dir, fmt.Sprintf("live/%02d.pem", i)))
	}
	for i := 0; i < n; i++ {
		if err := point(i, "pem"); err != nil {
			t.Fatal(err)
		}
	}
	cfg := filepath.Join(dir, "c.yml")
	writeFile(t, cfg, fmt.Sprintf("global: {concurrency: 4}\ncertificate_files:\n  - path: %s/live/*.pem\n", dir))
	addr := fmt.Sprintf("127.0.0.1:%d", testbed.FreePort(t, "127.0.0.1"))
	p := testbed.Start(t, dir, "exporter", []string{bin, "--config.file=" + cfg, "--web.listen-address=" + addr, "--no-discovery.defaults"}, "ACME_EXPORTER_OFFLINE=1")
	testbed.WaitTCP(t, addr, p)

	scrape := func() string {
		req, _ := http.NewRequest("GET", "http://"+addr+"/metrics", nil)
		req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", "2")
		resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
		if err != nil {
			t.Fatalf("scrape: %v\n%s", err, p.Logs())
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; ; k++ {
				select {
				case <-stop:
					_ = point(i, "pem")
					return
				default:
				}
				ext := [...]string{"pem", "fifo", "pem2", "fifo"}[k%4]
				_ = point(i, ext)
			}
		}()
	}
	for end := time.Now().Add(8 * time.Second); time.Now().Before(end); {
		scrape()
	}
	close(stop)
	wg.Wait()

	// Two scrapes: the first may still serve a result from the flipping.
	scrape()
	out := scrape()
	for _, want := range []string{
		`acme_exporter_collector_success{collector="certificate_file"} 1`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("after the flipping: metrics lack %s", want)
		}
	}
	if m := regexp.MustCompile(`(?m)^acme_(check_stale|probe_failure_info)\{check="certificate_file".*$`).FindAllString(out, -1); len(m) > 0 {
		t.Errorf("after the flipping, file checks still stale or failing:\n%s", strings.Join(m, "\n"))
	}
	// A file that reads shows it by its not_after series (its
	// acme_probe_success is exported only while it fails).
	if got := len(regexp.MustCompile(`(?m)^acme_certificate_not_after_timestamp_seconds\{.*source="file".*$`).FindAllString(out, -1)); got != n {
		t.Errorf("%d of %d file checks succeed after the flipping", got, n)
	}
}
