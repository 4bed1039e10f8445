// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

// Package endpoint checks TLS endpoints: the certificate served (also
// after STARTTLS), the chain, the name, pins, and whether a renewed
// certificate on disk is being served yet.
package endpoint

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/acme-exporter/acme_exporter/config"
	"github.com/acme-exporter/acme_exporter/internal/certs"
	"github.com/acme-exporter/acme_exporter/internal/dnsclient"
	"github.com/acme-exporter/acme_exporter/internal/guard"
	"github.com/acme-exporter/acme_exporter/internal/probelog"
	"github.com/acme-exporter/acme_exporter/internal/series"
	"github.com/acme-exporter/acme_exporter/inventory"
	"github.com/acme-exporter/acme_exporter/scrape"
)

const endpointCheck = "endpoint"

var (
	endpointUpDesc = scrape.Desc(endpointCheck, "acme_endpoint_up",
		"1 when the TLS handshake with this address completed (whatever the certificate), 0 when it failed; the reason is in acme_probe_failure_info.",
		"name", "target", "address")
	endpointHostnameMatchDesc = scrape.Desc(endpointCheck, "acme_certificate_hostname_match",
		"1 when the served leaf covers the name asked for (the SNI, or the IP of the target), per RFC 6125 as Go's VerifyHostname checks it.",
		"name", "target", "address")
	endpointServingLatestDesc = scrape.Desc(endpointCheck, "acme_endpoint_serving_latest",
		"0 when the certificate inventory holds a certificate of the same name and key type with a later notBefore than the served one (renewed but not reloaded); absent when no file certificate of that name and key type is known.",
		"name", "target", "address")
	endpointVerifiedDesc = scrape.Desc(endpointCheck, "acme_endpoint_verified",
		"1 when the served leaf is valid now, covers the name and verifies to a trusted root with the served chain alone.",
		"name", "target", "address")
	endpointVerifyFailureDesc = scrape.Desc(endpointCheck, "acme_endpoint_verify_failure_info",
		"1 while acme_endpoint_verified is 0, with the first failing verdict: expired, not_yet_valid, chain_not_verified or hostname_mismatch; absent otherwise.",
		"name", "target", "address", "reason")
	endpointTLSInfoDesc = scrape.Desc(endpointCheck, "acme_endpoint_tls_info",
		"The negotiated TLS version and cipher suite (IANA name).",
		"name", "target", "address", "tls_version", "cipher_suite")
	endpointHandshakeDesc = scrape.Desc(endpointCheck, "acme_endpoint_handshake_duration_seconds",
		"Wall time of the TLS handshake (after TCP connect and any STARTTLS exchange), in seconds.",
		"name", "target", "address")
	endpointPinMatchDesc = scrape.Desc(endpointCheck, "acme_endpoint_pin_match",
		"1 when a certificate of the served chain has a public key in the configured pin set (base64 SHA-256 of the SPKI, as HPKP and mobile apps pin); absent when no pins are configured.",
		"name", "target", "address")
	endpointLeafPinnedDesc = scrape.Desc(endpointCheck, "acme_endpoint_leaf_pinned",
		"1 when the served leaf's own public key is in the pin set: 0 after a renewal that generated a new key while clients pin the leaf; absent when no pins are configured.",
		"name", "target", "address")
)

// endpointAddrConcurrency bounds the addresses of one target probed at once.
const endpointAddrConcurrency = 4

func init() {
	scrape.Register(endpointCheck, true, func(l *slog.Logger) scrape.Collector { return newEndpointCollector(l) })
}

type endpointCollector struct {
	logger *slog.Logger
	mu     sync.Mutex
	// verdicts caches chain verification by leaf SHA-256 and roots.
	verdicts map[verdictKey]certs.Verdict
}

type verdictKey struct {
	leaf  string
	chain string
	roots *x509.CertPool
}

// maxVerdicts bounds the verification cache.
const maxVerdicts = 4096

func newEndpointCollector(l *slog.Logger) *endpointCollector {
	return &endpointCollector{logger: l, verdicts: map[verdictKey]certs.Verdict{}}
}

