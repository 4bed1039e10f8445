// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package dns01

import (
	"context"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/acme-exporter/acme_exporter/config"
	"github.com/acme-exporter/acme_exporter/internal/dnsclient"
	"github.com/acme-exporter/acme_exporter/internal/guard"
)

// fakeUDP is an in-process fake nameserver for faults a real server
// cannot show: it answers each datagram with whatever reply returns
// (nil: no answer at all).
func fakeUDP(t *testing.T, reply func(q *dns.Msg, raw []byte) [][]byte) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pc.Close() })
	go func() {
		buf := make([]byte, 65535)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			q := new(dns.Msg)
			if q.Unpack(buf[:n]) != nil {
				continue
			}
			for _, b := range reply(q, buf[:n]) {
				_, _ = pc.WriteTo(b, from)
			}
		}
	}()
	return pc.LocalAddr().String()
}

// fakeTCP is an in-process miekg/dns fake serving TCP on addr's port.
func fakeTCP(t *testing.T, addr string, h dns.HandlerFunc) {
	t.Helper()
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	srv := &dns.Server{Listener: l, Handler: h}
	go func() { _ = srv.ActivateAndServe() }()
	t.Cleanup(func() { _ = srv.Shutdown() })
}

func txtAnswer(q *dns.Msg, n int) *dns.Msg {
	r := new(dns.Msg)
	r.SetReply(q)
	r.Authoritative = true
	for i := 0; i < n; i++ {
		r.Answer = append(r.Answer, &dns.TXT{Hdr: dns.RR_Header{Name: q.Question[0].Name, Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 60},
			Txt: []string{strings.Repeat("x", 40) + strconv.Itoa(i)}})
	}
	return r
}

func pack(t *testing.T, m *dns.Msg) []byte {
	b, err := m.Pack()
	if err != nil {
		t.Error(err)
	}
	return b
}

