// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

// Package dns01 checks the DNS side of issuance: DNS-01 challenge
// readiness (delegation, nameservers in sync, CNAME targets, DNSSEC) and
// the CAA records that decide which CA may issue. The two families share
// their resolver settings, and a dns01 /probe checks CAA too.
package dns01

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"

	"github.com/acme-exporter/acme_exporter/config"
	"github.com/acme-exporter/acme_exporter/internal/dnsclient"
	"github.com/acme-exporter/acme_exporter/internal/guard"
	"github.com/acme-exporter/acme_exporter/scrape"
)

const dnsCheck = "dns01"

// Zone series carry zone and nameserver; nameserver is "<NS host>@<ip>"
// (":port" added when not 53), or the bare NS host when it has no address.
// At most maxNameservers addresses per zone are checked.
var (
	dnsNSUpDesc = scrape.Desc(dnsCheck, "acme_dns_nameserver_up",
		"1 when the nameserver answered the zone's SOA query authoritatively (AA bit, NOERROR, SOA of the zone), asked directly with RD=0.",
		"zone", "nameserver")
	dnsNSFailureDesc = scrape.Desc(dnsCheck, "acme_dns_nameserver_failure_info",
		"1 while a nameserver is not up, with a bounded reason (timeout, refused, servfail, not_authoritative, no_address, ...); absent otherwise.",
		"zone", "nameserver", "reason")
	dnsSOASerialDesc = scrape.Desc(dnsCheck, "acme_dns_soa_serial",
		"SOA serial the nameserver serves for the zone.",
		"zone", "nameserver")
	dnsSOAConsistentDesc = scrape.Desc(dnsCheck, "acme_dns_soa_serial_consistent",
		"1 when every nameserver that answered serves the same SOA serial; 0 when they differ or none answered.",
		"zone")
	dnsNSStaleDesc = scrape.Desc(dnsCheck, "acme_dns_nameserver_stale",
		"1 when the nameserver's SOA serial is behind the highest serial served for the zone (RFC 1982 comparison): it stopped transferring.",
		"zone", "nameserver")
	dnsQueryDurationDesc = scrape.Desc(dnsCheck, "acme_dns_query_duration_seconds",
		"Time the nameserver took to answer the zone's SOA query, in seconds (including a TCP retry after truncation).",
		"zone", "nameserver")
	dnsDelegationDesc = scrape.Desc(dnsCheck, "acme_dns_delegation_consistent",
		"1 when the NS set delegated by the parent zone equals the NS set the zone publishes; absent when the parent could not be asked.",
		"zone")
	dnsRRSIGExpiryDesc = scrape.Desc(dnsCheck, "acme_dns_rrsig_expiry_timestamp_seconds",
		"Earliest RRSIG expiration among the signatures of the zone's SOA and of the challenge TXT the nameserver returned, as a Unix time; absent for unsigned zones.",
		"zone", "nameserver")

	dnsChallengeInfoDesc = scrape.Desc(dnsCheck, "acme_dns_challenge_info",
		"1 for each checked domain: the challenge name queried (the end of the _acme-challenge CNAME chain) and its zone.",
		"domain", "name", "zone")
	dnsCNAMEHealthyDesc = scrape.Desc(dnsCheck, "acme_dns_cname_target_healthy",
		"1 when _acme-challenge is a CNAME whose target zone was found and all its nameservers are up; absent without a CNAME.",
		"domain")
	dnsTXTRecordsDesc = scrape.Desc(dnsCheck, "acme_dns_txt_records",
		"Number of TXT records the nameserver returns at the challenge name.",
		"domain", "nameserver")
	dnsTXTConsistentDesc = scrape.Desc(dnsCheck, "acme_dns_txt_consistent",
		"1 when every nameserver that answered returns the same set of TXT values at the challenge name.",
		"domain")
	dnsTXTTTLDesc = scrape.Desc(dnsCheck, "acme_dns_txt_ttl_seconds",
		"Highest TTL of the challenge TXT records across nameservers, in seconds; absent when there are none.",
		"domain")
	dnsTXTLeftoverDesc = scrape.Desc(dnsCheck, "acme_dns_txt_leftover_records",
		"Distinct challenge TXT values beyond what the client keeps by design (the canary excluded; two allowed behind a CNAME, the acme-dns pattern).",
		"domain")
	dnsCanaryDesc = scrape.Desc(dnsCheck, "acme_dns_canary_present",
		"1 when the nameserver returns the configured canary TXT value at the challenge name; absent without a canary.",
		"domain", "nameserver")
)

