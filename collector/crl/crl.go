// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

// Package crl fetches the CRLs current certificates name and reports
// whether they are revoked.
package crl

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/acme-exporter/acme_exporter/internal/acmehttp"
	"github.com/acme-exporter/acme_exporter/internal/httpclient"
	"github.com/acme-exporter/acme_exporter/inventory"
	"github.com/acme-exporter/acme_exporter/scrape"
)

const crlCheck = "crl"

var (
	crlRevokedDesc = scrape.Desc(crlCheck, "acme_certificate_revoked",
		"1 when the certificate is listed on its issuer's CRL (fetched from its CRL distribution point, signature checked, cached until nextUpdate); 0 when not listed.",
		"name", "source", "target")
	crlNextUpdateDesc = scrape.Desc(crlCheck, "acme_certificate_crl_next_update_timestamp_seconds",
		"nextUpdate of the CRL the revocation verdict came from, as a Unix time.",
		"name", "source", "target")
)

func init() {
	scrape.Register(crlCheck, true, func(l *slog.Logger) scrape.Collector { return &crlCollector{logger: l, cache: map[string]*crlEntry{}} })
}

// crlEntry is one fetched CRL, by URL and issuer.
type crlEntry struct {
	mu         sync.Mutex
	serials    map[string]bool // revoked serials, hex
	nextUpdate time.Time
	fetched    time.Time
	err        error
}

type crlCollector struct {
	logger *slog.Logger
	mu     sync.Mutex
	cache  map[string]*crlEntry
}

func (c *crlCollector) Targets(env *scrape.Env) ([]scrape.Target, error) {
	if env.Config.CRL.Disabled {
		return nil, nil
	}
	var ts []scrape.Target
	withCRL := func(c *inventory.Certificate) bool { return len(c.CRLURLs) > 0 }
	for _, cert := range env.Inventory.Current(withCRL) {
		ts = append(ts, scrape.Target{
			Check:   crlCheck,
			Target:  cert.Path,
			Timeout: env.Config.CRL.Timeout.D() + time.Second,
			Run: func(ctx context.Context, emit scrape.Emit) error {
				return c.check(ctx, env, *cert, emit)
			},
		})
	}
	return ts, nil
}

func (c *crlCollector) check(ctx context.Context, env *scrape.Env, cert inventory.Certificate, emit scrape.Emit) error {
	if len(cert.IssuerDER) == 0 {
		return scrape.Fail("no_issuer", errors.New("the issuing certificate is not in the file or connection, so the CRL's signature cannot be checked"))
	}
	issuer, err := x509.ParseCertificate(cert.IssuerDER)
	if err != nil {
		return scrape.Fail("no_issuer", err)
	}
	var lastErr error
	for _, u := range cert.CRLURLs {
		e := c.entry(u, cert.IssuerDER)
		revoked, next, err := c.load(ctx, env, e, u, issuer)
		if err != nil {
			lastErr = err
			continue
		}
		l := []string{cert.Name, cert.Source, cert.Path}
		emit(scrape.Gauge(crlRevokedDesc, scrape.Bool(revoked[fmt.Sprintf("%x", cert.SerialNumber())]), l...))
		emit(scrape.Gauge(crlNextUpdateDesc, scrape.UnixSeconds(next), l...))
		return nil
	}
	return lastErr
}

func (c *crlCollector) entry(u string, issuerDER []byte) *crlEntry {
	k := fmt.Sprintf("%s|%x", u, sha256.Sum256(issuerDER))
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.cache[k]
	if e == nil {
		if len(c.cache) > 4096 {
			clear(c.cache)
		}
		e = &crlEntry{}
		c.cache[k] = e
	}
	return e
}

