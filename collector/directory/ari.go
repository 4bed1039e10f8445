// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package directory

import (
	"context"
	"errors"
	"log/slog"
	"path"
	"sync"
	"sync/atomic"
	"time"

	"github.com/acme-exporter/acme_exporter/config"
	"github.com/acme-exporter/acme_exporter/internal/acmehttp"
	"github.com/acme-exporter/acme_exporter/internal/failure"
	"github.com/acme-exporter/acme_exporter/inventory"
	"github.com/acme-exporter/acme_exporter/scrape"
)

const ariCheck = "ari"

// errNoARI: the issuing CA's directory advertises no renewalInfo.
var errNoARI = errors.New("the directory advertises no renewalInfo")

var (
	ariStartDesc = scrape.Desc(ariCheck, "acme_ari_window_start_timestamp_seconds",
		"Start of the CA's suggested renewal window (RFC 9773 ARI), as a Unix time. Fetched by a bounded background worker at most once per certificate per Retry-After (clamped to 1m..24h), so a new certificate shows up a scrape or more after it appears.",
		"name", "source", "target")
	ariEndDesc = scrape.Desc(ariCheck, "acme_ari_window_end_timestamp_seconds",
		"End of the CA's suggested renewal window (RFC 9773 ARI), as a Unix time; a window already past means renew now (revocation, incident).",
		"name", "source", "target")
	ariExplanationDesc = scrape.Desc(ariCheck, "acme_ari_explanation_info",
		"1 while the CA attaches an explanation URL (incident, revocation) to a certificate's renewal window.",
		"name", "url")
	ariNextPollDesc = scrape.Desc(ariCheck, "acme_ari_next_poll_timestamp_seconds",
		"When the certificate's renewal information is fetched again (from Retry-After, clamped), as a Unix time.",
		"name", "source", "target")
)

// ariRequests counts renewalInfo requests sent, for tests.
var ariRequests atomic.Int64

func init() {
	scrape.Register(ariCheck, true, func(l *slog.Logger) scrape.Collector { return newARICollector(l) })
}

// ariEntry is the cached state of one certificate at one directory.
type ariEntry struct {
	info     *acmehttp.RenewalInfo
	err      error
	fetched  time.Time
	next     time.Time // not fetched again before
	failures int       // consecutive temporary failures, for backoff
	queued   bool
	lastUsed time.Time
}

type ariJob struct {
	store   *inventory.DirectoryStore
	key     string
	dir     dirSpec
	certID  string
	now     func() time.Time
	timeout time.Duration
}

type ariCollector struct {
	logger *slog.Logger

	mu      sync.Mutex
	entries map[string]*ariEntry
	queue   chan ariJob
	workers int
	// idle is how long a background fetcher waits for work before it
	// ends (ariIdle; a field so a test can shorten it for its own
	// collector without touching other tests' workers).
	idle time.Duration
	// own holds the directories this family fetched itself when the Env
	// has no shared store.
	own *inventory.DirectoryStore

	// Close stops the workers: stop ends their wait, ctx their fetch in
	// flight, wg is how Close knows they have ended; closed (under mu)
	// keeps new ones from starting.
	stop   chan struct{}
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	closed bool
}

func newARICollector(l *slog.Logger) *ariCollector {
	ctx, cancel := context.WithCancel(context.Background())
	return &ariCollector{logger: l, entries: map[string]*ariEntry{}, queue: make(chan ariJob, 4096), idle: ariIdle,
		own: inventory.NewDirectoryStore(), stop: make(chan struct{}), ctx: ctx, cancel: cancel}
}

// Close stops the background workers, cancelling their fetches in flight,
// and returns once they have ended. Scrapes after Close serve what was
// fetched and queue nothing. The exporter closes its families when it
// shuts down.
func (c *ariCollector) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	c.cancel()
	close(c.stop)
	c.mu.Unlock()
	c.wg.Wait()
	return nil
}

// ariIdle is how long a background fetcher waits for work before it
// ends: an exporter whose certificates are all answered for hours keeps
// no goroutines for ARI, and queuing a fetch starts one again.
const ariIdle = 5 * time.Minute

// startWorkersLocked starts background fetchers up to n (more after a
// reload that raised concurrency). c.mu is held.
func (c *ariCollector) startWorkersLocked(n int) {
	for !c.closed && c.workers < n {
		c.workers++
		c.wg.Add(1)
		go c.work()
	}
}