func init() {
	scrape.Register(dnsCheck, true, func(l *slog.Logger) scrape.Collector { return newDNSCollector(l) })
}

type dnsCollector struct {
	logger *slog.Logger
	mu     sync.Mutex
	// owners: zone -> the domain whose target emits the zone's series, so
	// that domains sharing a zone do not emit them twice in one scrape.
	owners map[string]string
}

func newDNSCollector(l *slog.Logger) *dnsCollector {
	return &dnsCollector{logger: l, owners: map[string]string{}}
}

// dnsSpec is one domain to check with its settings.
type dnsSpec struct {
	domain       string // as configured or discovered, "*." kept
	resolver     string
	explicit     map[string]string
	canary       string
	queryTimeout time.Duration
	minInterval  time.Duration
	concurrency  int
	port         int
	policy       *guard.Policy // nil for the operator's own config
	shareZone    bool          // dedupe zone series between targets
}

// challengeName is the record DNS-01 validation reads.
func challengeName(domain string) string {
	return "_acme-challenge." + strings.TrimPrefix(dnsclient.Bare(domain), "*.") + "."
}

func (c *dnsCollector) Targets(env *scrape.Env) ([]scrape.Target, error) {
	specs := dnsSpecs(env)
	keep := map[string]bool{}
	ts := make([]scrape.Target, 0, len(specs))
	for _, s := range specs {
		keep[s.domain] = true
		ts = append(ts, c.target(env, s))
	}
	c.mu.Lock()
	for z, d := range c.owners {
		if !keep[d] {
			delete(c.owners, z)
		}
	}
	c.mu.Unlock()
	return ts, nil
}

