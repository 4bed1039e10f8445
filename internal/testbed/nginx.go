// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package testbed

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// Nginx is an nginx master started on loopback with a generated config.
type Nginx struct {
	Dir  string // the prefix: nginx.conf, logs, temp dirs
	Proc *Process
}

// StartNginx runs nginx with servers (server { ... } blocks, placed
// inside http { }) from a fresh prefix in dir, and waits until every
// address in wait accepts connections. The workers run as nobody, so
// everything they serve must be world-readable (see Dir). Stopped by PID
// when the test ends.
func StartNginx(t testing.TB, dir, servers string, wait ...string) *Nginx {
	t.Helper()
	bin := Binary(t, "nginx")
	for _, d := range []string{"tmp-body", "tmp-proxy", "tmp-fastcgi", "tmp-uwsgi", "tmp-scgi", "logs"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	conf := fmt.Sprintf(`worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/logs/error.log info;
events { worker_connections 256; }
http {
    access_log %[1]s/logs/access.log;
    client_body_temp_path %[1]s/tmp-body;
    proxy_temp_path %[1]s/tmp-proxy;
    fastcgi_temp_path %[1]s/tmp-fastcgi;
    uwsgi_temp_path %[1]s/tmp-uwsgi;
    scgi_temp_path %[1]s/tmp-scgi;
    ssl_protocols TLSv1.2 TLSv1.3;
%[2]s
}
`, dir, servers)
	cp := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(cp, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	Run(t, []string{bin, "-t", "-q", "-e", "stderr", "-p", dir, "-c", cp})
	p := Start(t, dir, "nginx", []string{bin, "-e", "stderr", "-p", dir, "-c", cp, "-g", "daemon off;"})
	for _, a := range wait {
		WaitTCP(t, a, p)
	}
	return &Nginx{Dir: dir, Proc: p}
}

// FreePorts returns n distinct TCP ports, each free on every ip given at
// the time of the call (FreePort called n times may return one port twice).
func FreePorts(t testing.TB, n int, ips ...string) []int {
	t.Helper()
	var held []net.Listener
	defer func() {
		for _, l := range held {
			_ = l.Close()
		}
	}()
	var out []int
	for attempts := 0; len(out) < n && attempts < 100*n; attempts++ {
		l, err := net.Listen("tcp", net.JoinHostPort(ips[0], "0"))
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, l)
		port := l.Addr().(*net.TCPAddr).Port
		ok := true
		for _, ip := range ips[1:] {
			l2, err := net.Listen("tcp", net.JoinHostPort(ip, fmt.Sprint(port)))
			if err != nil {
				ok = false
				break
			}
			held = append(held, l2)
		}
		if ok {
			out = append(out, port)
		}
	}
	if len(out) < n {
		t.Fatalf("could not find %d free ports on %v", n, ips)
	}
	return out
}

// Reload sends SIGHUP to the master (by PID): nginx re-reads its config
// and certificates.
func (n *Nginx) Reload(t testing.TB) {
	t.Helper()
	if err := syscall.Kill(n.Proc.Cmd.Process.Pid, syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
}

// AccessLog returns the access log so far.
func (n *Nginx) AccessLog() string {
	b, _ := os.ReadFile(filepath.Join(n.Dir, "logs", "access.log"))
	return string(b)
}

// NginxTLSServer renders a server block serving fixed text over TLS on
// listen (e.g. "127.0.0.1:8443" or "[::1]:8443"), with one or more
// certificate/key pairs (nginx picks by the client's algorithms).
func NginxTLSServer(listen, serverName string, certKeys ...[2]string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "    server {\n        listen %s ssl;\n        server_name %s;\n", listen, serverName)
	for _, ck := range certKeys {
		fmt.Fprintf(&b, "        ssl_certificate %s;\n        ssl_certificate_key %s;\n", ck[0], ck[1])
	}
	b.WriteString("        location / { default_type text/plain; return 200 \"ok\\n\"; }\n    }\n")
	return b.String()
}