// endpointSpec is one endpoint with its settings resolved.
type endpointSpec struct {
	label      string // the target label
	host       string
	port       int
	serverName string
	name       string
	pinned     netip.AddrPort // valid when address is pinned
	resolver   string
	starttls   string
	keyType    string
	pins       map[string]bool
	timeout    time.Duration
	minIvl     time.Duration
	policy     *guard.Policy // nil for the operator's own config
	publish    bool
	// newest looks up the newest file certificate by name and key type;
	// nil means env.Inventory.Newest.
	newest func(name, keyType string) (inventory.Certificate, bool)
}

func endpointLabel(target, keyType string) string {
	if keyType == "" {
		return target
	}
	return target + "/" + keyType
}

func specFromConfig(e config.Endpoint) (endpointSpec, error) {
	host, port, err := config.SplitTarget(e.Target)
	if err != nil {
		return endpointSpec{}, err
	}
	s := endpointSpec{
		label: endpointLabel(e.Target, e.KeyType), host: host, port: port,
		serverName: e.ServerName, name: e.Name, resolver: e.Resolver,
		starttls: e.StartTLS, keyType: e.KeyType, pins: pinSet(e.Pins),
		timeout: e.Timeout.D(), minIvl: e.MinInterval.D(), publish: true,
	}
	if e.Address != "" {
		if ap, err := netip.ParseAddrPort(e.Address); err == nil {
			s.pinned = ap
		} else if a, err := netip.ParseAddr(e.Address); err == nil {
			s.pinned = netip.AddrPortFrom(a, uint16(port))
		}
	}
	return s, nil
}

func pinSet(pins []string) map[string]bool {
	if len(pins) == 0 {
		return nil
	}
	m := map[string]bool{}
	for _, p := range pins {
		m[p] = true
	}
	return m
}

func (c *endpointCollector) Targets(env *scrape.Env) ([]scrape.Target, error) {
	var ts []scrape.Target
	keep := map[string]bool{}
	var errs []error
	// One index of the file certificates per scrape, built when the first
	// endpoint needs it: Inventory.Newest sorts the whole inventory per
	// call, which costs O(n log n) per endpoint with many endpoints.
	newest := sync.OnceValue(func() map[[2]string]inventory.Certificate { return newestFiles(env.Inventory) })
	lookup := func(name, keyType string) (inventory.Certificate, bool) {
		c, ok := newest()[[2]string{name, keyType}]
		return c, ok
	}
	for _, e := range env.Config.Endpoints {
		s, err := specFromConfig(e)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		s.newest = lookup
		if keep[s.label] {
			errs = append(errs, fmt.Errorf("endpoint %s listed twice", s.label))
			continue
		}
		keep[s.label] = true
		ts = append(ts, c.target(env, s))
	}
	env.Inventory.Retain(endpointCheck, keep)
	return ts, errors.Join(errs...)
}

func (c *endpointCollector) target(env *scrape.Env, s endpointSpec) scrape.Target {
	return scrape.Target{
		Check:       endpointCheck,
		Target:      s.label,
		MinInterval: s.minIvl,
		Timeout:     s.timeout,
		Run: func(ctx context.Context, emit scrape.Emit) error {
			return c.check(ctx, env, s, emit)
		},
	}
}

// addrResult is what one address served.
type addrResult struct {
	addr      netip.AddrPort
	err       error
	chain     []*x509.Certificate
	state     tls.ConnectionState
	handshake time.Duration
}