func TestDNSExchangeFakes(t *testing.T) {
	cases := map[string]struct {
		reply      func(t *testing.T) func(q *dns.Msg, raw []byte) [][]byte
		tcp        dns.HandlerFunc
		wantReason string // "" means success
		wantTXT    int
	}{
		"fake: plain answer": {
			reply: func(t *testing.T) func(*dns.Msg, []byte) [][]byte {
				return func(q *dns.Msg, _ []byte) [][]byte { return [][]byte{pack(t, txtAnswer(q, 1))} }
			},
			wantTXT: 1,
		},
		"fake: never answers": {
			reply: func(*testing.T) func(*dns.Msg, []byte) [][]byte {
				return func(*dns.Msg, []byte) [][]byte { return nil }
			},
			wantReason: "timeout",
		},
		"fake: garbage": {
			reply: func(*testing.T) func(*dns.Msg, []byte) [][]byte {
				return func(_ *dns.Msg, raw []byte) [][]byte {
					g := append([]byte{raw[0], raw[1], 0x81, 0x80, 0, 1, 0, 5}, []byte("garbage garbage garbage")...)
					return [][]byte{g}
				}
			},
			wantReason: "malformed",
		},
		"fake: wrong ID only": {
			reply: func(t *testing.T) func(*dns.Msg, []byte) [][]byte {
				return func(q *dns.Msg, _ []byte) [][]byte {
					r := txtAnswer(q, 1)
					r.Id = q.Id + 1
					return [][]byte{pack(t, r)}
				}
			},
			wantReason: "wrong_id",
		},
		"fake: wrong ID, then the real answer": {
			reply: func(t *testing.T) func(*dns.Msg, []byte) [][]byte {
				return func(q *dns.Msg, _ []byte) [][]byte {
					bad := txtAnswer(q, 3)
					bad.Id = q.Id ^ 0xffff
					return [][]byte{pack(t, bad), pack(t, txtAnswer(q, 1))}
				}
			},
			wantTXT: 1,
		},
		"fake: mismatched question": {
			reply: func(t *testing.T) func(*dns.Msg, []byte) [][]byte {
				return func(q *dns.Msg, _ []byte) [][]byte {
					r := txtAnswer(q, 1)
					r.Question[0].Name = "evil.test."
					return [][]byte{pack(t, r)}
				}
			},
			wantReason: "mismatched_question",
		},
		"fake: not a response": {
			reply: func(t *testing.T) func(*dns.Msg, []byte) [][]byte {
				return func(q *dns.Msg, _ []byte) [][]byte {
					r := txtAnswer(q, 1)
					r.Response = false
					return [][]byte{pack(t, r)}
				}
			},
			wantReason: "malformed",
		},
		"fake: truncated over UDP, full over TCP": {
			reply: func(t *testing.T) func(*dns.Msg, []byte) [][]byte {
				return func(q *dns.Msg, _ []byte) [][]byte {
					r := new(dns.Msg)
					r.SetReply(q)
					r.Truncated = true
					return [][]byte{pack(t, r)}
				}
			},
			tcp: func(w dns.ResponseWriter, q *dns.Msg) {
				_ = w.WriteMsg(txtAnswer(q, 100))
			},
			wantTXT: 100,
		},
		"fake: huge answer over TCP": {
			reply: func(t *testing.T) func(*dns.Msg, []byte) [][]byte {
				return func(q *dns.Msg, _ []byte) [][]byte {
					r := new(dns.Msg)
					r.SetReply(q)
					r.Truncated = true
					return [][]byte{pack(t, r)}
				}
			},
			tcp: func(w dns.ResponseWriter, q *dns.Msg) {
				r := txtAnswer(q, 1000)
				r.Compress = true
				_ = w.WriteMsg(r)
			},
			wantReason: "oversized",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			addr := fakeUDP(t, tc.reply(t))
			if tc.tcp != nil {
				fakeTCP(t, addr, tc.tcp)
			}
			c := &dnsclient.Client{Timeout: 300 * time.Millisecond, Dialer: &net.Dialer{}}
			m, _, err := c.Exchange(context.Background(), addr, dnsclient.Query{Name: "_acme-challenge.example.test", Qtype: dns.TypeTXT})
			if tc.wantReason != "" {
				if err == nil || dnsclient.Reason(err) != tc.wantReason {
					t.Fatalf("got %v (reason %q), want reason %q", err, reasonOrEmpty(err), tc.wantReason)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if vals, _ := txtValues(m.Answer, "_acme-challenge.example.test."); len(vals) != tc.wantTXT {
				t.Fatalf("got %d TXT values, want %d", len(vals), tc.wantTXT)
			}
		})
	}
}

func reasonOrEmpty(err error) string {
	if err == nil {
		return ""
	}
	return dnsclient.Reason(err)
}

// The /probe guard refuses a nameserver address outside allow_cidrs
// inside the dialer, before any packet leaves.
func TestDNSExchangeGuard(t *testing.T) {
	addr := fakeUDP(t, func(q *dns.Msg, _ []byte) [][]byte { return [][]byte{pack(t, txtAnswer(q, 1))} })
	p := guard.FromModule(&config.Module{Names: []string{"*.test"}, AllowCIDRs: []string{"192.0.2.0/24"}})
	c := &dnsclient.Client{Timeout: 300 * time.Millisecond, Dialer: p.Dialer(net.Dialer{})}
	_, _, err := c.Exchange(context.Background(), addr, dnsclient.Query{Name: "x.test", Qtype: dns.TypeTXT})
	if dnsclient.Reason(err) != "refused_by_policy" {
		t.Fatalf("got %v, want refused_by_policy", err)
	}
	p = guard.FromModule(&config.Module{Names: []string{"*.test"}, AllowCIDRs: []string{"127.0.0.0/8"}})
	c.Dialer = p.Dialer(net.Dialer{})
	if _, _, err := c.Exchange(context.Background(), addr, dnsclient.Query{Name: "x.test", Qtype: dns.TypeTXT}); err != nil {
		t.Fatal(err)
	}
}
