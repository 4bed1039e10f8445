// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/acme-exporter/acme_exporter/internal/testbed"
)

func TestConnCap(t *testing.T) {
	cases := []struct {
		configured int
		soft       uint64
		want       int
	}{
		{0, 20000, defaultMaxConns},
		{0, 1024, 512},               // small limit: half of it stays free
		{0, 2500, 2500 - fdHeadroom}, // headroom wins over the default
		{100, 20000, 100},
		{50000, 20000, 20000 - fdHeadroom},
		{0, 1, 1},
	}
	for _, c := range cases {
		if got := connCap(c.configured, c.soft); got != c.want {
			t.Errorf("connCap(%d, %d) = %d, want %d", c.configured, c.soft, got, c.want)
		}
	}
}

// floodProc is tools/flood running against the exporter.
type floodProc struct {
	cmd   *exec.Cmd
	lines chan string
}

func startFlood(t *testing.T, bin string, args ...string) *floodProc {
	t.Helper()
	cmd := exec.Command(bin, args...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	f := &floodProc{cmd: cmd, lines: make(chan string, 4)}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			f.lines <- sc.Text()
		}
		close(f.lines)
	}()
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return f
}

var floodCounts = regexp.MustCompile(`(\w+)=(\d+)`)

// next waits for the flood's next report line and returns its counts.
func (f *floodProc) next(t *testing.T, prefix string, within time.Duration) map[string]int {
	t.Helper()
	select {
	case l, ok := <-f.lines:
		if !ok || len(l) < len(prefix) || l[:len(prefix)] != prefix {
			t.Fatalf("flood: want a %q line, got %q", prefix, l)
		}
		m := map[string]int{}
		for _, kv := range floodCounts.FindAllStringSubmatch(l, -1) {
			m[kv[1]], _ = strconv.Atoi(kv[2])
		}
		return m
	case <-time.After(within):
		t.Fatalf("flood: no %q line within %s", prefix, within)
	}
	return nil
}

// The real binary under 20,000 idle connections and a slowloris client,
// both real processes: /metrics keeps answering, the exporter holds no
// more descriptors than its cap allows, and the slowloris connections are
// closed by the server (ReadHeaderTimeout). Before the server had
// timeouts and a cap, the flood used up the fd limit (accept4: too many
// open files) and /metrics stopped answering.
func TestFloodKeepsMetricsAnswering(t *testing.T) {
	bin := buildBinary(t)
	flood := filepath.Join(t.TempDir(), "flood")
	if out, err := exec.Command("go", "build", "-o", flood, "../../tools/flood").CombinedOutput(); err != nil {
		t.Fatalf("build flood: %v\n%s", err, out)
	}
	dir := t.TempDir()
	addr := fmt.Sprintf("127.0.0.1:%d", testbed.FreePort(t, "127.0.0.1"))
	const maxConns = 500
	p := testbed.Start(t, dir, "exporter", []string{bin, "--web.listen-address=" + addr, "--no-discovery.defaults",
		"--web.max-connections=" + strconv.Itoa(maxConns), "--web.read-header-timeout=2s"}, "ACME_EXPORTER_OFFLINE=1")
	testbed.WaitTCP(t, addr, p)

	idle := startFlood(t, flood, "-addr", addr, "-n", "20000", "-mode", "idle", "-hold", "20s")
	slow := startFlood(t, flood, "-addr", addr, "-n", "200", "-mode", "slowloris", "-every", "500ms", "-hold", "15s", "-sources", "0")
	got := idle.next(t, "ready", 2*time.Minute)
	if got["opened"] < 19000 {
		t.Fatalf("the flood opened only %d of 20000 connections (fd limit of the test?): %v", got["opened"], got)
	}
	slow.next(t, "ready", time.Minute)

	client := &http.Client{Timeout: 15 * time.Second}
	for i := 0; i < 3; i++ {
		resp, err := client.Get("http://" + addr + "/metrics")
		if err != nil {
			t.Fatalf("/metrics under the flood: %v\n%s", err, p.Logs())
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !regexp.MustCompile(`(?m)^acme_exporter_build_info`).Match(b) {
			t.Fatalf("/metrics under the flood: %d\n%.300s", resp.StatusCode, b)
		}
		fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", p.Cmd.Process.Pid))
		if err != nil {
			t.Fatal(err)
		}
		// The cap plus the connection being accepted and the process's own
		// files (listener, epoll, stdio, log).
		if len(fds) > maxConns+32 {
			t.Fatalf("exporter holds %d descriptors with a cap of %d connections", len(fds), maxConns)
		}
		time.Sleep(time.Second)
	}
	s := slow.next(t, "summary", time.Minute)
	if s["opened"] == 0 || s["closed_by_server"] != s["opened"] {
		t.Fatalf("slowloris connections not all closed by the server: %v", s)
	}
	i := idle.next(t, "summary", time.Minute)
	if i["closed_by_server"] < i["opened"]-maxConns {
		t.Fatalf("idle connections held beyond the cap: %v", i)
	}
}