// load returns the CRL's revoked serials, fetching it when there is none
// yet or its nextUpdate passed, never twice within min_interval; fetches
// of one URL are serialised, so concurrent targets share one download.
func (c *crlCollector) load(ctx context.Context, env *scrape.Env, e *crlEntry, u string, issuer *x509.Certificate) (map[string]bool, time.Time, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := env.Now()
	cfg := env.Config.CRL
	due := e.fetched.IsZero() || (!now.Before(e.nextUpdate) && now.Sub(e.fetched) >= cfg.MinInterval.D())
	if e.err != nil && now.Sub(e.fetched) >= cfg.MinInterval.D() {
		due = true
	}
	if due {
		serials, next, err := fetchCRL(ctx, u, cfg.MaxSize, cfg.Timeout.D(), cfg.Address, env.Roots, issuer)
		e.fetched = now
		if err != nil {
			e.err = err
		} else {
			e.serials, e.nextUpdate, e.err = serials, next, nil
		}
	}
	if e.err != nil {
		return nil, time.Time{}, e.err
	}
	return e.serials, e.nextUpdate, nil
}

// fetchCRL downloads, size-limits, parses and verifies one CRL. CRLs are
// normally plain http:// (RFC 5280: they are signed, and fetching them
// must not depend on TLS validation); for an https:// distribution point
// the server's certificate is verified against roots (the global trust
// roots; nil means the system pool).
func fetchCRL(ctx context.Context, u string, maxSize int64, timeout time.Duration, address string, roots *x509.CertPool, issuer *x509.Certificate) (map[string]bool, time.Time, error) {
	pu, err := url.Parse(u)
	if err != nil || (pu.Scheme != "http" && pu.Scheme != "https") {
		return nil, time.Time{}, scrape.Fail("crl_bad_url", fmt.Errorf("CRL distribution point %q is not an http(s) URL", u))
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tr := httpclient.Transport(httpclient.Options{Roots: roots, Address: address, TLSHandshakeTimeout: 10 * time.Second})
	defer tr.CloseIdleConnections()
	cl := &http.Client{Transport: tr, CheckRedirect: func(_ *http.Request, via []*http.Request) error {
		if len(via) > acmehttp.MaxRedirects {
			return errors.New("too many redirects")
		}
		return nil
	}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, time.Time{}, scrape.Fail("crl_bad_url", err)
	}
	req.Header.Set("User-Agent", httpclient.UserAgent)
	resp, err := cl.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, time.Time{}, scrape.Fail("crl_timeout", err)
		}
		var certErr *tls.CertificateVerificationError
		if errors.As(err, &certErr) {
			return nil, time.Time{}, scrape.Fail("crl_tls_verify_failed", err)
		}
		return nil, time.Time{}, scrape.Fail("crl_fetch_failed", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, time.Time{}, scrape.Fail("crl_http_status", fmt.Errorf("%s answered HTTP %d", u, resp.StatusCode))
	}
	if resp.ContentLength > maxSize {
		return nil, time.Time{}, scrape.Fail("crl_too_large", fmt.Errorf("%s is %d bytes, more than max_size %d", u, resp.ContentLength, maxSize))
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxSize+1))
	if err != nil {
		return nil, time.Time{}, scrape.Fail("crl_fetch_failed", err)
	}
	if int64(len(body)) > maxSize {
		return nil, time.Time{}, scrape.Fail("crl_too_large", fmt.Errorf("%s is larger than max_size %d", u, maxSize))
	}
	rl, err := ParseCRL(body)
	if err != nil {
		return nil, time.Time{}, scrape.Fail("crl_parse_error", err)
	}
	if err := rl.CheckSignatureFrom(issuer); err != nil {
		return nil, time.Time{}, scrape.Fail("crl_bad_signature", err)
	}
	serials := make(map[string]bool, len(rl.RevokedCertificateEntries))
	for _, r := range rl.RevokedCertificateEntries {
		serials[fmt.Sprintf("%x", r.SerialNumber)] = true
	}
	return serials, rl.NextUpdate, nil
}

// ParseCRL parses a DER CRL (what CAs publish) or a PEM one.
func ParseCRL(b []byte) (*x509.RevocationList, error) {
	if blk, _ := pem.Decode(b); blk != nil && blk.Type == "X509 CRL" {
		b = blk.Bytes
	}
	return x509.ParseRevocationList(b)
}
