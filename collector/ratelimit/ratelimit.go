// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

// Package ratelimit counts the certificates issued per registered domain
// and name set from the inventory, against the CA's rate limits.
package ratelimit

import (
	"context"
	"log/slog"
	"net/netip"
	"path"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/net/publicsuffix"

	"github.com/acme-exporter/acme_exporter/config"
	"github.com/acme-exporter/acme_exporter/inventory"
	"github.com/acme-exporter/acme_exporter/scrape"
)

const rateLimitCheck = "ratelimit"

var (
	rlIssuedDesc = scrape.Desc(rateLimitCheck, "acme_certificates_issued",
		"Certificates with notBefore inside the CA's rate-limit window (7 days for Let's Encrypt) for exact name sets not issued before within the renewal lookback (120 days), by registered domain (public suffix list); renewals do not count. A lower bound: only certificates this exporter sees.",
		"ca", "registered_domain")
	rlDuplicateDesc = scrape.Desc(rateLimitCheck, "acme_duplicate_certificates",
		"Largest number of certificates for one exact name set with notBefore inside the CA's rate-limit window, among the name sets under the registered domain. A lower bound: only certificates this exporter sees.",
		"ca", "registered_domain")
	rlLimitDesc = scrape.Desc(rateLimitCheck, "acme_rate_limit",
		"A rate limit of the CA as configured (defaults: Let's Encrypt's), to compute headroom as a ratio.",
		"ca", "limit")
	_           = scrape.Bounded(rlLimitDesc, "limit", config.LimitNames...)
	rlEarlyDesc = scrape.Desc(rateLimitCheck, "acme_early_renewals",
		"Certificates with notBefore inside the CA's rate-limit window that replaced a certificate for the same name set and key type while more than rate_limits.early_renewal_ratio of its lifetime remained (a forced renewal that burns the duplicate limit).",
		"ca", "registered_domain")
	rlSlotFreeDesc = scrape.Desc(rateLimitCheck, "acme_duplicate_certificates_slot_free_timestamp_seconds",
		"When the window frees a slot again for the exact name set under the registered domain that has reached the duplicate_certificates limit and is blocked longest (its next normal renewal furthest before that), as a Unix time; absent while no name set has reached the limit.",
		"ca", "registered_domain")
	rlRenewalDueDesc = scrape.Desc(rateLimitCheck, "acme_duplicate_certificates_renewal_due_timestamp_seconds",
		"When the newest certificate of that same name set reaches the normal renewal point of ACME clients (1/3 of its lifetime left, 1/2 below 10 days), as a Unix time; a renewal due before the slot frees is refused unless it goes through ARI.",
		"ca", "registered_domain")
	rlSeenDesc = scrape.Desc(rateLimitCheck, "acme_rate_limit_certificates_seen",
		"Distinct certificates (by issuer and serial) in the exporter's inventory, current and history, attributed to the CA.",
		"ca")
)

// rateLimitCounts counts computations, so tests can prove the cache works.
var rateLimitCounts atomic.Int64

// maxUnknownCAs bounds the ca label values made from unknown issuer names;
// further unknown issuers share the value "other".
const maxUnknownCAs = 8

func init() {
	scrape.Register(rateLimitCheck, true, func(l *slog.Logger) scrape.Collector { return &rateLimitCollector{logger: l} })
}

type rateLimitCollector struct {
	logger *slog.Logger

	// The last computation: recounting 10,000 certificates on every scrape
	// cost more than the rest of a warm scrape. The counts only change
	// when the inventory does or when the clock passes a certificate's
	// notBefore or the end of its window (until).
	mu    sync.Mutex
	last  []prometheus.Metric
	cfg   config.RateLimits
	inv   *inventory.Inventory
	gen   uint64
	from  time.Time // the clock of the computation
	until time.Time
}

func (c *rateLimitCollector) Targets(env *scrape.Env) ([]scrape.Target, error) {
	cfg := env.Config.RateLimits
	return []scrape.Target{{
		Check:       rateLimitCheck,
		Target:      "history",
		MinInterval: cfg.MinInterval.D(),
		Run: func(ctx context.Context, emit scrape.Emit) error {
			return c.run(cfg, env.Inventory, env.Now(), emit)
		},
	}}, nil
}