func (c *endpointCollector) check(ctx context.Context, env *scrape.Env, s endpointSpec, emit scrape.Emit) error {
	addrs, err := s.addresses(ctx)
	if err != nil {
		if s.publish {
			env.Inventory.Delete(endpointCheck, s.label)
		}
		return err
	}
	results := make([]addrResult, len(addrs))
	sem := make(chan struct{}, endpointAddrConcurrency)
	var wg sync.WaitGroup
	for i, a := range addrs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
				defer func() { <-sem }()
				results[i] = s.probe(ctx, a)
			case <-ctx.Done():
				results[i] = addrResult{addr: a, err: scrape.Fail("timeout", ctx.Err())}
			}
		}()
	}
	wg.Wait()

	var firstErr error
	var served []inventory.Certificate
	seen := map[[32]byte]bool{}
	for _, r := range results {
		address := r.addr.String()
		l := []string{s.name, s.label, address}
		if r.err != nil {
			emit(scrape.Gauge(endpointUpDesc, 0, l...))
			if firstErr == nil {
				firstErr = r.err
			}
			continue
		}
		emit(scrape.Gauge(endpointUpDesc, 1, l...))
		inv := c.emitCertificate(env, s, address, r, emit)
		if !seen[inv.SHA256] {
			seen[inv.SHA256] = true
			served = append(served, inv)
		}
	}
	if s.publish {
		if len(served) > 0 {
			env.Inventory.Put(endpointCheck, s.label, served)
		} else {
			env.Inventory.Delete(endpointCheck, s.label)
		}
	}
	return firstErr
}

// emitCertificate exports one address's served chain and verdicts.
func (c *endpointCollector) emitCertificate(env *scrape.Env, s endpointSpec, address string, r addrResult, emit scrape.Emit) inventory.Certificate {
	leaf := r.chain[0]
	// The verdict first: the issuer it found (cached per served chain)
	// spares the summary a second signature check per probe.
	v := c.verify(env, r.chain)
	inv := certs.SummarizeVerified(r.chain, v)
	inv.Name, inv.Source, inv.Path = s.name, "endpoint", s.label
	cl := []string{s.name, "endpoint", s.label, address}
	l := []string{s.name, s.label, address}
	emit(scrape.Gauge(series.CertNotBeforeDesc, scrape.UnixSeconds(inv.NotBefore), cl...))
	emit(scrape.Gauge(series.CertNotAfterDesc, scrape.UnixSeconds(inv.NotAfter), cl...))
	emit(scrape.Gauge(series.CertInfoDesc, 1, s.name, "endpoint", s.label, address, inv.Serial, inv.Issuer, inv.KeyType,
		certs.NamesLabel(inv.DNSNames), fmt.Sprint(inv.MustStaple)))
	// The chain's own expiry, present exactly when the served chain is
	// complete: its absence is what an incomplete chain alert reads.
	if v.Complete {
		emit(scrape.Gauge(series.CertChainNotAfterDesc, scrape.UnixSeconds(v.ChainNotAfter), cl...))
	}

	hostOK := leaf.VerifyHostname(s.verifyName()) == nil
	emit(scrape.Gauge(endpointHostnameMatchDesc, scrape.Bool(hostOK), l...))
	now := env.Now()
	reason := ""
	switch {
	case now.After(leaf.NotAfter):
		reason = "expired"
	case now.Before(leaf.NotBefore):
		reason = "not_yet_valid"
	case !v.Complete:
		reason = "chain_not_verified"
	case !hostOK:
		reason = "hostname_mismatch"
	}
	emit(scrape.Gauge(endpointVerifiedDesc, scrape.Bool(reason == ""), l...))
	if reason != "" {
		emit(scrape.Gauge(endpointVerifyFailureDesc, 1, s.name, s.label, address, reason))
	}
	newestOf := env.Inventory.Newest
	if s.newest != nil {
		newestOf = s.newest
	}
	if newest, ok := newestOf(s.name, inv.KeyType); ok {
		latest := newest.SHA256 == inv.SHA256 || !newest.NotBefore.After(inv.NotBefore)
		emit(scrape.Gauge(endpointServingLatestDesc, scrape.Bool(latest), l...))
	}
	emit(scrape.Gauge(endpointTLSInfoDesc, 1, s.name, s.label, address,
		tlsVersionName(r.state.Version), tls.CipherSuiteName(r.state.CipherSuite)))
	emit(scrape.Gauge(endpointHandshakeDesc, r.handshake.Seconds(), l...))
	if s.pins != nil {
		any, leafPinned := false, false
		for i, cert := range r.chain {
			h, err := certs.PublicKeyHash(cert.PublicKey)
			if err != nil {
				continue
			}
			if s.pins[base64.StdEncoding.EncodeToString(h)] {
				any = true
				if i == 0 {
					leafPinned = true
				}
			}
		}
		emit(scrape.Gauge(endpointPinMatchDesc, scrape.Bool(any), l...))
		emit(scrape.Gauge(endpointLeafPinnedDesc, scrape.Bool(leafPinned), l...))
	}
	return inv
}