// dnsSpecs merges configured and discovered DNS-01 domains, de-duplicated
// by challenge name (example.com and *.example.com share one record).
func dnsSpecs(env *scrape.Env) []dnsSpec {
	sec := env.Config.DNS01
	def := sec.Defaults
	seen := map[string]bool{}
	var out []dnsSpec
	for _, d := range sec.Domains {
		cn := challengeName(d.Domain)
		if seen[cn] {
			continue
		}
		seen[cn] = true
		ex := map[string]string{}
		for k, v := range d.Nameservers {
			ex[dnsclient.Canon(k)] = v
		}
		out = append(out, dnsSpec{domain: d.Domain, resolver: d.Resolver, explicit: ex, canary: d.Canary,
			queryTimeout: d.QueryTimeout.D(), minInterval: d.MinInterval.D(), concurrency: def.Concurrency,
			port: 53, shareZone: true})
	}
	for _, d := range env.Discovered.Domains {
		if d.Challenge != "dns-01" {
			continue
		}
		cn := challengeName(d.Name)
		if seen[cn] || config.CheckDNSName(strings.TrimPrefix(dnsclient.Bare(d.Name), "*.")) != nil {
			continue
		}
		seen[cn] = true
		out = append(out, dnsSpec{domain: dnsclient.Bare(d.Name), resolver: def.Resolver,
			queryTimeout: orDefault(def.QueryTimeout.D(), config.DefaultDNSQueryTimeout),
			minInterval:  orDefault(def.MinInterval.D(), config.DefaultDNSMinInterval),
			concurrency:  max(def.Concurrency, 1), port: 53, shareZone: true})
	}
	return out
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

func (c *dnsCollector) target(env *scrape.Env, s dnsSpec) scrape.Target {
	return scrape.Target{
		Check:       dnsCheck,
		Target:      s.domain,
		MinInterval: s.minInterval,
		Run: func(ctx context.Context, emit scrape.Emit) error {
			return c.check(ctx, env, s, emit)
		},
	}
}

// resolverFor builds the resolver of a spec.
func resolverFor(s dnsSpec) (*dnsclient.Resolver, error) {
	addr := s.resolver
	if addr == "" {
		cc, err := dns.ClientConfigFromFile("/etc/resolv.conf")
		if err != nil || len(cc.Servers) == 0 {
			return nil, scrape.Fail("no_resolver", errors.New("no resolver configured and none in /etc/resolv.conf"))
		}
		addr = net.JoinHostPort(cc.Servers[0], cc.Port)
	}
	base := net.Dialer{}
	return &dnsclient.Resolver{
		Client:   &dnsclient.Client{Timeout: s.queryTimeout, Dialer: &base},
		Addr:     addr,
		Auth:     &dnsclient.Client{Timeout: s.queryTimeout, Dialer: s.policy.Dialer(base)},
		Port:     s.port,
		Explicit: s.explicit,
	}, nil
}

// resolverFailure classifies an error of a recursive step.
func resolverFailure(err error) error {
	switch r := dnsclient.Reason(err); r {
	case "cname_loop", "zone_not_found", "no_nameservers":
		return scrape.Fail(r, err)
	case "timeout":
		return scrape.Fail("resolver_timeout", err)
	}
	return scrape.Fail("resolver_error", err)
}

// nsResult is what one nameserver address said.
type nsResult struct {
	label, ns, addr string
	up              bool
	reason          string
	serial          uint32
	took            time.Duration
	rrsigExpiry     time.Time // zero when unsigned
	txtOK           bool
	txt             []string // sorted TXT values (strings of one RR joined)
	ttl             uint32
}

func (c *dnsCollector) check(ctx context.Context, env *scrape.Env, s dnsSpec, emit scrape.Emit) error {
	res, err := resolverFor(s)
	if err != nil {
		return err
	}
	name, chain, err := res.FollowCNAME(ctx, challengeName(s.domain))
	if err != nil {
		return resolverFailure(err)
	}
	zone, err := res.FindZone(ctx, name)
	if err != nil {
		return resolverFailure(err)
	}
	zoneNS, err := res.ZoneNS(ctx, zone)
	if err != nil {
		return resolverFailure(err)
	}
	if len(zoneNS) == 0 {
		return scrape.Fail("no_nameservers", errors.New(zone+" publishes no NS records"))
	}
	deleg, derr := res.Delegation(ctx, zone)
	if derr != nil {
		c.logger.Debug("Parent delegation not obtained", "zone", zone, "err", derr)
	}
	if ctx.Err() != nil {
		return scrape.Fail("timeout", ctx.Err())
	}
	all := slices.Clone(zoneNS)
	for _, n := range deleg {
		if !slices.Contains(all, n) {
			all = append(all, n)
		}
	}
	slices.Sort(all)
	results := c.queryAll(ctx, res, s, zone, name, all)

	emitZone := true
	if s.shareZone {
		emitZone = c.claim(zone, s.domain)
	}
	if emitZone {
		emitZoneSeries(emit, zone, results, zoneNS, deleg, derr == nil)
	}
	emitDomainSeries(emit, s, zone, name, chain, results)
	return nil
}

// claim makes domain the emitter of zone's series unless another current
// domain already is; it releases zones domain no longer resolves to.
func (c *dnsCollector) claim(zone, domain string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for z, d := range c.owners {
		if d == domain && z != zone {
			delete(c.owners, z)
		}
	}
	if d, ok := c.owners[zone]; ok && d != domain {
		return false
	}
	c.owners[zone] = domain
	return true
}

// queryAll resolves the nameservers' addresses and asks each for the
// zone's SOA and the challenge TXT, at most s.concurrency at once.
func (c *dnsCollector) queryAll(ctx context.Context, res *dnsclient.Resolver, s dnsSpec, zone, name string, nss []string) []nsResult {
	var out []nsResult
	for _, ns := range nss {
		if len(out) >= dnsclient.MaxNameservers {
			break
		}
		addrs, err := res.Addresses(ctx, ns)
		if err != nil {
			out = append(out, nsResult{label: dnsclient.Bare(ns), ns: ns, reason: "no_address"})
			continue
		}
		for _, a := range addrs {
			if len(out) >= dnsclient.MaxNameservers {
				break
			}
			out = append(out, nsResult{label: nsLabel(ns, a), ns: ns, addr: a})
		}
	}
	sem := make(chan struct{}, max(s.concurrency, 1))
	var wg sync.WaitGroup
	for i := range out {
		if out[i].addr == "" {
			continue
		}
		wg.Add(1)
		go func(r *nsResult) {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
				defer func() { <-sem }()
			case <-ctx.Done():
				r.reason = "timeout"
				return
			}
			queryNameserver(ctx, res.Auth, zone, name, r)
		}(&out[i])
	}
	wg.Wait()
	sort.Slice(out, func(i, j int) bool { return out[i].label < out[j].label })
	return out
}

