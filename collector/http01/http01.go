// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

// Package http01 checks that HTTP-01 challenges can succeed: the port is
// served locally, and each name answers on /.well-known/acme-challenge/
// through every redirect a CA would follow.
package http01

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode"

	"github.com/miekg/dns"

	"github.com/acme-exporter/acme_exporter/config"
	"github.com/acme-exporter/acme_exporter/internal/dnsclient"
	"github.com/acme-exporter/acme_exporter/internal/guard"
	"github.com/acme-exporter/acme_exporter/internal/httpclient"
	"github.com/acme-exporter/acme_exporter/internal/listeners"
	"github.com/acme-exporter/acme_exporter/internal/probelog"
	"github.com/acme-exporter/acme_exporter/scrape"
)

const http01Check = "http01"

var (
	http01ReachableDesc = scrape.Desc(http01Check, "acme_http01_reachable",
		"1 when GET http://<domain>/.well-known/acme-challenge/<token> answered as the CA needs (the canary as the CA compares a key authorization: under 128 bytes, trailing whitespace ignored; or 404 for a random token), following redirects as Let's Encrypt does; ip_family is ipv4, ipv6, or ca (IPv6 first, IPv4 only after a dial error).",
		"domain", "ip_family")
	http01StatusDesc = scrape.Desc(http01Check, "acme_http01_status_code",
		"HTTP status of the last response in the redirect chain; absent when no response came.",
		"domain", "ip_family")
	http01RedirectsDesc = scrape.Desc(http01Check, "acme_http01_redirects",
		"Redirects followed (Let's Encrypt follows at most 10, to ports 80 and 443, http and https only).",
		"domain", "ip_family")
	http01FailureDesc = scrape.Desc(http01Check, "acme_http01_failure_info",
		"1 while the challenge path fails for this family, with a bounded reason; ip_family local is the standalone port check; absent otherwise.",
		"domain", "ip_family", "reason")
	http01CanaryDesc = scrape.Desc(http01Check, "acme_http01_canary",
		"1 when the verdict compared a canary file byte for byte; 0 when a random token was fetched and 404 accepted (weaker: a catch-all 404 looks the same as the webroot's).",
		"domain")
	http01StandaloneDesc = scrape.Desc(http01Check, "acme_http01_standalone_port_available",
		"Standalone mode: 1 when the port the client binds while renewing is free or held by an ACME client; 0 when another process holds it or the holder cannot be seen.",
		"domain", "port")
)

// Limits taken from Let's Encrypt's validator (Boulder's HTTP-01 fetch).
// Boulder reads at most http01MaxBody bytes of a challenge response and
// fails when it got that many, so a body of 128 bytes or more never passes.
const (
	http01MaxRedirects = 10
	http01MaxBody      = 128
	http01MaxPath      = 2000
	http01DialTimeout  = 10 * time.Second
	maxCanaryFile      = 4096
)

func init() {
	scrape.Register(http01Check, true, func(l *slog.Logger) scrape.Collector { return &http01Collector{logger: l} })
}

type http01Collector struct{ logger *slog.Logger }

type http01Spec struct {
	domain, mode  string
	pinned        netip.Addr
	resolver      string
	canary        string
	canaryFile    string
	canaryContent []byte
	clients       []string
	port, tlsPort int
	procRoot      string
	timeout       time.Duration
	minIvl        time.Duration
	policy        *guard.Policy
}

func specFromHTTP01(h config.HTTP01, procRoot string) http01Spec {
	s := http01Spec{
		domain: h.Domain, mode: h.Mode, resolver: h.Resolver, canary: h.Canary,
		canaryFile: h.CanaryFile, clients: h.Clients, port: h.Port, tlsPort: h.HTTPSPort,
		procRoot: procRoot, timeout: h.Timeout.D(), minIvl: h.MinInterval.D(),
	}
	if h.CanaryContent != "" {
		s.canaryContent = []byte(h.CanaryContent)
	}
	if h.Address != "" {
		s.pinned, _ = netip.ParseAddr(h.Address)
	}
	return s.withDefaults()
}