func (c *rateLimitCollector) run(cfg config.RateLimits, inv *inventory.Inventory, now time.Time, emit scrape.Emit) error {
	gen := inv.Generation() // before reading: a change in between recounts next time
	c.mu.Lock()
	if c.last != nil && c.inv == inv && c.gen == gen && !now.Before(c.from) && now.Before(c.until) &&
		reflect.DeepEqual(c.cfg, cfg) {
		ms := c.last
		c.mu.Unlock()
		for _, m := range ms {
			emit(m)
		}
		return nil
	}
	c.mu.Unlock()
	var ms []prometheus.Metric
	until := computeRateLimits(cfg, inv.All(), now, func(m prometheus.Metric) { ms = append(ms, m) })
	for _, m := range ms {
		emit(m)
	}
	c.mu.Lock()
	c.last, c.cfg, c.inv, c.gen, c.from, c.until = ms, cfg, inv, gen, now, until
	c.mu.Unlock()
	return nil
}

// issued is one distinct certificate as the accounting sees it.
type issued struct {
	notBefore, notAfter time.Time
	keyType             string
}

// rlCounts are the values of one (ca, registered_domain). blocked is set
// when a name set has reached the duplicate limit: when a slot frees for
// it and when its next renewal falls due.
type rlCounts struct {
	issued, duplicates, early int
	blocked                   bool
	slotFree, renewalDue      time.Time
}

// normalRenewal is where ACME clients renew by default: 1/3 of the
// lifetime left, 1/2 for certificates shorter than 10 days.
func normalRenewal(c issued) time.Time {
	life := c.notAfter.Sub(c.notBefore) + time.Second
	if life < 10*24*time.Hour {
		return c.notBefore.Add(life / 2)
	}
	return c.notBefore.Add(life * 2 / 3)
}

// issuerKey identifies a certificate as the CA counts it.
type issuerKey struct{ issuer, serial string }

// computeRateLimits emits the counts at now and returns until when they
// hold, inventory unchanged: the next moment a certificate enters or
// leaves its CA's window.
func computeRateLimits(cfg config.RateLimits, all []*inventory.Certificate, now time.Time, emit scrape.Emit) (until time.Time) {
	rateLimitCounts.Add(1)
	until = now.Add(24 * time.Hour) // recount daily all the same
	later := func(t time.Time) {
		if t.After(now) && t.Before(until) {
			until = t
		}
	}
	// Which CA: configured patterns first, then a bounded label from the
	// issuer name.
	// An inventory has a handful of issuers: each is matched once.
	type caMatch struct {
		name string
		ca   *config.RateLimitCA
	}
	matched := map[string]caMatch{}
	match := func(issuer string) caMatch {
		if m, ok := matched[issuer]; ok {
			return m
		}
		var m caMatch
	patterns:
		for i := range cfg.CAs {
			for _, p := range cfg.CAs[i].Issuers {
				if ok, _ := path.Match(p, issuer); ok {
					m = caMatch{cfg.CAs[i].Name, &cfg.CAs[i]}
					break patterns
				}
			}
		}
		matched[issuer] = m
		return m
	}
	unknown := map[string]string{}
	var unknownNames []string
	caOf := func(issuer string) (string, *config.RateLimitCA) {
		if m := match(issuer); m.ca != nil {
			return m.name, m.ca
		}
		return unknown[issuer], nil
	}
	seen := make(map[issuerKey]bool, len(all))
	distinct := make([]*inventory.Certificate, 0, len(all)) // pointers: no copies of thousands of summaries
	for _, c := range all {
		k := issuerKey{c.Issuer, c.Serial}
		if c.Serial == "" || seen[k] {
			continue
		}
		seen[k] = true
		distinct = append(distinct, c)
		if match(c.Issuer).ca == nil && !slices.Contains(unknownNames, c.Issuer) {
			unknownNames = append(unknownNames, c.Issuer)
		}
	}
	sort.Strings(unknownNames)
	for i, n := range unknownNames {
		if i < maxUnknownCAs {
			unknown[n] = issuerLabel(n)
		} else {
			unknown[n] = "other"
		}
	}

	// ca -> exact name set -> certificates.
	sets := map[string]map[string][]issued{}
	settings := map[string]config.RateLimitCA{}
	seenPerCA := map[string]int{}
	for _, c := range distinct {
		name, ca := caOf(c.Issuer)
		if _, ok := settings[name]; !ok {
			if ca != nil {
				settings[name] = *ca
			} else {
				settings[name] = config.RateLimitCA{Name: name, Window: config.Duration(config.DefaultRateLimitWindow),
					RenewalLookback: config.Duration(config.DefaultRenewalLookback)}
			}
		}
		seenPerCA[name]++
		key := nameSet(c.DNSNames)
		if sets[name] == nil {
			sets[name] = map[string][]issued{}
		}
		sets[name][key] = append(sets[name][key], issued{c.NotBefore, c.NotAfter, c.KeyType})
	}

	for _, ca := range cfg.CAs {
		for _, l := range ca.Limits.List() {
			emit(scrape.Gauge(rlLimitDesc, float64(l.Value), ca.Name, l.Name))
		}
	}
	for ca, bySet := range sets {
		emit(scrape.Gauge(rlSeenDesc, float64(seenPerCA[ca]), ca))
		s := settings[ca]
		from := now.Add(-s.Window.D())
		counts := map[string]*rlCounts{}
		for key, certs := range bySet {
			sort.Slice(certs, func(i, j int) bool { return certs[i].notBefore.Before(certs[j].notBefore) })
			var rds []string
			for _, n := range strings.Split(key, ",") {
				if rd := registeredDomain(n); rd != "" && !slices.Contains(rds, rd) {
					rds = append(rds, rd)
				}
			}
			var inWindow, fresh, early int
			var window []issued
			for i, c := range certs {
				later(c.notBefore)
				later(c.notBefore.Add(s.Window.D()))
				if !c.notBefore.After(from) || c.notBefore.After(now) {
					continue
				}
				inWindow++
				window = append(window, c)
				renewal := false
				for _, p := range certs[:i] {
					if p.notBefore.Before(c.notBefore) && !p.notBefore.Before(c.notBefore.Add(-s.RenewalLookback.D())) {
						renewal = true
					}
				}
				if !renewal {
					fresh++
				}
				if p, ok := predecessor(certs[:i], c); ok {
					life := p.notAfter.Sub(p.notBefore) + time.Second
					if left := p.notAfter.Sub(c.notBefore); life > 0 && float64(left)/float64(life) > cfg.EarlyRenewalRatio {
						early++
					}
				}
			}
			for _, rd := range rds {
				rc := counts[rd]
				if rc == nil {
					rc = &rlCounts{}
					counts[rd] = rc
				}
				rc.issued += fresh
				rc.early += early
				rc.duplicates = max(rc.duplicates, inWindow)
				if l := s.Limits.DuplicateCertificates; l != nil && *l > 0 && inWindow >= *l {
					// The count falls below the limit when the
					// (inWindow-limit+1)-th oldest leaves the window.
					free := window[inWindow-*l].notBefore.Add(s.Window.D())
					due := normalRenewal(window[len(window)-1])
					if !rc.blocked || free.Sub(due) > rc.slotFree.Sub(rc.renewalDue) {
						rc.blocked, rc.slotFree, rc.renewalDue = true, free, due
					}
				}
			}
		}
		for rd, rc := range counts {
			emit(scrape.Gauge(rlIssuedDesc, float64(rc.issued), ca, rd))
			emit(scrape.Gauge(rlDuplicateDesc, float64(rc.duplicates), ca, rd))
			emit(scrape.Gauge(rlEarlyDesc, float64(rc.early), ca, rd))
			if rc.blocked {
				emit(scrape.Gauge(rlSlotFreeDesc, scrape.UnixSeconds(rc.slotFree), ca, rd))
				emit(scrape.Gauge(rlRenewalDueDesc, scrape.UnixSeconds(rc.renewalDue), ca, rd))
			}
		}
	}
	return until
}