// newestFiles indexes the file certificates (history included) by name and
// key type, keeping the latest notBefore, as Inventory.Newest decides.
func newestFiles(inv *inventory.Inventory) map[[2]string]inventory.Certificate {
	out := map[[2]string]inventory.Certificate{}
	for _, c := range inv.All() {
		if c.Source != "file" {
			continue
		}
		k := [2]string{c.Name, c.KeyType}
		if best, ok := out[k]; !ok || c.NotBefore.After(best.NotBefore) {
			out[k] = *c
		}
	}
	return out
}

// verify returns the chain verdict, cached by the served chain and roots.
func (c *endpointCollector) verify(env *scrape.Env, chain []*x509.Certificate) certs.Verdict {
	var b strings.Builder
	for _, cert := range chain[1:] {
		b.Write(cert.Signature)
	}
	k := verdictKey{leaf: string(chain[0].Raw), chain: b.String(), roots: env.Roots}
	c.mu.Lock()
	v, ok := c.verdicts[k]
	c.mu.Unlock()
	if ok {
		return v
	}
	v = certs.VerifyChain(chain, env.Roots, env.Now())
	c.mu.Lock()
	if len(c.verdicts) >= maxVerdicts {
		clear(c.verdicts)
	}
	c.verdicts[k] = v
	c.mu.Unlock()
	return v
}

// verifyName is the name the leaf must cover.
func (s endpointSpec) verifyName() string {
	if s.serverName != "" {
		return s.serverName
	}
	return s.host
}

// addresses lists what to dial: the pinned address, an IP literal, or
// every A and AAAA record of the host.
func (s endpointSpec) addresses(ctx context.Context) ([]netip.AddrPort, error) {
	if s.pinned.IsValid() {
		return []netip.AddrPort{s.pinned}, nil
	}
	ips, err := dnsclient.LookupHost(ctx, s.host, s.resolver)
	if err != nil {
		return nil, err
	}
	out := make([]netip.AddrPort, 0, len(ips))
	for _, ip := range ips {
		out = append(out, netip.AddrPortFrom(ip, uint16(s.port)))
	}
	return out, nil
}

// probe connects to one address and completes the TLS handshake.
// probeCurves are the key exchange groups a probe offers.
var probeCurves = []tls.CurveID{tls.X25519, tls.CurveP256, tls.CurveP384}

func (s endpointSpec) probe(ctx context.Context, a netip.AddrPort) addrResult {
	r := addrResult{addr: a}
	d := s.policy.Dialer(net.Dialer{})
	conn, err := d.DialContext(ctx, "tcp", a.String())
	if err != nil {
		r.err = dialFailure(err)
		return r
	}
	defer func() { _ = conn.Close() }()
	stop := bindDeadline(ctx, conn)
	defer stop()
	if s.starttls != "" {
		if err := startTLS(conn, s.starttls, s.verifyName()); err != nil {
			r.err = err
			if ctx.Err() != nil {
				r.err = scrape.Fail("timeout", err)
			}
			return r
		}
	}
	cfg := &tls.Config{
		ServerName: s.serverName,
		// Verification is done below, with env.Roots at env.Now(), so the
		// certificate is reported even when expired, untrusted or for
		// another name.
		InsecureSkipVerify: true, //nolint:gosec // verified by hand
		MinVersion:         tls.VersionTLS10,
		// Classical groups only: the probe reads the certificate and
		// sends nothing secret, and Go's default hybrid post-quantum
		// share (X25519MLKEM768) costs about a quarter of a probe's CPU
		// (BenchmarkProbeEndpoint). Every TLS 1.3 server offers X25519.
		CurvePreferences: probeCurves,
	}
	switch s.keyType {
	case "rsa":
		cfg.MaxVersion = tls.VersionTLS12
		cfg.CipherSuites = []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
			tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA}
	case "ecdsa":
		cfg.MaxVersion = tls.VersionTLS12
		cfg.CipherSuites = []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
			tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA}
	}
	tc := tls.Client(conn, cfg)
	steps := probelog.From(ctx)
	steps.Info("TLS handshake", "server_name", cfg.ServerName, "key_type", s.keyType)
	start := time.Now()
	err = tc.HandshakeContext(ctx)
	r.handshake = time.Since(start)
	probelog.TLSDone(steps, tc.ConnectionState(), err)
	if err != nil {
		r.err = handshakeFailure(ctx, err)
		return r
	}
	r.state = tc.ConnectionState()
	r.chain = r.state.PeerCertificates
	if len(r.chain) == 0 {
		r.err = scrape.Fail("no_certificate", errors.New("server sent no certificate"))
	}
	return r
}

