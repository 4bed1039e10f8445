// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package acmelog

import (
	"bufio"
	"bytes"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// key renders an event for comparison: problem[/limit][+secondary].
func key(e Event) string {
	k := e.Problem
	if e.Limit != "" {
		k += "/" + e.Limit
	}
	if e.Secondary {
		k += "+secondary"
	}
	return k
}

func parseFile(t testing.TB, path, format string) map[string]int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return parse(b, format)
}

func parse(b []byte, format string) map[string]int {
	got := map[string]int{}
	emit := func(e Event) { got[key(e)]++ }
	p := NewParser(format)
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		p.Line(sc.Bytes(), emit)
	}
	p.Flush(emit)
	return got
}

// The real fixtures come from scripts/regen-logs.sh (certbot 2.1.0 and
// lego 4.9.1 against Pebble v2.10.3); synthetic-* are hand-written from
// Boulder's detail formats for what Pebble cannot return (rate limits,
// pausing, secondary validation, dns, caa, tls) and from Caddy's log shape.
func TestFixtures(t *testing.T) {
	for file, want := range map[string]map[string]int{
		"certbot-issue.log":                  {},
		"certbot-renew-forced.log":           {},
		"certbot-connection-refused.log":     {"connection": 1},
		"certbot-unauthorized.log":           {"unauthorized": 1},
		"certbot-unresolvable.log":           {"connection": 1},
		"certbot-account-does-not-exist.log": {"accountDoesNotExist": 1},
		"certbot-badnonce.log":               {"badNonce": 2},
		"lego-issue.log":                     {},
		"lego-renew-forced.log":              {},
		"lego-connection-refused.log":        {"connection": 1},
		"lego-unauthorized.log":              {"unauthorized": 1},
		"lego-unresolvable.log":              {"connection": 1},
		"lego-account-does-not-exist.log":    {"accountDoesNotExist": 1},
		"lego-badnonce.log":                  {"badNonce": 11},
		"synthetic-certbot.log": {
			"rateLimited/duplicate_certificates":             1,
			"rateLimited/paused_identifier":                  1,
			"rateLimited/certificates_per_registered_domain": 1,
			"dns+secondary": 1, "caa": 1, "tls": 1, "other": 1,
		},
		"synthetic-lego.log": {
			"rateLimited/new_orders_per_account": 1, "rateLimited/failed_validations": 1,
			"unauthorized+secondary": 1, "dns": 1,
		},
		"synthetic-caddy.log": {"connection": 1, "rateLimited/paused_identifier": 1},
	} {
		format := strings.SplitN(file, "-", 2)[0]
		if format == "synthetic" {
			format = strings.TrimSuffix(strings.SplitN(file, "-", 2)[1], ".log")
		}
		if format == "caddy" {
			format = CaddyJSON
		}
		for _, f := range []string{format, Auto} {
			t.Run(file+"/"+f, func(t *testing.T) {
				got := parseFile(t, filepath.Join("testdata", file), f)
				if !maps.Equal(got, want) {
					t.Errorf("got %v, want %v", got, want)
				}
			})
		}
	}
}

// A format given explicitly ignores the other clients' shapes.
func TestFormatsDoNotMix(t *testing.T) {
	lego := []byte("[a] acme: error: 400 :: urn:ietf:params:acme:error:dns :: x\n")
	certbot := []byte(`  "type": "urn:ietf:params:acme:error:dns",` + "\n")
	caddy := []byte(`{"msg":"challenge failed","problem":{"type":"urn:ietf:params:acme:error:dns"}}` + "\n")
	for name, tc := range map[string]struct {
		in     []byte
		format string
		want   int
	}{
		"lego as certbot":  {lego, Certbot, 0},
		"certbot as lego":  {certbot, Lego, 0},
		"caddy as lego":    {caddy, Lego, 0},
		"caddy as certbot": {caddy, Certbot, 0},
		"lego as caddy":    {lego, CaddyJSON, 0},
		"lego auto":        {lego, Auto, 1},
		"certbot auto":     {certbot, Auto, 1},
		"caddy auto":       {caddy, Auto, 1},
	} {
		t.Run(name, func(t *testing.T) {
			if got := parse(tc.in, tc.format)["dns"]; got != tc.want {
				t.Errorf("got %d, want %d", got, tc.want)
			}
		})
	}
}

// An event whose detail never comes is still counted, once.
func TestPendingFlushedOnce(t *testing.T) {
	in := `"type": "urn:ietf:params:acme:error:rateLimited",` + strings.Repeat("\nnoise", 10) +
		"\n" + `"detail": "too many new orders (300) from this account"`
	if got := parse([]byte(in), Auto); !maps.Equal(got, map[string]int{"rateLimited/unknown": 1}) {
		t.Fatalf("got %v", got)
	}
}

func TestProblemsSorted(t *testing.T) {
	if !slices.IsSorted(Problems) {
		t.Fatal("Problems must stay sorted (documentation order)")
	}
}

// FuzzParser: any input, any format, no panic; every event carries a
// bounded label value.
func FuzzParser(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.log")
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err == nil && len(b) < 64<<10 {
			f.Add(b, uint8(0))
		}
	}
	f.Add([]byte(`{"msg":"could not get certificate from issuer","error":"urn:ietf:params:acme:error:`), uint8(3))
	formats := []string{Auto, Certbot, Lego, CaddyJSON}
	f.Fuzz(func(t *testing.T, b []byte, fi uint8) {
		if len(b) > 1<<20 {
			return
		}
		p := NewParser(formats[int(fi)%len(formats)])
		emit := func(e Event) {
			if e.Problem != Other && !slices.Contains(Problems, e.Problem) {
				t.Fatalf("unbounded problem %q", e.Problem)
			}
			if (e.Limit != "") != (e.Problem == "rateLimited") {
				t.Fatalf("limit %q on %q", e.Limit, e.Problem)
			}
		}
		for _, l := range bytes.Split(b, []byte("\n")) {
			p.Line(l, emit)
		}
		p.Flush(emit)
	})
}