func (s http01Spec) withDefaults() http01Spec {
	if s.port == 0 {
		s.port = 80
	}
	if s.tlsPort == 0 {
		s.tlsPort = 443
	}
	if s.mode == "" {
		s.mode = "webroot"
	}
	if s.procRoot == "" {
		s.procRoot = "/proc"
	}
	if len(s.clients) == 0 {
		s.clients = config.DefaultStandaloneClients
	}
	if s.timeout == 0 {
		s.timeout = config.DefaultHTTP01Timeout
	}
	return s
}

func (c *http01Collector) Targets(env *scrape.Env) ([]scrape.Target, error) {
	seen := map[string]bool{}
	var ts []scrape.Target
	root := env.Config.Ports.ProcRoot
	for _, h := range env.Config.HTTP01 {
		if seen[h.Domain] {
			continue
		}
		seen[h.Domain] = true
		ts = append(ts, c.target(env, specFromHTTP01(h, root)))
	}
	// Domains discovery found (certbot renewal confs, ...) that the
	// config does not list.
	for _, d := range env.Discovered.Domains {
		name := strings.TrimSuffix(strings.ToLower(d.Name), ".")
		if seen[name] || strings.HasPrefix(name, "*.") || config.CheckDomain(name) != nil {
			continue
		}
		mode := ""
		switch d.Mode {
		case "webroot", "standalone":
			mode = d.Mode
		case "nginx", "apache":
			mode = "proxy"
		default:
			if d.Challenge == "http-01" {
				mode = "proxy"
			}
		}
		if mode == "" {
			continue
		}
		seen[name] = true
		s := http01Spec{domain: name, mode: mode, procRoot: root, minIvl: config.DefaultHTTP01MinInterval}
		ts = append(ts, c.target(env, s.withDefaults()))
	}
	return ts, nil
}

func (c *http01Collector) target(env *scrape.Env, s http01Spec) scrape.Target {
	return scrape.Target{
		Check:       http01Check,
		Target:      s.domain,
		MinInterval: s.minIvl,
		Timeout:     s.timeout,
		Run: func(ctx context.Context, emit scrape.Emit) error {
			if s.mode == "standalone" {
				return s.standalone(emit)
			}
			return s.check(ctx, emit)
		},
	}
}

// standalone checks that the port the client binds while renewing is
// free, or held by the client itself.
func (s http01Spec) standalone(emit scrape.Emit) error {
	ls, err := listeners.Listeners(s.procRoot)
	if err != nil {
		return err
	}
	ps := strconv.Itoa(s.port)
	ok, reason := true, ""
	for _, l := range ls {
		if int(l.Addr.Port()) != s.port {
			continue
		}
		if !l.Visible {
			ok, reason = false, "port_holder_not_visible"
			continue
		}
		for _, p := range l.Processes {
			if !isClient(p, s.clients) {
				ok, reason = false, "port_taken"
			}
		}
	}
	emit(scrape.Gauge(http01StandaloneDesc, scrape.Bool(ok), s.domain, ps))
	if !ok {
		emit(scrape.Gauge(http01FailureDesc, 1, s.domain, "local", reason))
	}
	return nil
}

// isClient matches a process name (comm, cut at 15 bytes by the kernel)
// against the client names.
func isClient(comm string, clients []string) bool {
	for _, c := range clients {
		if comm == c || (len(comm) == 15 && strings.HasPrefix(c, comm)) {
			return true
		}
	}
	return false
}

// fetchResult is one family's walk down the redirect chain.
type fetchResult struct {
	ok        bool
	status    int
	redirects int
	reason    string
	dialErr   bool // the first connection failed to dial (CA falls back)
	crossed   bool // a redirect led to another host
}

