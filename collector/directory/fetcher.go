// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package directory

import (
	"context"
	"crypto/x509"
	"errors"
	"net"
	"net/url"
	"sync"
	"time"

	"github.com/acme-exporter/acme_exporter/internal/acmehttp"
	"github.com/acme-exporter/acme_exporter/internal/guard"
	"github.com/acme-exporter/acme_exporter/inventory"
	"github.com/acme-exporter/acme_exporter/scrape"
)

// fetcher is the one place ACME directory documents are fetched. The
// directory family's check and ARI's background workers both go through
// it: they share its HTTP clients (one connection pool per endpoint
// setting) and what was fetched, which it publishes to the directory
// store. ARI reads the store and fetches only when the directory family
// has not (it is off, or its copy is older than an hour), one fetch per
// URL at a time and none within a minute of a failed one.
type fetcher struct {
	clients clientCache

	mu     sync.Mutex
	locks  map[string]*sync.Mutex // ARI's fetches, one per URL at a time
	failed map[string]time.Time   // ARI's last failed fetch per URL
}

// directories is the process's fetcher: the directory and ARI families are
// two instances that must share it.
var directories = &fetcher{}

// fetch GETs s's directory and, unless s is a /probe target (which must
// not change what CAA and ARI believe), publishes what it says to store.
func (f *fetcher) fetch(ctx context.Context, cl *acmehttp.Client, s dirSpec, store *inventory.DirectoryStore, now func() time.Time) (*acmehttp.Directory, *acmehttp.Response, error) {
	d, r, err := cl.GetDirectory(ctx, s.url, now)
	if err == nil && !s.probed {
		store.Put(directoryMeta(s.url, d, now()))
	}
	return d, r, err
}

// metaMaxAge is how old a directory's copy in the store may be before ARI
// fetches it again itself.
const metaMaxAge = time.Hour

// meta returns what s's directory says: the store's copy when younger
// than metaMaxAge, else one fetched now (a stale copy when that fails).
func (f *fetcher) meta(ctx context.Context, s dirSpec, store *inventory.DirectoryStore, now func() time.Time) (inventory.DirectoryMeta, error) {
	if st, ok := store.Get(s.url); ok && now().Sub(st.Fetched) < metaMaxAge {
		return st, nil
	}
	l := f.lock(s.url)
	l.Lock()
	defer l.Unlock()
	st, ok := store.Get(s.url)
	if ok && now().Sub(st.Fetched) < metaMaxAge {
		return st, nil // fetched while we waited
	}
	f.mu.Lock()
	last := f.failed[s.url]
	f.mu.Unlock()
	if !last.IsZero() && now().Sub(last) < time.Minute {
		if ok {
			return st, nil // a stale copy beats none
		}
		return inventory.DirectoryMeta{}, scrape.Fail("directory_unavailable", errors.New("the directory could not be fetched less than a minute ago"))
	}
	cl, err := s.client(&f.clients)
	if err != nil {
		return inventory.DirectoryMeta{}, scrape.Fail("bad_url", err)
	}
	d, _, err := f.fetch(ctx, cl, s, store, now)
	if err != nil {
		f.mu.Lock()
		if f.failed == nil {
			f.failed = map[string]time.Time{}
		}
		if len(f.failed) > maxTracked {
			clear(f.failed)
		}
		f.failed[s.url] = now()
		f.mu.Unlock()
		if ok {
			return st, nil
		}
		return inventory.DirectoryMeta{}, acmeFailure("directory_", err)
	}
	return directoryMeta(s.url, d, now()), nil
}

// maxTracked bounds the per-URL maps: directories come from the config and
// discovery, so more than this means something churns; start over.
const maxTracked = 1024

func (f *fetcher) lock(u string) *sync.Mutex {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.locks == nil {
		f.locks = map[string]*sync.Mutex{}
	}
	l := f.locks[u]
	if l == nil {
		if len(f.locks) > maxTracked {
			clear(f.locks) // held locks stay with their holders
		}
		l = &sync.Mutex{}
		f.locks[u] = l
	}
	return l
}

// directoryMeta is what other families learn from a directory document.
func directoryMeta(u string, d *acmehttp.Directory, at time.Time) inventory.DirectoryMeta {
	return inventory.DirectoryMeta{URL: u, CAAIdentities: d.Meta.CAAIdentities,
		Profiles: sortedCopy(mapKeys(d.Meta.Profiles)), RenewalInfo: d.RenewalInfo, Fetched: at}
}

// clientCache reuses HTTP clients (and their connections) per endpoint setting.
type clientCache struct {
	mu sync.Mutex
	m  map[clientKey]*acmehttp.Client
}

type clientKey struct {
	host, address, resolver string
	roots                   *x509.CertPool
	policy                  *guard.Policy
}

func (c *clientCache) get(k clientKey) *acmehttp.Client {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[clientKey]*acmehttp.Client{}
	}
	if cl := c.m[k]; cl != nil {
		return cl
	}
	if len(c.m) > 256 { // reloads and /probe targets: start over
		clear(c.m)
	}
	d := k.policy.Dialer(net.Dialer{Timeout: 10 * time.Second})
	cl := acmehttp.New(acmehttp.Options{Roots: k.roots, Dialer: d, Address: k.address,
		OverrideHost: k.host, Resolver: k.resolver})
	c.m[k] = cl
	return cl
}

func (s dirSpec) client(cache *clientCache) (*acmehttp.Client, error) {
	u, err := url.Parse(s.url)
	if err != nil {
		return nil, err
	}
	return cache.get(clientKey{host: acmehttp.HostPort(u), address: s.address, resolver: s.resolver,
		roots: s.roots, policy: s.policy}), nil
}
