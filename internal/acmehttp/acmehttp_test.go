// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package acmehttp

import (
	"encoding/hex"
	"math/big"
	"testing"
	"time"

	"github.com/acme-exporter/acme_exporter/internal/failure"
)

func TestCertIDRFC9773Example(t *testing.T) {
	aki, _ := hex.DecodeString("69885B6B87464041E1B37B847BA0AE2CDE01C8D4")
	serial, _ := new(big.Int).SetString("0087654321", 16)
	id, err := CertID(aki, serial)
	if err != nil {
		t.Fatal(err)
	}
	if want := "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE"; id != want {
		t.Errorf("CertID = %s, want %s", id, want)
	}
	if _, err := CertID(nil, serial); err == nil {
		t.Error("no AKI accepted")
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"21600", 6 * time.Hour, true},
		{"10", time.Minute, true},              // clamped up
		{"999999999999", 24 * time.Hour, true}, // clamped down
		{"Thu, 15 Jan 2026 14:00:00 GMT", 2 * time.Hour, true},
		{"Thu, 15 Jan 2026 11:00:00 GMT", time.Minute, true}, // in the past
		{"", RetryAfterLongTerm, false},
		{"soon", RetryAfterLongTerm, false},
		{"-5", RetryAfterLongTerm, false},
	} {
		got, ok := ParseRetryAfter(tc.in, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ParseRetryAfter(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestParseRenewalInfo(t *testing.T) {
	for _, tc := range []struct{ in, reason string }{
		{`{"suggestedWindow":{"start":"2026-01-01T00:00:00Z","end":"2026-01-02T00:00:00Z"}}`, ""},
		{`{"suggestedWindow":{"start":"2026-01-02T00:00:00Z","end":"2026-01-01T00:00:00Z"}}`, "invalid_window"},
		{`{"suggestedWindow":{"start":"2026-01-01T00:00:00Z"}}`, "invalid_window"},
		{`{"suggestedWindow":{"start":"2026-01-01T00:00:00Z","end":"2026-01-02T00:00:00Z"},"explanationURL":"javascript:x"}`, "invalid_window"},
		{`not json`, "bad_json"},
	} {
		_, err := ParseRenewalInfo([]byte(tc.in))
		if got := ""; err != nil {
			got = failure.ReasonOf(err)
			if got != tc.reason {
				t.Errorf("%s: reason %q, want %q", tc.in, got, tc.reason)
			}
		} else if tc.reason != "" {
			t.Errorf("%s: accepted, want %s", tc.in, tc.reason)
		}
	}
}

func TestParseDirectory(t *testing.T) {
	ok := `{"newNonce":"https://a/n","newAccount":"https://a/a","newOrder":"https://a/o","revokeCert":"https://a/r","keyChange":"https://a/k","renewalInfo":"https://a/ri","meta":{"termsOfService":"https://a/tos","caaIdentities":["a"],"profiles":{"classic":"x"}}}`
	d, err := ParseDirectory([]byte(ok))
	if err != nil || d.RenewalInfo != "https://a/ri" || d.Meta.Profiles["classic"] != "x" {
		t.Fatalf("%+v %v", d, err)
	}
	for in, reason := range map[string]string{
		`{}`: "missing_field",
		`[`:  "bad_json",
		`{"newNonce":"/n","newAccount":"https://a/a","newOrder":"https://a/o","revokeCert":"https://a/r","keyChange":"https://a/k"}`: "invalid_field",
	} {
		if _, err := ParseDirectory([]byte(in)); failure.ReasonOf(err) != reason {
			t.Errorf("%s: %v, want %s", in, err, reason)
		}
	}
}

func FuzzParseDirectory(f *testing.F) {
	f.Add([]byte(`{"newNonce":"https://a/n","newAccount":"https://a/a","newOrder":"https://a/o","revokeCert":"https://a/r","keyChange":"https://a/k"}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := ParseDirectory(b)
		if err == nil && d.NewNonce == "" {
			t.Fatal("accepted a directory without newNonce")
		}
	})
}

func FuzzParseRenewalInfo(f *testing.F) {
	f.Add([]byte(`{"suggestedWindow":{"start":"2026-01-01T00:00:00Z","end":"2026-01-02T00:00:00Z"},"explanationURL":"https://x/y"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ri, err := ParseRenewalInfo(b)
		if err == nil && !ri.End.After(ri.Start) {
			t.Fatal("accepted an empty window")
		}
	})
}

func FuzzParseRetryAfter(f *testing.F) {
	f.Add("21600")
	f.Add("Thu, 15 Jan 2026 14:00:00 GMT")
	f.Fuzz(func(t *testing.T, s string) {
		d, _ := ParseRetryAfter(s, time.Unix(1768478400, 0))
		if d < RetryAfterMin || d > RetryAfterMax {
			t.Fatalf("%q → %v outside the clamp", s, d)
		}
	})
}
