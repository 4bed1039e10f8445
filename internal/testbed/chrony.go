// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package testbed

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/beevik/ntp"
)

// Chrony is a chronyd serving NTP on loopback.
type Chrony struct {
	Addr string // 127.0.0.1:<port>
	Port int
	Proc *Process
}

// StartChrony starts chronyd as an NTP server on 127.0.0.1:<random port>
// that never touches the system clock (-x). A non-empty fakeTime (libfaketime
// syntax, e.g. "-90s") runs it with a shifted clock: libfaketime is
// preloaded into chronyd itself (LD_PRELOAD + FAKETIME) rather than through
// the faketime wrapper, so the PID stopped at cleanup is chronyd's.
func StartChrony(t testing.TB, fakeTime string) *Chrony {
	t.Helper()
	bin := Binary(t, "chronyd")
	dir := Dir(t)
	port := FreeUDPPort(t, "127.0.0.1")
	conf := fmt.Sprintf(`port %d
bindaddress 127.0.0.1
cmdport 0
local stratum 8
allow 127.0.0.1
pidfile %s
driftfile %s
`, port, filepath.Join(dir, "chronyd.pid"), filepath.Join(dir, "chrony.drift"))
	confPath := filepath.Join(dir, "chrony.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	var env []string
	if fakeTime != "" {
		env = append(env, "LD_PRELOAD="+libfaketime(t), "FAKETIME="+fakeTime, "FAKETIME_DONT_FAKE_MONOTONIC=1")
	}
	p := Start(t, dir, "chronyd", []string{bin, "-d", "-x", "-f", confPath}, env...)
	c := &Chrony{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), Port: port, Proc: p}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := ntp.QueryWithOptions(c.Addr, ntp.QueryOptions{Timeout: 300 * time.Millisecond}); err == nil {
			return c
		}
		if p.Cmd.Process.Signal(syscall.Signal(0)) != nil {
			break // exited
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("chronyd did not answer on %s\n%s", c.Addr, p.Logs())
	return nil
}

// libfaketime finds Debian's libfaketime.so.1 or fails the test.
func libfaketime(t testing.TB) string {
	t.Helper()
	for _, pat := range []string{"/usr/lib/*/faketime/libfaketime.so.1", "/usr/lib/faketime/libfaketime.so.1", "/usr/local/lib/faketime/libfaketime.so.1"} {
		if m, _ := filepath.Glob(pat); len(m) > 0 {
			return m[0]
		}
	}
	t.Fatal("libfaketime.so.1 is not installed: run `make testbed` (apt package faketime)")
	return ""
}
