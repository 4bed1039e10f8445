// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/acme-exporter/acme_exporter/internal/testbed"
)

// miniNginx is an nginx of its own for one scenario, so stopping it or
// not reloading it touches nothing else of the bed (the main nginx is
// reloaded by every certbot deploy hook and serves every renewal).
type miniNginx struct {
	b      *bed
	name   string
	dir    string
	conf   string
	port   int
	mu     sync.Mutex
	proc   *testbed.Process
	server string // the server blocks
}

// startMiniNginx starts nginx with the given server blocks; %[1]d in
// them is the instance's port.
func (b *bed) startMiniNginx(name, servers string) *miniNginx {
	return b.startMiniNginxOn(name, testbed.FreePort(b.t, "127.0.0.1"), servers)
}

// startMiniNginxOn is startMiniNginx on a given port.
func (b *bed) startMiniNginxOn(name string, port int, servers string) *miniNginx {
	m := &miniNginx{b: b, name: name, dir: filepath.Join(b.dir, name), port: port}
	for _, sub := range []string{"", "tmp-body", "tmp-proxy", "tmp-fastcgi", "tmp-uwsgi", "tmp-scgi"} {
		if err := os.MkdirAll(filepath.Join(m.dir, sub), 0o755); err != nil {
			b.t.Fatal(err)
		}
	}
	m.server = fmt.Sprintf(servers, m.port)
	m.conf = filepath.Join(m.dir, "nginx.conf")
	conf := fmt.Sprintf(`worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log info;
events { worker_connections 64; }
http {
    access_log %[1]s/access.log;
    client_body_temp_path %[1]s/tmp-body;
    proxy_temp_path %[1]s/tmp-proxy;
    fastcgi_temp_path %[1]s/tmp-fastcgi;
    uwsgi_temp_path %[1]s/tmp-uwsgi;
    scgi_temp_path %[1]s/tmp-scgi;
%[2]s
}
`, m.dir, m.server)
	if err := os.WriteFile(m.conf, []byte(conf), 0o644); err != nil {
		b.t.Fatal(err)
	}
	testbed.Run(b.t, []string{testbed.Binary(b.t, "nginx"), "-t", "-e", "stderr", "-p", m.dir, "-c", m.conf})
	m.start()
	return m
}

func (m *miniNginx) start() {
	p := testbed.Start(m.b.t, m.dir, fmt.Sprintf("nginx-%d", time.Now().UnixNano()),
		[]string{testbed.Binary(m.b.t, "nginx"), "-e", "stderr", "-p", m.dir, "-c", m.conf, "-g", "daemon off;"})
	testbed.WaitTCP(m.b.t, fmt.Sprintf("127.0.0.1:%d", m.port), p)
	m.mu.Lock()
	m.proc = p
	m.mu.Unlock()
}

// stop ends nginx gracefully (SIGQUIT, by PID) and waits for it.
func (m *miniNginx) stop(ctx context.Context) error {
	m.mu.Lock()
	p := m.proc
	m.mu.Unlock()
	if err := syscall.Kill(p.Cmd.Process.Pid, syscall.SIGQUIT); err != nil {
		return err
	}
	for !p.Exited() {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		time.Sleep(100 * time.Millisecond)
	}
	return nil
}

func (m *miniNginx) reload() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return syscall.Kill(m.proc.Cmd.Process.Pid, syscall.SIGHUP)
}

// canary is the token file the operator placed once in the webroot for
// the http01 check (acme_http01_canary).
const canary = "e2e-canary"

func (b *bed) writeCanary() {
	d := filepath.Join(b.webroot, ".well-known", "acme-challenge")
	if err := os.MkdirAll(d, 0o755); err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(d, canary), []byte("acme_exporter e2e canary\n"), 0o644); err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(b.dir, "nginx", "htpasswd"), []byte("e2e:{PLAIN}secret\n"), 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// Domains of the HTTP-01 scenarios (not certificates: the check is per
// domain, between renewals).
const (
	http01Auth       = "http01-auth." + domain
	http01Stop       = "http01-stop." + domain
	http01Standalone = "http01-standalone." + domain
)

// http01Config is the http01 part of the exporter's config: both domains
// dialled on loopback at the bed's test ports (the CA would use port 80).
func (b *bed) http01Config() string {
	var sb strings.Builder
	sb.WriteString("http01:\n")
	for _, d := range []struct {
		domain string
		port   int
	}{{http01Auth, b.httpPort}, {http01Stop, b.nginxHTTP01.port}} {
		fmt.Fprintf(&sb, "  - domain: %s\n    address: 127.0.0.1\n    port: %d\n    webroot: %s\n    canary: %s\n    timeout: 3s\n    min_interval: 5s\n",
			d.domain, d.port, b.webroot, canary)
	}
	// Standalone: the client binds the port itself while renewing; the
	// bed's stand-in for :80 is a free port of its own.
	fmt.Fprintf(&sb, "  - domain: %s\n    mode: standalone\n    port: %d\n    min_interval: 5s\n", http01Standalone, b.standalonePort)
	return sb.String()
}
