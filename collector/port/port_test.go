// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package port

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/acme-exporter/acme_exporter/internal/listeners"
	"github.com/acme-exporter/acme_exporter/internal/scrapetest"
	"github.com/acme-exporter/acme_exporter/internal/testbed"
	"github.com/acme-exporter/acme_exporter/internal/testcerts"
	"github.com/acme-exporter/acme_exporter/scrape"
)

var portNames = []string{"acme_port_listening", "acme_port_listener_info", "acme_port_process_visible",
	"acme_port_accept_queue_length", "acme_port_somaxconn", "acme_probe_success"}

func TestPortFixture(t *testing.T) {
	root, err := filepath.Abs("testdata/proc-fixture")
	if err != nil {
		t.Fatal(err)
	}
	env := scrapetest.Env(t, fmt.Sprintf("ports:\n  ports: [80, 443, 8080, 25]\n  proc_root: %s\n", root), testcerts.Epoch, nil)
	h := scrapetest.NewHarness(env, map[string]scrape.Collector{portCheck: &portCollector{}})
	want := strings.ReplaceAll(`
acme_port_listening{port="80"} 1
acme_port_listening{port="443"} 1
acme_port_listening{port="8080"} 1
acme_port_listening{port="25"} 0
acme_port_listener_info{address="0.0.0.0:80",port="80",process="nginx"} 1
acme_port_listener_info{address="[::]:80",port="80",process="nginx"} 1
acme_port_listener_info{address="127.0.0.1:443",port="443",process="not_visible"} 1
acme_port_listener_info{address="[::1]:443",port="443",process="sshd"} 1
acme_port_listener_info{address="127.0.0.1:8080",port="8080",process="not_visible"} 1
acme_port_process_visible{address="0.0.0.0:80",port="80"} 1
acme_port_process_visible{address="[::]:80",port="80"} 1
acme_port_process_visible{address="127.0.0.1:443",port="443"} 0
acme_port_process_visible{address="[::1]:443",port="443"} 1
acme_port_process_visible{address="127.0.0.1:8080",port="8080"} 0
acme_port_accept_queue_length{address="0.0.0.0:80",port="80"} 7
acme_port_accept_queue_length{address="[::]:80",port="80"} 0
acme_port_accept_queue_length{address="127.0.0.1:443",port="443"} 0
acme_port_accept_queue_length{address="[::1]:443",port="443"} 2
acme_port_accept_queue_length{address="127.0.0.1:8080",port="8080"} 0
acme_port_somaxconn 4096
acme_probe_success{check="port",target="ROOT"} 1
`, "ROOT", root)
	scrapetest.Compare(t, h, want, portNames...)
	if problems, err := testutil.CollectAndLint(h); err != nil || len(problems) > 0 {
		t.Fatalf("lint: %v %v", err, problems)
	}
}

// TestPortRealProc reads the real /proc: a listener of this test process
// with three connections the kernel completed and nobody accepted.
func TestPortRealProc(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = l.Close() }()
	port := l.Addr().(*net.TCPAddr).Port
	for range 3 {
		c, err := net.Dial("tcp", l.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = c.Close() }()
	}
	// A listener with a backlog of 7, made by hand (Go's Listen always
	// asks for somaxconn).
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = syscall.Close(fd) }()
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Listen(fd, 7); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	small := sa.(*syscall.SockaddrInet4).Port
	closed := testbed.FreePort(t, "127.0.0.1")
	b, err := os.ReadFile("/proc/sys/net/core/somaxconn")
	if err != nil {
		t.Fatal(err)
	}
	somax := strings.TrimSpace(string(b))
	comm, err := os.ReadFile("/proc/self/comm")
	if err != nil {
		t.Fatal(err)
	}
	env := scrapetest.Env(t, fmt.Sprintf("ports:\n  ports: [%d, %d, %d]\n", port, closed, small), testcerts.Epoch, nil)
	h := scrapetest.NewHarness(env, map[string]scrape.Collector{portCheck: &portCollector{}})
	want := fmt.Sprintf(`
acme_port_listening{port="%[1]d"} 1
acme_port_listening{port="%[2]d"} 0
acme_port_listener_info{address="127.0.0.1:%[1]d",port="%[1]d",process="%[4]s"} 1
acme_port_process_visible{address="127.0.0.1:%[1]d",port="%[1]d"} 1
acme_port_accept_queue_length{address="127.0.0.1:%[1]d",port="%[1]d"} 3
acme_port_listen_backlog{address="127.0.0.1:%[1]d",port="%[1]d"} %[3]s
acme_port_listening{port="%[5]d"} 1
acme_port_listener_info{address="127.0.0.1:%[5]d",port="%[5]d",process="%[4]s"} 1
acme_port_process_visible{address="127.0.0.1:%[5]d",port="%[5]d"} 1
acme_port_accept_queue_length{address="127.0.0.1:%[5]d",port="%[5]d"} 0
acme_port_listen_backlog{address="127.0.0.1:%[5]d",port="%[5]d"} 7
acme_port_somaxconn %[3]s
`, port, closed, somax, strings.TrimSpace(string(comm)), small)
	scrapetest.Compare(t, h, want, append(portNames[:5:5], "acme_port_listen_backlog")...)
	if os.Geteuid() != 0 {
		return
	}
	// Unprivileged, the same socket is seen but not its holder.
	t.Run("as_nobody", func(t *testing.T) {
		out := scrapetest.RunAsNobody(t, testbed.Dir(t), "port", "ACME_PORT_HELPER="+strconv.Itoa(port))
		if !strings.Contains(out, "visible=false listening=true") {
			t.Fatalf("helper output:\n%s", out)
		}
	})
}

func init() {
	// Child of TestPortRealProc: runs as uid 65534 (see scrapetest.RunAsNobody).
	scrapetest.ChildModes["port"] = func() int {
		p := os.Getenv("ACME_PORT_HELPER")
		ls, err := listeners.Listeners("/proc")
		if err != nil {
			fmt.Println("error:", err)
			return 1
		}
		for _, l := range ls {
			if strconv.Itoa(int(l.Addr.Port())) == p {
				fmt.Printf("visible=%v listening=true\n", l.Visible)
			}
		}
		return 0
	}
}
