// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package httpclient

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"120", 2 * time.Minute, true},
		{" 0 ", 0, true},
		{"Tue, 01 Dec 2026 01:00:00 GMT", time.Hour, true},
		{"Mon, 30 Nov 2026 23:00:00 GMT", -time.Hour, true},                        // callers decide about the past
		{"100000000000", time.Duration(1<<63-1) / time.Second * time.Second, true}, // no overflow
		{"99999999999999999999", 0, false},
		{"", 0, false},
		{"-5", 0, false},
		{"soon", 0, false},
	}
	for _, tc := range cases {
		got, ok := RetryAfter(tc.in, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("RetryAfter(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// A pinned address is dialled for a name no resolver knows, and the body
// a server sends is cut at the limit.
func TestTransportPinsAndLimits(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Host != "acme.example.test:443" {
			http.Error(w, "host "+r.Host, http.StatusBadRequest)
			return
		}
		_, _ = io.WriteString(w, strings.Repeat("x", 100))
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	for _, pin := range []string{"", "acme.example.test:443"} {
		tr := Transport(Options{Address: addr, PinHost: pin})
		cl := &http.Client{Transport: LimitBody(tr, 10)}
		resp, err := cl.Get("http://acme.example.test:443/")
		if err != nil {
			t.Fatalf("pin %q: %v", pin, err)
		}
		b, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK || len(b) != 10 {
			t.Fatalf("pin %q: status %d, %d bytes, %v; want 200 and 10 bytes", pin, resp.StatusCode, len(b), err)
		}
		tr.CloseIdleConnections()
	}
}
