// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

// Package port checks the local TCP ports ACME challenges need: who
// listens, and how full their accept queues are.
package port

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/acme-exporter/acme_exporter/internal/listeners"
	"github.com/acme-exporter/acme_exporter/scrape"
)

const portCheck = "port"

var (
	portListeningDesc = scrape.Desc(portCheck, "acme_port_listening",
		"1 when a local TCP socket listens on the port (any address, IPv4 or IPv6), from /proc/net/tcp and /proc/net/tcp6.",
		"port")
	portListenerInfoDesc = scrape.Desc(portCheck, "acme_port_listener_info",
		"One listening socket: its address and the process names holding it (sorted, comma-separated), or not_visible when the exporter may not read other processes' file descriptors.",
		"port", "address", "process")
	portProcessVisibleDesc = scrape.Desc(portCheck, "acme_port_process_visible",
		"1 when the process holding the listening socket could be identified; 0 needs more privileges (CAP_SYS_PTRACE or root to read /proc/<pid>/fd of other users).",
		"port", "address")
	portBacklogDesc = scrape.Desc(portCheck, "acme_port_listen_backlog",
		"Accept-queue capacity of the listening socket (the listen() backlog, capped at somaxconn), from netlink sock_diag (what ss -ltn shows as Send-Q); absent when sock_diag is unavailable.",
		"port", "address")
	portAcceptQueueDesc = scrape.Desc(portCheck, "acme_port_accept_queue_length",
		"Connections completed by the kernel and not yet accepted by the process, from the rx_queue column of /proc/net/tcp; at the backlog, new connections (the CA's validation requests among them) are dropped.",
		"port", "address")
	portSomaxconnDesc = scrape.Desc(portCheck, "acme_port_somaxconn",
		"The kernel's cap on every listen() backlog, /proc/sys/net/core/somaxconn: an accept queue cannot grow past it.")
)

func init() {
	scrape.Register(portCheck, true, func(l *slog.Logger) scrape.Collector { return &portCollector{logger: l} })
}

type portCollector struct{ logger *slog.Logger }

func (c *portCollector) Targets(env *scrape.Env) ([]scrape.Target, error) {
	pc := env.Config.Ports
	ports := pc.Ports
	if len(ports) == 0 {
		ports = []int{80, 443}
	}
	root := pc.ProcRoot
	if root == "" {
		root = "/proc"
	}
	return []scrape.Target{{
		Check:  portCheck,
		Target: root,
		Run: func(ctx context.Context, emit scrape.Emit) error {
			return c.check(root, ports, emit)
		},
	}}, nil
}

func (c *portCollector) check(root string, ports []int, emit scrape.Emit) error {
	if b, err := os.ReadFile(filepath.Join(root, "sys/net/core/somaxconn")); err == nil {
		if n, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
			emit(scrape.Gauge(portSomaxconnDesc, float64(n)))
		}
	}
	ls, err := listeners.Listeners(root)
	if err != nil {
		return err
	}
	for _, p := range ports {
		ps := strconv.Itoa(p)
		n := 0
		for _, l := range ls {
			if int(l.Addr.Port()) != p {
				continue
			}
			n++
			a := l.Addr.String()
			proc := "not_visible"
			if l.Visible {
				proc = strings.Join(l.Processes, ",")
			}
			emit(scrape.Gauge(portListenerInfoDesc, 1, ps, a, proc))
			emit(scrape.Gauge(portProcessVisibleDesc, scrape.Bool(l.Visible), ps, a))
			emit(scrape.Gauge(portAcceptQueueDesc, float64(l.Queue), ps, a))
			if l.Backlog >= 0 {
				emit(scrape.Gauge(portBacklogDesc, float64(l.Backlog), ps, a))
			}
		}
		emit(scrape.Gauge(portListeningDesc, scrape.Bool(n > 0), ps))
	}
	return nil
}
