// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

// Package testbed starts real servers (nginx, Knot, chrony, Pebble, ...) on
// loopback for tests, tracks their PIDs and stops them by PID. A missing
// binary fails the test: CI installs the bed, nothing is skipped silently.
package testbed

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Binary returns the path of a required program or fails the test.
// Extra directories (Go's bin, /usr/sbin) are searched too.
func Binary(t testing.TB, name string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	var dirs []string
	if gp := os.Getenv("GOPATH"); gp != "" {
		dirs = append(dirs, filepath.Join(gp, "bin"))
	}
	if home, err := os.UserHomeDir(); err == nil {
		dirs = append(dirs, filepath.Join(home, "go", "bin"))
	}
	dirs = append(dirs, "/usr/sbin", "/sbin", "/usr/local/sbin")
	for _, d := range dirs {
		p := filepath.Join(d, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode()&0o111 != 0 {
			return p
		}
	}
	t.Fatalf("%s is not installed: run `make testbed` (scripts/install-testbed.sh)", name)
	return ""
}

// Process is a started daemon.
type Process struct {
	Name string
	Cmd  *exec.Cmd
	Log  string
	done chan struct{} // closed when the process has exited
}

// Exited says whether the process has ended.
func (p *Process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Start runs a daemon in its own process group, logging to a file in dir,
// and stops it by PID when the test ends.
func Start(t testing.TB, dir, name string, argv []string, env ...string) *Process {
	t.Helper()
	logPath := filepath.Join(dir, name+".log")
	lf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = lf, lf
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		lf.Close()
		t.Fatalf("start %s: %v", name, err)
	}
	done := make(chan struct{})
	p := &Process{Name: name, Cmd: cmd, Log: logPath, done: done}
	go func() { _ = cmd.Wait(); lf.Close(); close(done) }()
	t.Cleanup(func() {
		// Stop by PID (the whole group the daemon leads), never by name.
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
	})
	return p
}

// Logs returns the daemon's output so far (for failure messages).
func (p *Process) Logs() string {
	b, _ := os.ReadFile(p.Log)
	return string(b)
}

// FreePort returns a TCP port free on ip at the time of the call.
func FreePort(t testing.TB, ip string) int {
	t.Helper()
	l, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// FreeUDPPort returns a UDP port free on ip at the time of the call.
func FreeUDPPort(t testing.TB, ip string) int {
	t.Helper()
	c, err := net.ListenPacket("udp", net.JoinHostPort(ip, "0"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// WaitTCP waits until addr accepts connections.
func WaitTCP(t testing.TB, addr string, p *Process) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return
		}
		if p != nil && p.Exited() {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	msg := ""
	if p != nil {
		msg = "\n" + p.Name + " log:\n" + p.Logs()
	}
	t.Fatalf("%s did not start listening%s", addr, msg)
}

// Run runs a command to completion and fails the test on error.
func Run(t testing.TB, argv []string, env ...string) string {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(argv, " "), err, out)
	}
	return string(out)
}

// Dir makes a world-traversable temporary directory (t.TempDir is 0700,
// which an unprivileged test process or daemon user cannot enter).
func Dir(t testing.TB) string {
	t.Helper()
	d, err := os.MkdirTemp("", "acme-testbed-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(d, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}

// ServeTCP listens on addr until the test ends and hands every accepted
// connection to handle, in its own goroutine; it returns the address.
func ServeTCP(t testing.TB, addr string, handle func(net.Conn)) string {
	t.Helper()
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go handle(c)
		}
	}()
	return l.Addr().String()
}
