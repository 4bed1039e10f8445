// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

// Package acmelog finds ACME problem documents (RFC 8555 §6.7,
// urn:ietf:params:acme:error:*) in the logs of ACME clients: certbot's
// letsencrypt.log (which records every response body), lego's output and
// Caddy's JSON logs. It counts each problem the CA returned once, not each
// time a client repeats it in a traceback or summary.
package acmelog

import (
	"bytes"
	"encoding/json"
	"strings"
)

// Formats.
const (
	Auto      = "auto"
	Certbot   = "certbot"
	Lego      = "lego"
	CaddyJSON = "caddy-json"
)

// Prefix of every ACME problem type.
const Prefix = "urn:ietf:params:acme:error:"

// Problems are the problem types kept as label values (RFC 8555 §6.7,
// RFC 9773, the profiles draft); any other type is reported as Other.
var Problems = []string{
	"accountDoesNotExist", "alreadyReplaced", "alreadyRevoked", "badCSR", "badNonce", "badPublicKey",
	"badRevocationReason", "badSignatureAlgorithm", "caa", "compound", "connection", "dns",
	"externalAccountRequired", "incorrectResponse", "invalidContact", "invalidProfile", "malformed",
	"orderNotReady", "rateLimited", "rejectedIdentifier", "serverInternal", "tls", "unauthorized",
	"unsupportedContact", "unsupportedIdentifier", "userActionRequired",
}

// Other is the problem label of unknown types.
const Other = "other"

// Limits name what a rateLimited problem says was exceeded (the limit
// label values of acme_rate_limit, plus new_registrations,
// paused_identifier and unknown).
const (
	LimitPerDomain        = "certificates_per_registered_domain"
	LimitDuplicate        = "duplicate_certificates"
	LimitNewOrders        = "new_orders_per_account"
	LimitFailedValidation = "failed_validations"
	LimitRegistrations    = "new_registrations"
	LimitPaused           = "paused_identifier"
	LimitUnknown          = "unknown"
)

var known = func() map[string]bool {
	m := map[string]bool{}
	for _, p := range Problems {
		m[p] = true
	}
	return m
}()

// Event is one problem the CA returned.
type Event struct {
	Problem string // a value of Problems, or Other
	// Secondary: the detail says "During secondary validation": a remote
	// vantage point of the CA failed where the primary may have succeeded.
	Secondary bool
	// Limit is set for rateLimited problems (one of the Limit* values).
	Limit string
}

// detailWindow: a certbot body's "detail" member follows its "type"
// within a few lines.
const detailWindow = 6

// recentWindow: Caddy repeats a validation problem in the error of the
// failed obtain within this many lines.
const recentWindow = 10

// Parser reads one log line by line. It is not safe for concurrent use.
type Parser struct {
	format  string
	pending *Event
	age     int
	line    int
	recent  map[string]int // caddy: problem -> line it was counted on
}

// NewParser returns a parser for format (Auto for any mix).
func NewParser(format string) *Parser {
	switch format {
	case Certbot, Lego, CaddyJSON:
	default:
		format = Auto
	}
	return &Parser{format: format, recent: map[string]int{}}
}

