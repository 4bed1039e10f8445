// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

// Package dnsclient asks DNS servers directly, never through the host's
// resolver: single queries with bounded answers and reasons for failures,
// zone and delegation walking for authoritative checks, and address
// lookups for targets dialled through a /probe policy.
package dnsclient

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/miekg/dns"

	"github.com/acme-exporter/acme_exporter/internal/failure"
	"github.com/acme-exporter/acme_exporter/internal/guard"
	"github.com/acme-exporter/acme_exporter/internal/probelog"
)

// DNS answer limits: a UDP datagram and a TCP message are at most 64 KiB by
// protocol; answers with more records than any sane zone holds at one name
// are refused rather than processed.
const (
	MaxMessage    = 65535
	dnsMaxRecords = 512
	dnsUDPSize    = 1232 // EDNS0 buffer size (DNS flag day 2020)
)

// udpBufs holds 64 KiB read buffers: a datagram may be that large even
// though EDNS0 asks for less, and a short buffer would cut it silently.
var udpBufs = sync.Pool{New: func() any { b := make([]byte, MaxMessage); return &b }}

// Fail is a failed query with a bounded reason (timeout, refused,
// servfail, nxdomain, malformed, ...).
func Fail(reason string, format string, args ...any) error {
	return failure.Errorf(reason, format, args...)
}

// Reason returns the bounded reason of a query error.
func Reason(err error) string {
	var de *failure.Error
	if errors.As(err, &de) {
		return de.Reason
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return "timeout"
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "timeout"
	}
	if errors.Is(err, syscall.ECONNREFUSED) {
		return "connection_refused"
	}
	if errors.Is(err, guard.ErrRefused) {
		return "refused_by_policy"
	}
	return "network_error"
}

// Client sends single questions to one server at a time.
type Client struct {
	Timeout time.Duration // per query (UDP and TCP attempt together)
	// Dialer dials nameservers; for /probe its Control enforces the
	// module's CIDR policy on every address.
	Dialer *net.Dialer
}

// Query is one question.
type Query struct {
	Name   string // any case, with or without trailing dot
	Qtype  uint16
	rd     bool // recursion desired: true for the resolver, false for authoritative servers
	Dnssec bool // set the DO bit to get RRSIGs
}

// Exchange asks server (ip:port) one question over UDP and retries over
// TCP when the answer is truncated. It returns the answer and the time
// the exchange took. Only answers whose ID and question match are
// accepted; anything else is ignored on UDP (spoofed or stray datagrams)
// and fails the query on TCP.
func (c *Client) Exchange(ctx context.Context, server string, q Query) (*dns.Msg, time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(q.Name), q.Qtype)
	m.RecursionDesired = q.rd
	m.SetEdns0(dnsUDPSize, q.Dnssec)
	start := time.Now()
	r, err := c.exchangeUDP(ctx, server, m)
	if err == nil && r.Truncated {
		r, err = c.exchangeTCP(ctx, server, m)
	}
	took := time.Since(start)
	if err != nil {
		if ctx.Err() != nil && Reason(err) == "network_error" {
			err = failure.New("timeout", err)
		}
		probelog.DNSAnswer(ctx, server, q.Name, q.Qtype, nil, err)
		return nil, took, err
	}
	probelog.DNSAnswer(ctx, server, q.Name, q.Qtype, r, nil)
	if err := CheckAnswerSize(r); err != nil {
		return nil, took, err
	}
	return r, took, nil
}

func (c *Client) exchangeUDP(ctx context.Context, server string, m *dns.Msg) (*dns.Msg, error) {
	packed, err := m.Pack()
	if err != nil {
		return nil, err
	}
	conn, err := c.Dialer.DialContext(ctx, "udp", server)
	if err != nil {
		return nil, err
	}
	defer func() { _ = conn.Close() }()
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Now()) })
	defer stop()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	if _, err := conn.Write(packed); err != nil {
		return nil, err
	}
	bp := udpBufs.Get().(*[]byte)
	defer udpBufs.Put(bp)
	buf := *bp
	var lastBad error
	for {
		n, err := conn.Read(buf)
		if err != nil {
			if lastBad != nil {
				return nil, lastBad
			}
			if ctx.Err() != nil {
				return nil, failure.Errorf("timeout", "no answer from %s within %s", server, c.Timeout)
			}
			return nil, err
		}
		// Parse a copy: the pooled buffer is reused once this returns.
		r, err := ParseAnswer(append([]byte(nil), buf[:n]...), m)
		var de *failure.Error
		if errors.As(err, &de) && (de.Reason == "wrong_id" || de.Reason == "mismatched_question") {
			// A stray or spoofed datagram: keep waiting for the real one
			// until the deadline, and report it if none comes.
			lastBad = err
			continue
		}
		return r, err
	}
}

