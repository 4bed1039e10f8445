// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

// Package httpclient builds every outbound HTTP connection the checks
// make (the ACME helper, CRL fetches, HTTP-01 fetches, the account
// registration lookup): trust roots, a pinned address, the /probe guard's
// dialer, a DNS server of the check's own, timeouts, the User-Agent, a
// body limit and Retry-After, each written once.
package httpclient

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// UserAgent is sent on every request (RFC 8555 §6.1 requires one of ACME
// clients; CAs and web servers see who asks).
const UserAgent = "acme_exporter (+https://github.com/acme-exporter/acme_exporter)"

// Options say how to reach a server.
type Options struct {
	// Roots verify the server's TLS certificate; nil is the system pool.
	Roots *x509.CertPool
	// InsecureSkipVerify accepts any certificate, as Let's Encrypt does for
	// the HTTPS redirects of an HTTP-01 validation. Nothing else sets it.
	InsecureSkipVerify bool
	// Dialer makes every connection (a /probe guard's Control goes here);
	// nil is a plain net.Dialer with DialTimeout.
	Dialer *net.Dialer
	// DialTimeout bounds a connect when Dialer is nil. Default 10 s.
	DialTimeout time.Duration
	// Address, when set, is the host:port dialled instead of the URL's
	// host (the name is kept for SNI and Host): for every connection, or
	// only for PinHost's when that is set.
	Address string
	PinHost string
	// Resolver, when set, is a DNS server ip:port that resolves the hosts
	// dialled, instead of the host's resolver.
	Resolver string
	// Dial, when set, makes every connection itself (HTTP-01 dials the
	// address it chose); the options above about dialling are then unused.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)

	// TLSHandshakeTimeout and ResponseHeaderTimeout bound those steps
	// (0: none beyond the request's context).
	TLSHandshakeTimeout   time.Duration
	ResponseHeaderTimeout time.Duration
	// KeepAlive keeps idle connections for a client used again and again;
	// without it every request has its own connection.
	KeepAlive bool
	// HTTP2 allows HTTP/2 over TLS.
	HTTP2 bool
	// MaxResponseHeaderBytes bounds the response headers (0: Go's default).
	MaxResponseHeaderBytes int64
	// DisableCompression asks for identity bodies, as a CA's validator does.
	DisableCompression bool
}

// Transport builds the transport o describes.
func Transport(o Options) *http.Transport {
	dial := o.Dial
	if dial == nil {
		dial = dialer(o)
	}
	tr := &http.Transport{
		DialContext:            dial,
		TLSClientConfig:        &tls.Config{RootCAs: o.Roots, MinVersion: tls.VersionTLS12, InsecureSkipVerify: o.InsecureSkipVerify}, //nolint:gosec // only HTTP-01, as the CA
		TLSHandshakeTimeout:    o.TLSHandshakeTimeout,
		ResponseHeaderTimeout:  o.ResponseHeaderTimeout,
		DisableKeepAlives:      !o.KeepAlive,
		DisableCompression:     o.DisableCompression,
		MaxResponseHeaderBytes: o.MaxResponseHeaderBytes,
		ForceAttemptHTTP2:      o.HTTP2,
	}
	if o.KeepAlive {
		tr.MaxIdleConns = 4
		tr.IdleConnTimeout = 30 * time.Second
	}
	return tr
}

// dialer dials through o's Dialer, its own resolver and pinned address.
func dialer(o Options) func(ctx context.Context, network, addr string) (net.Conn, error) {
	d := o.Dialer
	if d == nil {
		timeout := o.DialTimeout
		if timeout == 0 {
			timeout = 10 * time.Second
		}
		d = &net.Dialer{Timeout: timeout}
	}
	if o.Resolver != "" {
		dd, base, server := *d, *d, o.Resolver
		dd.Resolver = &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return base.DialContext(ctx, network, server)
		}}
		d = &dd
	}
	pin, target := strings.ToLower(o.PinHost), o.Address
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		if target != "" && (pin == "" || strings.EqualFold(addr, pin)) {
			addr = target
		}
		return d.DialContext(ctx, network, addr)
	}
}

// LimitBody caps every response body rt returns at max bytes: a reader
// gets EOF there, so a server cannot make the exporter read without end.
func LimitBody(rt http.RoundTripper, max int64) http.RoundTripper {
	return limitBody{rt, max}
}

type limitBody struct {
	rt  http.RoundTripper
	max int64
}

func (l limitBody) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := l.rt.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.LimitReader(resp.Body, l.max), resp.Body}
	return resp, nil
}

// RetryAfter reads a Retry-After value (delay-seconds or HTTP-date, RFC
// 9110 §10.2.3) as a delay from now; false when it is missing or invalid.
// Callers clamp it to what they can live with.
func RetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseUint(v, 10, 63); err == nil {
		const maxSeconds = uint64(1<<63-1) / uint64(time.Second)
		return time.Duration(min(n, maxSeconds)) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return t.Sub(now), true
	}
	return 0, false
}
