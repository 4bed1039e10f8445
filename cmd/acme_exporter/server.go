// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"
	"crypto/tls"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"syscall"
	"time"
)

// serverLimits are the HTTP server's defences against clients that hold
// connections without using them.
type serverLimits struct {
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	IdleTimeout       time.Duration
	// MaxConns caps open connections; 0 picks one from the fd limit.
	MaxConns int
}

// fdHeadroom is kept free below RLIMIT_NOFILE for what checks open
// (certificate files, sockets to endpoints, DNS, NTP) and for the
// exporter's own files.
const fdHeadroom = 1024

// defaultMaxConns: Prometheus servers, a few /probe callers and browsers
// need tens of connections; 2048 leaves a wide margin and costs at most a
// few tens of MB when every one of them is held.
const defaultMaxConns = 2048

// connCap returns the connection cap for an fd soft limit: the configured
// or default cap, lowered so that fdHeadroom (or, under a small limit,
// half of it) stays free. The Go runtime already raised the soft limit to
// the hard one when package os was initialised, so the soft limit read here
// is the most the process can open.
func connCap(configured int, softLimit uint64) int {
	c := configured
	if c <= 0 {
		c = defaultMaxConns
	}
	free := int(softLimit) - fdHeadroom
	if int(softLimit) < 2*fdHeadroom {
		free = int(softLimit) / 2
	}
	if free < 1 {
		free = 1
	}
	if c > free {
		c = free
	}
	return c
}

func nofileSoftLimit() uint64 {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		return 1024
	}
	return r.Cur
}

// connGuard holds the server's connections below a cap. When a new one
// would exceed it, the connection that has waited longest without a
// request being served (accepted but silent, sending its headers slowly,
// or idle between requests) is closed: an idle or slowloris flood then
// evicts its own connections, while a scraper, whose request arrives right
// after it connects and is served at once, is not evicted. If every held
// connection is serving a request, the new one is closed instead.
type connGuard struct {
	max int

	mu    sync.Mutex
	conns map[net.Conn]*connInfo
}

type connInfo struct {
	conn    net.Conn
	since   time.Time // last change of state
	serving int       // requests being served on this connection
}

type connKey struct{}

func newConnGuard(max int) *connGuard {
	return &connGuard{max: max, conns: make(map[net.Conn]*connInfo)}
}

// raw returns the accepted connection under a TLS one: ConnContext sees
// the accepted connection, ConnState the TLS one after the handshake.
func raw(c net.Conn) net.Conn {
	if t, ok := c.(*tls.Conn); ok {
		return t.NetConn()
	}
	return c
}

func (g *connGuard) connContext(ctx context.Context, c net.Conn) context.Context {
	info := &connInfo{conn: c, since: time.Now()}
	g.mu.Lock()
	g.conns[raw(c)] = info
	g.mu.Unlock()
	return context.WithValue(ctx, connKey{}, info)
}

func (g *connGuard) connState(c net.Conn, s http.ConnState) {
	rc := raw(c)
	g.mu.Lock()
	defer g.mu.Unlock()
	switch s {
	case http.StateClosed, http.StateHijacked:
		delete(g.conns, rc)
		return
	case http.StateNew:
		if len(g.conns) > g.max {
			g.evictLocked(rc)
		}
	}
	if info, ok := g.conns[rc]; ok {
		info.since = time.Now()
	}
}

// evictLocked closes the oldest connection not serving a request, or
// fresh when there is none.
func (g *connGuard) evictLocked(fresh net.Conn) {
	var victim *connInfo
	for c, info := range g.conns {
		if c == fresh || info.serving > 0 {
			continue
		}
		if victim == nil || info.since.Before(victim.since) {
			victim = info
		}
	}
	if victim == nil {
		victim = g.conns[fresh]
	}
	if victim != nil {
		delete(g.conns, raw(victim.conn))
		_ = victim.conn.Close()
	}
}

// handler marks a connection as serving while a request runs on it.
func (g *connGuard) handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info, _ := r.Context().Value(connKey{}).(*connInfo)
		if info != nil {
			g.mu.Lock()
			info.serving++
			g.mu.Unlock()
			defer func() {
				g.mu.Lock()
				info.serving--
				info.since = time.Now()
				g.mu.Unlock()
			}()
		}
		next.ServeHTTP(w, r)
	})
}

// newServer returns the HTTP server with its timeouts and connection cap.
// No WriteTimeout: a scrape may rightly take as long as Prometheus's own
// timeout, which the exporter does not know in advance.
func newServer(h http.Handler, l serverLimits, logger *slog.Logger) *http.Server {
	soft := nofileSoftLimit()
	maxConns := connCap(l.MaxConns, soft)
	if l.MaxConns > maxConns {
		logger.Warn("Connection cap lowered to keep file descriptors for checks", "requested", l.MaxConns, "cap", maxConns, "nofile", soft)
	}
	logger.Info("HTTP server limits", "max_connections", maxConns, "nofile", soft,
		"read_header_timeout", l.ReadHeaderTimeout, "read_timeout", l.ReadTimeout, "idle_timeout", l.IdleTimeout)
	g := newConnGuard(maxConns)
	return &http.Server{
		Handler:           g.handler(h),
		ReadHeaderTimeout: l.ReadHeaderTimeout,
		ReadTimeout:       l.ReadTimeout,
		IdleTimeout:       l.IdleTimeout,
		ConnContext:       g.connContext,
		ConnState:         g.connState,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelDebug),
	}
}
