// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

// Package directory checks ACME directories (reachable, what they offer,
// a fresh nonce, their TLS certificate, the clock offset from the Date
// header) and asks ARI, which is
// found through the directory, when each current certificate should be
// renewed.
package directory

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/acme-exporter/acme_exporter/config"
	"github.com/acme-exporter/acme_exporter/internal/acmehttp"
	"github.com/acme-exporter/acme_exporter/internal/failure"
	"github.com/acme-exporter/acme_exporter/internal/guard"
	"github.com/acme-exporter/acme_exporter/internal/series"
	"github.com/acme-exporter/acme_exporter/scrape"
)

const directoryCheck = "acme_directory"

var (
	directoryUpDesc = scrape.Desc(directoryCheck, "acme_directory_up",
		"1 when the ACME directory was fetched and has every resource RFC 8555 requires.",
		"directory")
	directoryNonceOKDesc = scrape.Desc(directoryCheck, "acme_directory_nonce_ok",
		"1 when HEAD newNonce answered with a well-formed Replay-Nonce header.",
		"directory")
	directoryDurationDesc = scrape.Desc(directoryCheck, "acme_directory_request_duration_seconds",
		"Wall time of the last request to the CA, by request (directory, new_nonce).",
		"directory", "request")
	directoryTLSNotAfterDesc = scrape.Desc(directoryCheck, "acme_directory_tls_not_after_timestamp_seconds",
		"notAfter of the TLS certificate the directory's server presented, as a Unix time.",
		"directory")
	directoryInfoDesc = scrape.Desc(directoryCheck, "acme_directory_info",
		"The directory's meta object: terms of service, website, CAA identities and profiles (sorted, comma-separated), and whether it advertises ARI (renewalInfo) and requires external account binding.",
		"directory", "terms_of_service", "website", "caa_identities", "profiles", "ari", "external_account_required")
)

func init() {
	scrape.Register(directoryCheck, true, func(l *slog.Logger) scrape.Collector { return newDirectoryCollector(l) })
}

// dirSpec is one directory to check, with how to reach it.
type dirSpec struct {
	url                string
	address, resolver  string
	roots              *x509.CertPool
	minInterval        time.Duration
	timeout            time.Duration
	issuers            []string
	policy             *guard.Policy
	configured, probed bool
}

type directoryCollector struct {
	logger *slog.Logger
}

func newDirectoryCollector(l *slog.Logger) *directoryCollector {
	return &directoryCollector{logger: l}
}

// directorySpecs merges configured, discovered and default directories,
// de-duplicated by URL (configured settings win).
func directorySpecs(env *scrape.Env) []dirSpec {
	cfg := env.Config.ACMEDirectories
	var out []dirSpec
	seen := map[string]bool{}
	add := func(s dirSpec) {
		if s.url == "" || seen[s.url] {
			return
		}
		seen[s.url] = true
		if s.roots == nil {
			s.roots = env.Roots
		}
		out = append(out, s)
	}
	for _, d := range cfg.Directories {
		add(dirSpec{url: d.URL, address: d.Address, resolver: d.Resolver, roots: d.Roots,
			minInterval: d.MinInterval.D(), timeout: cfg.Timeout.D(), issuers: d.Issuers, configured: true})
	}
	var disc []string
	for _, d := range env.Discovered.Directories {
		disc = append(disc, d.URL)
	}
	for _, a := range env.Discovered.Accounts {
		disc = append(disc, a.Directory)
	}
	for _, d := range env.Discovered.Domains {
		disc = append(disc, d.Directory)
	}
	// dns01 domains name their directory so CAA can use its identities.
	for _, d := range env.Config.DNS01.Domains {
		disc = append(disc, d.Directory)
	}
	sort.Strings(disc)
	for _, u := range disc {
		if strings.HasPrefix(u, "https://") {
			add(dirSpec{url: u, minInterval: cfg.MinInterval.D(), timeout: cfg.Timeout.D()})
		}
	}
	if len(out) == 0 {
		add(dirSpec{url: cfg.DefaultDirectory(), minInterval: cfg.MinInterval.D(), timeout: cfg.Timeout.D()})
	}
	return out
}

func (c *directoryCollector) Targets(env *scrape.Env) ([]scrape.Target, error) {
	specs := directorySpecs(env)
	ts := make([]scrape.Target, 0, len(specs))
	for _, s := range specs {
		ts = append(ts, c.target(env, s))
	}
	return ts, nil
}