func (s http01Spec) check(ctx context.Context, emit scrape.Emit) error {
	token, expect, err := s.token()
	if err != nil {
		return err
	}
	v6, v4, err := s.firstAddrs(ctx)
	if err != nil {
		return err
	}
	emit(scrape.Gauge(http01CanaryDesc, scrape.Bool(s.canary != ""), s.domain))
	results := map[string]fetchResult{}
	if v6.IsValid() {
		results["ipv6"] = s.fetch(ctx, token, expect, v6, false)
	}
	if v4.IsValid() {
		results["ipv4"] = s.fetch(ctx, token, expect, v4, false)
	}
	// The CA's own order: IPv6 first, IPv4 only after a dial error.
	caFirst := v6
	if r, ok := results["ipv6"]; ok {
		if _, ok4 := results["ipv4"]; r.dialErr && ok4 {
			caFirst = v4
		}
	} else {
		caFirst = v4
	}
	results["ca"] = results[familyOf(caFirst)]
	if results["ca"].crossed {
		// A redirect to another host: the CA resolves that host afresh
		// and prefers its IPv6 address whatever family the first hop
		// used, so walk the chain again as the CA does.
		results["ca"] = s.fetch(ctx, token, expect, caFirst, true)
	}
	for _, fam := range []string{"ipv4", "ipv6", "ca"} {
		r, ok := results[fam]
		if !ok {
			continue
		}
		emit(scrape.Gauge(http01ReachableDesc, scrape.Bool(r.ok), s.domain, fam))
		if r.status != 0 {
			emit(scrape.Gauge(http01StatusDesc, float64(r.status), s.domain, fam))
		}
		emit(scrape.Gauge(http01RedirectsDesc, float64(r.redirects), s.domain, fam))
		if !r.ok {
			emit(scrape.Gauge(http01FailureDesc, 1, s.domain, fam, r.reason))
		}
	}
	return nil
}

// token returns the path token and, for a canary, the expected body.
func (s http01Spec) token() (string, []byte, error) {
	if s.canary == "" {
		b := make([]byte, 32)
		_, _ = rand.Read(b)
		return base64.RawURLEncoding.EncodeToString(b), nil, nil
	}
	if s.canaryContent != nil {
		return s.canary, s.canaryContent, checkCanarySize(s.canaryContent)
	}
	data, err := listeners.ReadLimited(s.canaryFile, maxCanaryFile)
	if err != nil {
		return "", nil, scrape.Fail("canary_unreadable", err)
	}
	return s.canary, data, checkCanarySize(data)
}

// checkCanarySize refuses a canary the CA's reader could never accept
// whole: a served body of http01MaxBody bytes or more fails validation, so
// the check would only ever report body_too_large.
func checkCanarySize(b []byte) error {
	if len(b) >= http01MaxBody {
		return scrape.Fail("canary_too_large", fmt.Errorf("canary is %d bytes; the CA fails challenge responses of %d bytes or more (a key authorization is 87)", len(b), http01MaxBody))
	}
	return nil
}

// firstAddrs returns the first AAAA and the first A address, as the CA
// takes them.
func (s http01Spec) firstAddrs(ctx context.Context) (v6, v4 netip.Addr, err error) {
	var ips []netip.Addr
	if s.pinned.IsValid() {
		ips = []netip.Addr{s.pinned}
	} else {
		ips, err = dnsclient.LookupHost(ctx, s.domain, s.resolver)
		if err != nil {
			return v6, v4, err
		}
	}
	for _, ip := range ips {
		if ip.Is6() && !v6.IsValid() {
			v6 = ip
		}
		if ip.Is4() && !v4.IsValid() {
			v4 = ip
		}
	}
	return v6, v4, nil
}

func familyOf(ip netip.Addr) string {
	if ip.Is6() {
		return "ipv6"
	}
	return "ipv4"
}