// work fetches queued jobs until none came for ariIdle. Jobs are queued
// under c.mu, which the decision to end takes too, so a job queued as a
// worker ends finds the worker count already lowered and starts another.
func (c *ariCollector) work() {
	defer c.wg.Done()
	idle := time.NewTimer(c.idle)
	defer idle.Stop()
	for {
		select {
		case <-c.stop:
			c.mu.Lock()
			c.workers--
			c.mu.Unlock()
			return
		case j := <-c.queue:
			c.fetch(j)
			idle.Reset(c.idle)
		case <-idle.C:
			c.mu.Lock()
			if len(c.queue) > 0 {
				c.mu.Unlock()
				idle.Reset(c.idle)
				continue
			}
			c.workers--
			c.mu.Unlock()
			return
		}
	}
}

// issuingDirectory picks the directory that issued c: the one discovery
// says the client uses for the certificate's name, else the one whose
// issuer names (configured, or Let's Encrypt's own for its directories)
// match c's issuer. A certificate no directory claims is not asked about:
// asking a CA about a certificate it never issued (a local CA's, because
// it was the only directory known) yields "certificate_unknown" forever,
// which is no fault of anything the operator can fix.
func issuingDirectory(env *scrape.Env, specs []dirSpec, c *inventory.Certificate) (dirSpec, bool) {
	byURL := func(u string) (dirSpec, bool) {
		for _, s := range specs {
			if s.url == u {
				return s, true
			}
		}
		return dirSpec{}, false
	}
	for _, d := range env.Discovered.Domains {
		if d.Directory == "" || d.Lineage != c.Name || (c.Client != "" && d.Client != "" && d.Client != c.Client) {
			continue
		}
		if s, ok := byURL(d.Directory); ok {
			return s, true
		}
	}
	for _, s := range specs {
		if issuerMatches(directoryIssuers(s), c.Issuer) {
			return s, true
		}
	}
	return dirSpec{}, false
}

// directoryIssuers are the issuer names of a directory: configured ones,
// else Let's Encrypt's intermediates for its production and staging
// directories (staging intermediates are named "(STAGING) ...").
func directoryIssuers(s dirSpec) []string {
	switch {
	case len(s.issuers) > 0:
		return s.issuers
	case s.url == config.LetsEncryptProduction:
		return config.LetsEncryptIssuers
	case s.url == config.LetsEncryptStaging:
		return []string{"(STAGING) *"}
	}
	return nil
}

// issuerMatches reports whether issuer equals one of the names or matches
// one as a path.Match pattern ("Pebble Intermediate CA *").
func issuerMatches(names []string, issuer string) bool {
	for _, n := range names {
		if n == issuer {
			return true
		}
		if ok, _ := path.Match(n, issuer); ok {
			return true
		}
	}
	return false
}

func (c *ariCollector) Targets(env *scrape.Env) ([]scrape.Target, error) {
	cfg := env.Config.ARI
	if cfg.Disabled {
		return nil, nil
	}
	specs := directorySpecs(env)
	if len(specs) == 0 {
		// No directory to ask: the directory family already says none is
		// configured; thousands of per-certificate failures would add
		// nothing but series.
		return nil, nil
	}
	certs := env.Inventory.Current(nil)
	ts := make([]scrape.Target, 0, len(certs))
	budget := &atomic.Int64{}
	budget.Store(int64(cfg.MaxPerScrape))
	now := env.Now()
	live := map[string]bool{}
	for _, cert := range certs {
		dir, ok := issuingDirectory(env, specs, cert)
		if !ok {
			continue // no known CA issued it: nothing to ask, nothing to report
		}
		id, idErr := acmehttp.CertID(cert.AuthorityKeyID, cert.SerialNumber())
		key := dir.url + "|" + id
		live[key] = true
		ts = append(ts, scrape.Target{
			Check:  ariCheck,
			Target: cert.Path,
			Run: func(ctx context.Context, emit scrape.Emit) error {
				if idErr != nil {
					return scrape.Fail("no_cert_id", idErr)
				}
				return c.serve(env, cert, key, dir, id, budget, emit)
			},
		})
	}
	c.forget(live, now)
	return ts, nil
}

// forget drops entries of certificates not seen for a day.
func (c *ariCollector) forget(live map[string]bool, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.entries {
		if live[k] {
			e.lastUsed = now
		} else if now.Sub(e.lastUsed) > 24*time.Hour && !e.queued {
			delete(c.entries, k)
		}
	}
}