// bindDeadline makes conn's I/O end when ctx does.
func bindDeadline(ctx context.Context, conn net.Conn) func() {
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	return func() { stop() }
}

func tlsVersionName(v uint16) string {
	switch v {
	case tls.VersionTLS10:
		return "TLS 1.0"
	case tls.VersionTLS11:
		return "TLS 1.1"
	case tls.VersionTLS12:
		return "TLS 1.2"
	case tls.VersionTLS13:
		return "TLS 1.3"
	}
	return "unknown"
}

// dialFailure classifies a connect error.
func dialFailure(err error) error {
	var ne net.Error
	switch {
	case errors.Is(err, guard.ErrRefused):
		return scrape.Fail("refused_by_policy", err)
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return scrape.Fail("timeout", err)
	case errors.Is(err, syscall.ECONNREFUSED):
		return scrape.Fail("connection_refused", err)
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EHOSTUNREACH):
		return scrape.Fail("unreachable", err)
	}
	return scrape.Fail("dial_error", err)
}

func handshakeFailure(ctx context.Context, err error) error {
	var ne net.Error
	var ae tls.AlertError
	switch {
	case ctx.Err() != nil, errors.Is(err, os.ErrDeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return scrape.Fail("timeout", err)
	case errors.As(err, &ae):
		return scrape.Fail("tls_alert", err)
	}
	return scrape.Fail("tls_handshake_failed", err)
}

// ProbeTargets serves the endpoint module kind: the target is host:port.
func (c *endpointCollector) ProbeTargets(ctx context.Context, env *scrape.Env, m *config.Module, target string) ([]scrape.Target, error) {
	host, port, err := config.SplitTarget(target)
	if err != nil {
		return nil, scrape.Refuse("target %q: %v", target, err)
	}
	// Settings were checked when the config loaded: only the target can
	// be refused here.
	set, err := config.DecodeEndpointSettings(&m.Settings)
	if err != nil {
		return nil, scrape.Refuse("module settings: %v", err)
	}
	pol := guard.FromModule(m)
	if err := dnsclient.GuardProbeHost(ctx, pol, host, set.Resolver, m.Timeout.D()); err != nil {
		return nil, err
	}
	s := endpointSpec{
		label: endpointLabel(target, set.KeyType), host: host, port: port,
		serverName: set.ServerName, resolver: set.Resolver, starttls: set.StartTLS,
		keyType: set.KeyType, pins: pinSet(set.Pins), timeout: m.Timeout.D(), policy: pol,
	}
	if s.serverName == "" {
		if _, err := netip.ParseAddr(host); err != nil {
			s.serverName = strings.TrimSuffix(strings.ToLower(host), ".")
		}
	}
	s.name = s.serverName
	if s.name == "" {
		s.name = host
	}
	return []scrape.Target{c.target(env, s)}, nil
}

func (c *endpointCollector) Kinds() []string { return []string{endpointCheck} }