// fetch walks the redirect chain starting at first. A family walk (ca
// false) stays in first's family on redirects to other hosts; the CA's
// walk (ca true) takes the other host's IPv6 address when it has one, else
// its IPv4 address, with no fallback after the first request.
func (s http01Spec) fetch(ctx context.Context, token string, expect []byte, first netip.Addr, ca bool) fetchResult {
	var r fetchResult
	u := &url.URL{Scheme: "http", Host: s.domain, Path: "/.well-known/acme-challenge/" + token}
	visited := map[string]bool{}
	away := false
	fail := func(reason string) fetchResult {
		// Once a redirect left the challenge path, the CA would fail the
		// challenge whatever comes next; a refusal by the module's policy
		// still wins, as it says the chain leads somewhere it must not.
		if away && reason != "redirect_forbidden_port" && reason != "redirect_forbidden_scheme" && reason != "refused_by_policy" {
			reason = "redirect_to_other_path"
		}
		r.reason = reason
		return r
	}
	for hop := 0; ; hop++ {
		visited[u.String()] = true
		addr, reason := s.hopAddr(ctx, u, first, hop, ca)
		if reason != "" {
			return fail(reason)
		}
		probelog.From(ctx).Info("HTTP GET", "url", u.String(), "address", addr.String(), "hop", hop)
		resp, err := s.get(ctx, u, addr)
		if err != nil {
			probelog.From(ctx).Info("HTTP GET failed", "url", u.String(), "err", err)
			var de *dialError
			if errors.As(err, &de) {
				r.dialErr = hop == 0
				return fail(classifyDial(de.err, addr.Addr()))
			}
			if ctx.Err() != nil || isTimeout(err) {
				return fail("timeout")
			}
			if u.Scheme == "https" {
				return fail("tls_error")
			}
			return fail("http_error")
		}
		// Read as the CA reads: at most http01MaxBody bytes.
		body, _ := io.ReadAll(io.LimitReader(resp.Body, http01MaxBody))
		_ = resp.Body.Close()
		r.status = resp.StatusCode
		probelog.From(ctx).Info("HTTP response", "url", u.String(), "status", resp.StatusCode,
			"location", resp.Header.Get("Location"), "body_bytes", len(body))
		switch resp.StatusCode {
		case http.StatusMovedPermanently, http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
			loc, err := u.Parse(resp.Header.Get("Location"))
			if err != nil || resp.Header.Get("Location") == "" {
				return fail("redirect_invalid")
			}
			r.redirects++
			if r.redirects > http01MaxRedirects {
				return fail("too_many_redirects")
			}
			if loc.Scheme != "http" && loc.Scheme != "https" {
				return fail("redirect_forbidden_scheme")
			}
			if p := loc.Port(); p != "" && p != "80" && p != "443" {
				return fail("redirect_forbidden_port")
			}
			if len(loc.Path) > http01MaxPath {
				return fail("redirect_invalid")
			}
			if visited[loc.String()] {
				return fail("redirect_loop")
			}
			if !strings.HasSuffix(loc.Path, "/"+token) {
				away = true
			}
			if h := strings.TrimSuffix(strings.ToLower(loc.Hostname()), "."); h != s.domain {
				r.crossed = true
			}
			u = loc
			continue
		case http.StatusSeeOther:
			return fail("redirect_status_rejected")
		case http.StatusOK:
			if expect != nil {
				// The CA fails a body of http01MaxBody bytes or more,
				// then ignores trailing whitespace.
				if len(body) >= http01MaxBody {
					return fail("body_too_large")
				}
				if bytes.Equal(bytes.TrimRightFunc(body, unicode.IsSpace), bytes.TrimRightFunc(expect, unicode.IsSpace)) {
					r.ok = true
					return r
				}
				return fail("canary_mismatch")
			}
			// A random token must not exist: 200 means something
			// answers every path (catch-all, SPA, login page).
			return fail("catch_all_response")
		case http.StatusNotFound:
			if expect == nil && !away {
				r.ok = true // the weaker verdict without a canary
				return r
			}
			return fail("http_not_found")
		case http.StatusUnauthorized:
			return fail("http_unauthorized")
		case http.StatusForbidden:
			return fail("http_forbidden")
		}
		if resp.StatusCode >= 500 {
			return fail("http_server_error")
		}
		return fail("http_unexpected_status")
	}
}