// serve emits the cached answer for one certificate and, when it is due
// and the scrape's budget allows, queues a background fetch. It never
// waits for the network.
func (c *ariCollector) serve(env *scrape.Env, cert *inventory.Certificate, key string, dir dirSpec, id string, budget *atomic.Int64, emit scrape.Emit) error {
	now := env.Now()
	c.mu.Lock()
	e := c.entries[key]
	if e == nil {
		e = &ariEntry{lastUsed: now}
		c.entries[key] = e
	}
	if !c.closed && !e.queued && !now.Before(e.next) && budget.Add(-1) >= 0 {
		select {
		case c.queue <- ariJob{store: c.store(env), key: key, dir: dir, certID: id, now: env.Now, timeout: env.Config.ARI.Timeout.D()}:
			e.queued = true
			c.startWorkersLocked(env.Config.ARI.Concurrency)
		default: // queue full: a later scrape tries again
		}
	}
	info, err, fetched, next := e.info, e.err, e.fetched, e.next
	c.mu.Unlock()

	l := []string{cert.Name, cert.Source, cert.Path}
	if !next.IsZero() {
		emit(scrape.Gauge(ariNextPollDesc, scrape.UnixSeconds(next), l...))
	}
	if fetched.IsZero() {
		return scrape.Fail("pending", errors.New("renewal information not fetched yet (background worker)"))
	}
	if errors.Is(err, errNoARI) {
		return nil
	}
	if info != nil {
		emit(scrape.Gauge(ariStartDesc, scrape.UnixSeconds(info.Start), l...))
		emit(scrape.Gauge(ariEndDesc, scrape.UnixSeconds(info.End), l...))
		if info.ExplanationURL != "" {
			emit(scrape.Gauge(ariExplanationDesc, 1, cert.Name, info.ExplanationURL))
		}
	}
	return err
}

// store is where directory documents are shared: the Env's, else our own.
func (c *ariCollector) store(env *scrape.Env) *inventory.DirectoryStore {
	if env.Directories != nil {
		return env.Directories
	}
	return c.own
}

// fetch runs in the background worker.
func (c *ariCollector) fetch(j ariJob) {
	ctx, cancel := context.WithTimeout(c.ctx, j.timeout)
	defer cancel()
	info, err := c.get(ctx, j)
	now := j.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entries[j.key]
	if e == nil {
		e = &ariEntry{lastUsed: now}
		c.entries[j.key] = e
	}
	e.queued = false
	e.fetched = now
	if err == nil {
		e.info, e.err, e.failures = info, nil, 0
		e.next = now.Add(info.RetryAfter)
		return
	}
	e.err = err
	var ae *failure.Error
	temporary := errors.As(err, &ae) && (ae.Status >= 500 || ae.Reason == "timeout" || ae.Reason == "rate_limited")
	if ctx.Err() != nil {
		temporary = true
	}
	if temporary {
		// Exponential backoff from a minute, capped at six hours; the
		// last good window stays served meanwhile.
		e.failures++
		d := acmehttp.RetryAfterMin << min(e.failures-1, 9)
		e.next = now.Add(min(d, acmehttp.RetryAfterLongTerm))
		return
	}
	// Long-term errors (unknown certificate, invalid object, connection
	// refused, other HTTP errors): next try in ~6 h (RFC 9773 §4.3).
	// The last good window stays served unless the CA disowned the
	// certificate or answered nonsense.
	switch scrape.ReasonOf(err) {
	case "certificate_unknown", "invalid_window", "bad_json":
		e.info = nil
	}
	e.next = now.Add(acmehttp.RetryAfterLongTerm)
}

// get reads the directory's renewalInfo URL (through the fetcher the
// directory family shares) and fetches the certificate's renewal information.
func (c *ariCollector) get(ctx context.Context, j ariJob) (*acmehttp.RenewalInfo, error) {
	cl, err := j.dir.client(&directories.clients)
	if err != nil {
		return nil, scrape.Fail("bad_url", err)
	}
	st, err := directories.meta(ctx, j.dir, j.store, j.now)
	if err != nil {
		return nil, err
	}
	if st.RenewalInfo == "" {
		// A CA without ARI is a state, not a failure: no window to
		// report (errNoARI is served as success with no series).
		return nil, errNoARI
	}
	ariRequests.Add(1)
	info, _, err := cl.GetRenewalInfo(ctx, st.RenewalInfo, j.certID, j.now)
	if err != nil {
		var ae *failure.Error
		if errors.As(err, &ae) {
			return nil, err
		}
		return nil, scrape.Fail("error", err)
	}
	return info, nil
}