func (c *directoryCollector) target(env *scrape.Env, s dirSpec) scrape.Target {
	return scrape.Target{
		Check:       directoryCheck,
		Target:      s.url,
		MinInterval: s.minInterval,
		Timeout:     s.timeout,
		Run: func(ctx context.Context, emit scrape.Emit) error {
			return c.check(ctx, env, s, emit)
		},
	}
}

func (c *directoryCollector) check(ctx context.Context, env *scrape.Env, s dirSpec, emit scrape.Emit) error {
	cl, err := s.client(&directories.clients)
	if err != nil {
		emit(scrape.Gauge(directoryUpDesc, 0, s.url))
		return scrape.Fail("bad_url", err)
	}
	d, r, err := directories.fetch(ctx, cl, s, env.Directories, env.Now)
	if r != nil {
		emit(scrape.Gauge(directoryDurationDesc, r.Duration.Seconds(), s.url, "directory"))
		if r.TLS != nil && len(r.TLS.PeerCertificates) > 0 {
			emit(scrape.Gauge(directoryTLSNotAfterDesc, scrape.UnixSeconds(r.TLS.PeerCertificates[0].NotAfter), s.url))
		}
	}
	if err != nil {
		emit(scrape.Gauge(directoryUpDesc, 0, s.url))
		return acmeFailure("directory_", err)
	}
	emit(scrape.Gauge(directoryUpDesc, 1, s.url))
	emit(scrape.Gauge(directoryInfoDesc, 1, s.url, d.Meta.TermsOfService, d.Meta.Website,
		joinSorted(d.Meta.CAAIdentities), joinSorted(mapKeys(d.Meta.Profiles)),
		fmt.Sprint(d.RenewalInfo != ""), fmt.Sprint(d.Meta.ExternalAccountRequired)))

	nr, err := cl.HeadNonce(ctx, d.NewNonce, env.Now)
	if nr != nil {
		emit(scrape.Gauge(directoryDurationDesc, nr.Duration.Seconds(), s.url, "new_nonce"))
		// The newNonce answer is uncacheable, so its Date header is the
		// CA's clock at that moment (whole seconds, truncated).
		if date, ok := acmehttp.ServerDate(nr.Header); ok {
			local := nr.Start.Add(nr.End.Sub(nr.Start) / 2)
			emit(scrape.Gauge(series.ClockOffsetDesc, local.Sub(date.Add(500*time.Millisecond)).Seconds(), "acme", s.url))
		}
	}
	if err != nil {
		emit(scrape.Gauge(directoryNonceOKDesc, 0, s.url))
		return acmeFailure("nonce_", err)
	}
	emit(scrape.Gauge(directoryNonceOKDesc, 1, s.url))
	return nil
}

// acmeFailure turns an acmehttp error into a Fail with prefix+reason.
func acmeFailure(prefix string, err error) error {
	var e *failure.Error
	if errors.As(err, &e) {
		return scrape.Fail(prefix+e.Reason, err)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return scrape.Fail(prefix+"timeout", err)
	}
	return scrape.Fail(prefix+"error", err)
}

func joinSorted(s []string) string {
	return strings.Join(sortedCopy(s), ",")
}

func sortedCopy(s []string) []string {
	s = append([]string(nil), s...)
	sort.Strings(s)
	return s
}

func mapKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// ProbeTargets serves /probe?module=<acme_directory module>&target=<URL>.
func (c *directoryCollector) ProbeTargets(ctx context.Context, env *scrape.Env, m *config.Module, target string) ([]scrape.Target, error) {
	u, err := url.Parse(target)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return nil, scrape.Refuse("target %q is not an https URL", target)
	}
	pol := guard.FromModule(m)
	if err := pol.CheckName(u.Hostname()); err != nil {
		return nil, scrape.Refuse("%v", err)
	}
	// An IP literal is checked against the CIDR lists now, for a 400
	// rather than a failed probe; names are checked in the dialer, after
	// DNS and on every redirect hop.
	if ip, err := netip.ParseAddr(u.Hostname()); err == nil {
		if err := pol.CheckAddr(ip); err != nil {
			return nil, scrape.Refuse("%v", err)
		}
	}
	set, err := config.DecodeACMEDirectorySettings(&m.Settings)
	if err != nil {
		return nil, scrape.Refuse("module settings: %v", err)
	}
	s := dirSpec{url: target, roots: env.Roots, timeout: m.Timeout.D(), policy: pol, probed: true,
		resolver: set.Resolver, minInterval: env.Config.ACMEDirectories.MinInterval.D()}
	return []scrape.Target{c.target(env, s)}, nil
}

func (c *directoryCollector) Kinds() []string { return []string{directoryCheck} }