// nsLabel formats the nameserver label: host@ip, with :port unless 53.
func nsLabel(ns, addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err == nil && port == "53" {
		return dnsclient.Bare(ns) + "@" + host
	}
	return dnsclient.Bare(ns) + "@" + addr
}

// queryNameserver asks one address for the zone's SOA and the TXT at name.
func queryNameserver(ctx context.Context, cl *dnsclient.Client, zone, name string, r *nsResult) {
	m, took, err := cl.Exchange(ctx, r.addr, dnsclient.Query{Name: zone, Qtype: dns.TypeSOA, Dnssec: true})
	r.took = took
	if err != nil {
		r.reason = dnsclient.Reason(err)
		return
	}
	if err := dnsclient.RcodeError(m); err != nil {
		r.reason = dnsclient.Reason(err)
		return
	}
	if !m.Authoritative {
		r.reason = "not_authoritative"
		return
	}
	found := false
	for _, rr := range m.Answer {
		if soa, ok := rr.(*dns.SOA); ok && dnsclient.Canon(soa.Hdr.Name) == zone {
			r.serial, found = soa.Serial, true
		}
	}
	if !found {
		r.reason = "no_soa"
		return
	}
	r.up = true
	r.rrsigExpiry = minRRSIGExpiry(m.Answer, r.rrsigExpiry)

	t, _, err := cl.Exchange(ctx, r.addr, dnsclient.Query{Name: name, Qtype: dns.TypeTXT, Dnssec: true})
	if err != nil {
		return
	}
	if t.Rcode != dns.RcodeSuccess && t.Rcode != dns.RcodeNameError {
		return
	}
	vals, ttl := txtValues(t.Answer, name)
	r.txtOK, r.txt, r.ttl = true, vals, ttl
	r.rrsigExpiry = minRRSIGExpiry(t.Answer, r.rrsigExpiry)
}

// txtValues returns the sorted distinct TXT values owned by name (the
// strings of one record concatenated, as ACME validation does) and their
// highest TTL.
func txtValues(rrs []dns.RR, name string) ([]string, uint32) {
	var vals []string
	var ttl uint32
	for _, rr := range rrs {
		if t, ok := rr.(*dns.TXT); ok && dnsclient.Canon(t.Hdr.Name) == dnsclient.Canon(name) {
			vals = append(vals, strings.Join(t.Txt, ""))
			ttl = max(ttl, t.Hdr.Ttl)
		}
	}
	slices.Sort(vals)
	return slices.Compact(vals), ttl
}

// minRRSIGExpiry returns the earliest RRSIG expiration in rrs and cur.
func minRRSIGExpiry(rrs []dns.RR, cur time.Time) time.Time {
	for _, rr := range rrs {
		if sig, ok := rr.(*dns.RRSIG); ok {
			t := rrsigTime(sig.Expiration, sig.Inception)
			if cur.IsZero() || t.Before(cur) {
				cur = t
			}
		}
	}
	return cur
}

// rrsigTime turns a 32-bit RRSIG expiration into a time, using serial
// arithmetic (RFC 4034 3.1.5) around the inception, which precedes it.
func rrsigTime(exp, inc uint32) time.Time {
	d := int64(exp - inc) // modulo 2^32: expiration follows inception
	return time.Unix(int64(inc)+d, 0).UTC()
}

// serialBehind says a is behind b in RFC 1982 serial arithmetic.
func serialBehind(a, b uint32) bool { return a != b && int32(b-a) > 0 }

func emitZoneSeries(emit scrape.Emit, zone string, rs []nsResult, zoneNS, deleg []string, delegOK bool) {
	z := dnsclient.Bare(zone)
	var highest uint32
	first := true
	up := 0
	consistent := true
	for _, r := range rs {
		if !r.up {
			continue
		}
		up++
		if first {
			highest, first = r.serial, false
			continue
		}
		if r.serial != highest {
			consistent = false
		}
		if serialBehind(highest, r.serial) {
			highest = r.serial
		}
	}
	for _, r := range rs {
		emit(scrape.Gauge(dnsNSUpDesc, scrape.Bool(r.up), z, r.label))
		if !r.up {
			emit(scrape.Gauge(dnsNSFailureDesc, 1, z, r.label, r.reason))
			if r.addr == "" {
				continue
			}
		} else {
			emit(scrape.Gauge(dnsSOASerialDesc, float64(r.serial), z, r.label))
			emit(scrape.Gauge(dnsNSStaleDesc, scrape.Bool(serialBehind(r.serial, highest)), z, r.label))
			if !r.rrsigExpiry.IsZero() {
				emit(scrape.Gauge(dnsRRSIGExpiryDesc, float64(r.rrsigExpiry.Unix()), z, r.label))
			}
		}
		if r.took > 0 {
			emit(scrape.Gauge(dnsQueryDurationDesc, r.took.Seconds(), z, r.label))
		}
	}
	emit(scrape.Gauge(dnsSOAConsistentDesc, scrape.Bool(up > 0 && consistent), z))
	if delegOK {
		emit(scrape.Gauge(dnsDelegationDesc, scrape.Bool(slices.Equal(zoneNS, deleg)), z))
	}
}