// hopAddr picks the address to dial for u: the first address of the
// family for the domain itself, else a lookup of the redirect's host in
// the same family (through the configured resolver).
func (s http01Spec) hopAddr(ctx context.Context, u *url.URL, first netip.Addr, hop int, ca bool) (netip.AddrPort, string) {
	port := s.port
	if u.Scheme == "https" {
		port = s.tlsPort
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if hop == 0 || host == s.domain {
		return netip.AddrPortFrom(first, uint16(port)), ""
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		if err := s.policy.CheckAddr(ip); err != nil {
			return netip.AddrPort{}, "refused_by_policy"
		}
		if !ca && ip.Is4() != first.Is4() {
			return netip.AddrPort{}, "redirect_other_family"
		}
		return netip.AddrPortFrom(ip, uint16(port)), ""
	}
	if err := s.policy.CheckName(host); err != nil {
		return netip.AddrPort{}, "refused_by_policy"
	}
	if s.resolver == "" && s.pinned.IsValid() {
		// No resolver given and the domain's address is pinned: never
		// ask the host's resolver behind the operator's back.
		return netip.AddrPort{}, "redirect_unresolvable"
	}
	var ips []netip.Addr
	var err error
	switch {
	case ca:
		// lookupHost lists IPv6 first, as the CA prefers.
		ips, err = dnsclient.LookupHost(ctx, host, s.resolver)
	case s.resolver != "":
		qt := dns.TypeA
		if first.Is6() {
			qt = dns.TypeAAAA
		}
		ips, err = dnsclient.QueryAddrs(ctx, s.resolver, host, qt)
	default:
		ips, err = dnsclient.LookupHost(ctx, host, "")
		ips = slices.DeleteFunc(ips, func(ip netip.Addr) bool { return ip.Is4() != first.Is4() })
	}
	if err != nil || len(ips) == 0 {
		return netip.AddrPort{}, "redirect_unresolvable"
	}
	return netip.AddrPortFrom(ips[0], uint16(port)), ""
}

type dialError struct{ err error }

func (d *dialError) Error() string { return d.err.Error() }
func (d *dialError) Unwrap() error { return d.err }

// get sends one request to addr, whatever the URL's host resolves to.
func (s http01Spec) get(ctx context.Context, u *url.URL, addr netip.AddrPort) (*http.Response, error) {
	d := s.policy.Dialer(net.Dialer{Timeout: http01DialTimeout})
	tr := httpclient.Transport(httpclient.Options{
		Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			c, err := d.DialContext(ctx, "tcp", addr.String())
			if err != nil {
				return nil, &dialError{err}
			}
			return c, nil
		},
		// Let's Encrypt does not validate the certificate of an HTTPS
		// redirect target, but requires TLS 1.2 or later.
		InsecureSkipVerify:     true,
		DisableCompression:     true,
		MaxResponseHeaderBytes: 64 << 10,
	})
	defer tr.CloseIdleConnections()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", httpclient.UserAgent)
	req.Header.Set("Accept", "*/*")
	return tr.RoundTrip(req)
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// classifyDial names a connect failure; an IPv6 address the prober has no
// route or source address for is the prober's fault, not the target's.
func classifyDial(err error, ip netip.Addr) string {
	switch {
	case errors.Is(err, guard.ErrRefused):
		return "refused_by_policy"
	case ip.Is6() && (errors.Is(err, syscall.ENETUNREACH) || errors.Is(err, syscall.EADDRNOTAVAIL) ||
		errors.Is(err, syscall.EAFNOSUPPORT)):
		return "prober_no_ipv6"
	case isTimeout(err):
		return "timeout"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection_refused"
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EHOSTUNREACH):
		return "unreachable"
	}
	return "dial_error"
}

// ProbeTargets serves the http01 module kind: the target is a domain.
func (c *http01Collector) ProbeTargets(ctx context.Context, env *scrape.Env, m *config.Module, target string) ([]scrape.Target, error) {
	d := strings.TrimSuffix(strings.ToLower(target), ".")
	if err := config.CheckDomain(d); err != nil {
		return nil, scrape.Refuse("target %q: %v", target, err)
	}
	// Settings were checked when the config loaded: only the target can
	// be refused here.
	set, err := config.DecodeHTTP01Settings(&m.Settings)
	if err != nil {
		return nil, scrape.Refuse("module settings: %v", err)
	}
	pol := guard.FromModule(m)
	if err := dnsclient.GuardProbeHost(ctx, pol, d, set.Resolver, m.Timeout.D()); err != nil {
		return nil, err
	}
	s := http01Spec{domain: d, mode: "proxy", resolver: set.Resolver, port: set.Port, tlsPort: set.HTTPSPort,
		timeout: m.Timeout.D(), policy: pol}
	return []scrape.Target{c.target(env, s.withDefaults())}, nil
}

func (c *http01Collector) Kinds() []string { return []string{http01Check} }