// predecessor is the latest earlier certificate of the same key type.
func predecessor(earlier []issued, c issued) (issued, bool) {
	for i := len(earlier) - 1; i >= 0; i-- {
		if p := earlier[i]; p.keyType == c.keyType && p.notBefore.Before(c.notBefore) {
			return p, true
		}
	}
	return issued{}, false
}

// nameSet is the exact identifier set as the CA compares it: case- and
// order-insensitive.
func nameSet(names []string) string {
	out := make([]string, 0, len(names))
	for _, n := range names {
		out = append(out, strings.TrimSuffix(strings.ToLower(n), "."))
	}
	sort.Strings(out)
	return strings.Join(slices.Compact(out), ",")
}

// registeredDomain is what the per-domain limit counts against: the
// public suffix plus one label, an IPv4 address, or an IPv6 /64.
func registeredDomain(name string) string {
	name = strings.TrimPrefix(name, "*.")
	if ip, err := netip.ParseAddr(name); err == nil {
		if ip.Is4() || ip.Is4In6() {
			return ip.Unmap().String()
		}
		p, _ := ip.Prefix(64)
		return p.String()
	}
	if rd, err := publicsuffix.EffectiveTLDPlusOne(name); err == nil {
		return rd
	}
	return name // a single label or a public suffix itself
}

// issuerLabel makes a bounded ca label value from an unknown issuer name.
func issuerLabel(issuer string) string {
	var b strings.Builder
	b.WriteString("issuer_")
	under := true
	for _, r := range strings.ToLower(issuer) {
		if b.Len() >= 40 {
			break
		}
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			under = false
		} else if !under {
			b.WriteByte('_')
			under = true
		}
	}
	return strings.TrimSuffix(b.String(), "_")
}