func (c *Client) exchangeTCP(ctx context.Context, server string, m *dns.Msg) (*dns.Msg, error) {
	conn, err := c.Dialer.DialContext(ctx, "tcp", server)
	if err != nil {
		return nil, err
	}
	defer func() { _ = conn.Close() }()
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Now()) })
	defer stop()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	packed, err := m.Pack()
	if err != nil {
		return nil, err
	}
	out := make([]byte, 2+len(packed))
	out[0], out[1] = byte(len(packed)>>8), byte(len(packed))
	copy(out[2:], packed)
	if _, err := conn.Write(out); err != nil {
		return nil, err
	}
	var l [2]byte
	if _, err := io.ReadFull(conn, l[:]); err != nil {
		return nil, err
	}
	n := int(l[0])<<8 | int(l[1])
	buf := make([]byte, n)
	if _, err := io.ReadFull(io.LimitReader(conn, int64(n)), buf); err != nil {
		return nil, err
	}
	return ParseAnswer(buf, m)
}

// ParseAnswer unpacks a reply to q and checks that it is one: the same
// ID, the QR bit, the same single question. It never panics on any input.
func ParseAnswer(b []byte, q *dns.Msg) (*dns.Msg, error) {
	if len(b) > MaxMessage {
		return nil, Fail("oversized", "message of %d bytes", len(b))
	}
	if len(b) < 12 {
		return nil, Fail("malformed", "message of %d bytes is shorter than a header", len(b))
	}
	if id := uint16(b[0])<<8 | uint16(b[1]); id != q.Id {
		return nil, Fail("wrong_id", "answer ID %d, asked %d", id, q.Id)
	}
	r := new(dns.Msg)
	if err := r.Unpack(b); err != nil {
		return nil, Fail("malformed", "%v", err)
	}
	if !r.Response {
		return nil, Fail("malformed", "QR bit not set")
	}
	if len(r.Question) != 1 || len(q.Question) != 1 ||
		!strings.EqualFold(r.Question[0].Name, q.Question[0].Name) ||
		r.Question[0].Qtype != q.Question[0].Qtype || r.Question[0].Qclass != q.Question[0].Qclass {
		return nil, Fail("mismatched_question", "answer is not for %s", q.Question[0].Name)
	}
	return r, nil
}

func CheckAnswerSize(r *dns.Msg) error {
	if n := len(r.Answer) + len(r.Ns) + len(r.Extra); n > dnsMaxRecords {
		return Fail("oversized", "answer holds %d records (limit %d)", n, dnsMaxRecords)
	}
	return nil
}

// RcodeError turns a non-NOERROR answer into an error; NXDOMAIN is
// returned as such for callers that treat it as data.
func RcodeError(r *dns.Msg) error {
	switch r.Rcode {
	case dns.RcodeSuccess:
		return nil
	case dns.RcodeNameError:
		return Fail("nxdomain", "NXDOMAIN")
	case dns.RcodeRefused:
		return Fail("refused", "REFUSED")
	case dns.RcodeServerFailure:
		return Fail("servfail", "SERVFAIL")
	case dns.RcodeNotImplemented:
		return Fail("notimp", "NOTIMP")
	case dns.RcodeFormatError:
		return Fail("formerr", "FORMERR")
	}
	return Fail("bad_rcode", "rcode %s", dns.RcodeToString[r.Rcode])
}

// Canon lower-cases a name and makes it fully qualified.
func Canon(name string) string { return strings.ToLower(dns.Fqdn(name)) }

// Bare lower-cases a name and drops the trailing dot (for labels).
func Bare(name string) string { return strings.TrimSuffix(strings.ToLower(name), ".") }
