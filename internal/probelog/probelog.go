// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

// Package probelog carries the step log of one /probe?debug=true request
// through a check's context, as blackbox_exporter's debug output does: a
// check (or a shared edge) logs its steps with From(ctx), and every
// resolution, dial, TLS handshake and HTTP hop made with the context is
// logged by the net/http/httptrace hooks With installs. Outside a debug
// probe From returns a logger that discards, so checks log steps freely.
package probelog

import (
	"context"
	"crypto/tls"
	"log/slog"
	"net"
	"net/http/httptrace"
	"strings"

	"github.com/miekg/dns"
)

type key struct{}

var discard = slog.New(slog.DiscardHandler)

// With returns ctx carrying logger for the probe's steps, with network
// tracing into it.
func With(ctx context.Context, logger *slog.Logger) context.Context {
	ctx = context.WithValue(ctx, key{}, logger)
	return httptrace.WithClientTrace(ctx, trace(logger))
}

// From returns the step logger of ctx (one that discards when there is
// none).
func From(ctx context.Context) *slog.Logger {
	if l, ok := ctx.Value(key{}).(*slog.Logger); ok {
		return l
	}
	return discard
}

// Enabled says whether ctx carries a step log, for steps whose
// attributes cost something to build.
func Enabled(ctx context.Context) bool {
	_, ok := ctx.Value(key{}).(*slog.Logger)
	return ok
}

func trace(l *slog.Logger) *httptrace.ClientTrace {
	return &httptrace.ClientTrace{
		GetConn: func(hostPort string) { l.Info("Connecting for an HTTP request", "host_port", hostPort) },
		DNSStart: func(i httptrace.DNSStartInfo) {
			l.Info("Resolving", "host", i.Host)
		},
		DNSDone: func(i httptrace.DNSDoneInfo) {
			if i.Err != nil {
				l.Info("Resolution failed", "err", i.Err)
				return
			}
			addrs := make([]string, 0, len(i.Addrs))
			for _, a := range i.Addrs {
				addrs = append(addrs, a.String())
			}
			l.Info("Resolved", "addresses", strings.Join(addrs, ","))
		},
		ConnectStart: func(network, addr string) { l.Info("Dialing", "network", network, "address", addr) },
		ConnectDone: func(network, addr string, err error) {
			if err != nil {
				l.Info("Dial failed", "network", network, "address", addr, "err", err)
				return
			}
			l.Info("Connected", "network", network, "address", addr)
		},
		GotConn: func(i httptrace.GotConnInfo) {
			l.Info("Using connection", "local", addrString(i.Conn.LocalAddr()), "remote", addrString(i.Conn.RemoteAddr()), "reused", i.Reused)
		},
		TLSHandshakeStart: func() { l.Info("TLS handshake") },
		TLSHandshakeDone:  func(s tls.ConnectionState, err error) { TLSDone(l, s, err) },
		WroteRequest: func(i httptrace.WroteRequestInfo) {
			if i.Err != nil {
				l.Info("Writing the request failed", "err", i.Err)
			}
		},
		GotFirstResponseByte: func() { l.Info("Response started") },
	}
}

// TLSDone logs the outcome of a TLS handshake: version, cipher suite and
// the certificates the server sent.
func TLSDone(l *slog.Logger, s tls.ConnectionState, err error) {
	if err != nil {
		l.Info("TLS handshake failed", "err", err)
		return
	}
	var chain []string
	for _, c := range s.PeerCertificates {
		chain = append(chain, c.Subject.String()+" (issuer "+c.Issuer.String()+", expires "+c.NotAfter.UTC().Format("2006-01-02T15:04:05Z")+")")
	}
	l.Info("TLS handshake done", "version", tls.VersionName(s.Version), "cipher_suite", tls.CipherSuiteName(s.CipherSuite),
		"server_name", s.ServerName, "alpn", s.NegotiatedProtocol, "chain", strings.Join(chain, " | "))
}

func addrString(a net.Addr) string {
	if a == nil {
		return ""
	}
	return a.String()
}

// DNSAnswer logs one DNS exchange with one server: the question, and the
// answer's code and records, or the error.
func DNSAnswer(ctx context.Context, server, name string, qtype uint16, r *dns.Msg, err error) {
	if !Enabled(ctx) {
		return
	}
	l := From(ctx)
	if err != nil {
		l.Info("DNS query failed", "server", server, "name", name, "type", dns.TypeToString[qtype], "err", err)
		return
	}
	answers := make([]string, 0, len(r.Answer))
	for _, rr := range r.Answer {
		answers = append(answers, strings.ReplaceAll(rr.String(), "\t", " "))
	}
	l.Info("DNS answer", "server", server, "name", name, "type", dns.TypeToString[qtype], "rcode", dns.RcodeToString[r.Rcode],
		"authoritative", r.Authoritative, "answers", strings.Join(answers, " | "))
}