func emitDomainSeries(emit scrape.Emit, s dnsSpec, zone, name string, chain []string, rs []nsResult) {
	d := s.domain
	emit(scrape.Gauge(dnsChallengeInfoDesc, 1, d, dnsclient.Bare(name), dnsclient.Bare(zone)))
	if len(chain) > 0 {
		healthy := len(rs) > 0
		for _, r := range rs {
			healthy = healthy && r.up
		}
		emit(scrape.Gauge(dnsCNAMEHealthyDesc, scrape.Bool(healthy), d))
	}
	var ref []string
	answered := 0
	consistent := true
	var ttl uint32
	union := map[string]bool{}
	for _, r := range rs {
		if !r.txtOK {
			continue
		}
		emit(scrape.Gauge(dnsTXTRecordsDesc, float64(len(r.txt)), d, r.label))
		if s.canary != "" {
			emit(scrape.Gauge(dnsCanaryDesc, scrape.Bool(slices.Contains(r.txt, s.canary)), d, r.label))
		}
		if answered == 0 {
			ref = r.txt
		} else if !slices.Equal(ref, r.txt) {
			consistent = false
		}
		answered++
		ttl = max(ttl, r.ttl)
		for _, v := range r.txt {
			union[v] = true
		}
	}
	if answered == 0 {
		return
	}
	emit(scrape.Gauge(dnsTXTConsistentDesc, scrape.Bool(consistent), d))
	if len(union) > 0 {
		emit(scrape.Gauge(dnsTXTTTLDesc, float64(ttl), d))
	}
	n := len(union)
	if s.canary != "" && union[s.canary] {
		n--
	}
	if len(chain) > 0 {
		n -= 2 // acme-dns keeps the two latest values by design
	}
	emit(scrape.Gauge(dnsTXTLeftoverDesc, float64(max(n, 0)), d))
}

// ProbeTargets serves the dns01 module kind: the target is a domain; the
// module's names must match it and its CIDR policy applies to every
// nameserver address dialled. It returns the DNS-01 and the CAA check.
func (c *dnsCollector) ProbeTargets(ctx context.Context, env *scrape.Env, m *config.Module, target string) ([]scrape.Target, error) {
	domain := dnsclient.Bare(strings.TrimSpace(target))
	if config.CheckDNSName(strings.TrimPrefix(domain, "*.")) != nil {
		return nil, scrape.Refuse("target %q is not a domain name", target)
	}
	if _, err := netip.ParseAddr(domain); err == nil {
		return nil, scrape.Refuse("target %q is an IP address: DNS-01 needs a domain", target)
	}
	p := guard.FromModule(m)
	if err := p.CheckName(domain); err != nil {
		return nil, scrape.Refuse("%v", err)
	}
	set, err := config.ParseDNS01ProbeSettings(&m.Settings)
	if err != nil {
		return nil, scrape.Refuse("module settings: %v", err)
	}
	s := dnsSpec{domain: domain, resolver: set.Resolver, explicit: map[string]string{},
		queryTimeout: set.QueryTimeout.D(), concurrency: config.DefaultDNSConcurrency,
		port: set.Port, policy: p}
	ids := set.CAAIdentities
	if len(ids) == 0 {
		ids = []string{"letsencrypt.org"}
	}
	cs := caaSpec{domain: domain, resolver: set.Resolver, queryTimeout: set.QueryTimeout.D(),
		identities: ids, method: "dns-01"}
	return []scrape.Target{c.target(env, s), caaTarget(cs)}, nil
}

func (c *dnsCollector) Kinds() []string { return []string{dnsCheck} }