// Line processes one line (without its newline); events are passed to emit
// once complete, possibly on a later call or on Flush.
func (p *Parser) Line(line []byte, emit func(Event)) {
	p.line++
	if p.pending != nil {
		p.age++
		if i := bytes.Index(line, []byte(`"detail"`)); i >= 0 && !bytes.Contains(line, []byte(Prefix)) {
			refine(p.pending, string(line[i:]))
			p.Flush(emit)
			return
		}
		if p.age >= detailWindow {
			p.Flush(emit)
		}
	}
	if !bytes.Contains(line, []byte(Prefix)) {
		return
	}
	trimmed := bytes.TrimSpace(line)
	if (p.format == Auto || p.format == CaddyJSON) && len(trimmed) > 0 && trimmed[0] == '{' && trimmed[len(trimmed)-1] == '}' {
		if p.caddy(trimmed, emit) || p.format == CaddyJSON {
			return
		}
	}
	s := string(line)
	if p.format == Auto || p.format == Certbot {
		// certbot logs each response body pretty-printed: `"type": "urn:...",`.
		if i := strings.Index(s, `"type": "`+Prefix); i >= 0 {
			p.Flush(emit)
			ev := newEvent(s[i+len(`"type": "`)+len(Prefix):])
			p.pending, p.age = &ev, 0
			return
		}
	}
	if p.format == Auto || p.format == Lego {
		// lego: `acme: error: 400 :: [POST :: url ::] urn:...:type :: detail`.
		if i := strings.Index(s, ":: "+Prefix); i >= 0 {
			p.Flush(emit)
			rest := s[i+3+len(Prefix):]
			ev := newEvent(rest)
			if j := strings.Index(rest, " :: "); j >= 0 {
				refine(&ev, rest[j+4:])
			}
			emit(ev)
		}
	}
}

// Flush emits an event still waiting for its detail.
func (p *Parser) Flush(emit func(Event)) {
	if p.pending != nil {
		emit(*p.pending)
		p.pending = nil
	}
}

// caddyLine is the part of a Caddy (zap JSON) log entry that matters.
type caddyLine struct {
	Msg     string `json:"msg"`
	Error   string `json:"error"`
	Problem *struct {
		Type   string `json:"type"`
		Detail string `json:"detail"`
	} `json:"problem"`
}

// caddy handles one JSON log entry; false when it is not one.
func (p *Parser) caddy(line []byte, emit func(Event)) bool {
	var c caddyLine
	if err := json.Unmarshal(line, &c); err != nil {
		return false
	}
	p.Flush(emit)
	switch {
	case c.Msg == "challenge failed" && c.Problem != nil && strings.HasPrefix(c.Problem.Type, Prefix):
		ev := newEvent(c.Problem.Type[len(Prefix):])
		refine(&ev, c.Problem.Detail)
		p.recent[ev.Problem] = p.line
		emit(ev)
	case c.Msg == "could not get certificate from issuer":
		i := strings.Index(c.Error, Prefix)
		if i < 0 {
			return true
		}
		ev := newEvent(c.Error[i+len(Prefix):])
		refine(&ev, c.Error[i:])
		if l, ok := p.recent[ev.Problem]; ok && p.line-l <= recentWindow {
			return true // the challenge failure counted just before
		}
		emit(ev)
	}
	return true
}

// newEvent reads the problem type at the start of s.
func newEvent(s string) Event {
	n := 0
	for n < len(s) && n < 40 && isAlnum(s[n]) {
		n++
	}
	ev := Event{Problem: s[:n]}
	if !known[ev.Problem] {
		ev.Problem = Other
	}
	if ev.Problem == "rateLimited" {
		ev.Limit = LimitUnknown
	}
	return ev
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// refine reads what the detail text says (Boulder's wording, see
// docs/checks/clientlog.md).
func refine(ev *Event, detail string) {
	if strings.Contains(detail, "During secondary validation") {
		ev.Secondary = true
	}
	if ev.Problem != "rateLimited" {
		return
	}
	switch {
	case strings.Contains(detail, "temporarily prevented from requesting certificates"),
		strings.Contains(detail, "Please visit"):
		ev.Limit = LimitPaused
	case strings.Contains(detail, "too many new registrations"):
		ev.Limit = LimitRegistrations
	case strings.Contains(detail, "too many new orders"):
		ev.Limit = LimitNewOrders
	case strings.Contains(detail, "too many failed authorizations"):
		ev.Limit = LimitFailedValidation
	case strings.Contains(detail, "for this exact set of identifiers"):
		ev.Limit = LimitDuplicate
	case strings.Contains(detail, "too many certificates"):
		ev.Limit = LimitPerDomain
	}
}
