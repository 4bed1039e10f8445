// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package dns01

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/acme-exporter/acme_exporter/config"
	"github.com/acme-exporter/acme_exporter/internal/dnsclient"
	"github.com/acme-exporter/acme_exporter/inventory"
	"github.com/acme-exporter/acme_exporter/scrape"
)

const caaCheck = "caa"

var (
	caaAllowedDesc = scrape.Desc(caaCheck, "acme_dns_caa_issuance_allowed",
		"1 when CAA (RFC 8659, with the RFC 8657 accounturi and validationmethods parameters) lets the issuer issue for the domain; the reason is in acme_dns_caa_info.",
		"domain", "issuer")
	caaInfoDesc = scrape.Desc(caaCheck, "acme_dns_caa_info",
		"1 for each domain and issuer: the CAA verdict's reason and the name whose CAA RRset was relevant (empty when none was found up to the TLD).",
		"domain", "issuer", "reason", "relevant_name")
)

func init() {
	scrape.Register(caaCheck, true, func(l *slog.Logger) scrape.Collector { return &caaCollector{logger: l} })
}

type caaCollector struct{ logger *slog.Logger }

// caaSpec is one domain whose CAA is evaluated for some issuers.
type caaSpec struct {
	domain       string // "*." kept: wildcards use issuewild
	resolver     string
	queryTimeout time.Duration
	minInterval  time.Duration
	identities   []string // from the config: used when the directory's are unknown
	directory    string   // the ACME directory URL the domain is ordered from, "" when unknown
	directories  *inventory.DirectoryStore
	accountURIs  []string // the account URLs that may request; empty when unknown
	method       string   // the validation method used, "" when unknown
}

func (c *caaCollector) Targets(env *scrape.Env) ([]scrape.Target, error) {
	var ts []scrape.Target
	for _, s := range caaSpecs(env) {
		ts = append(ts, caaTarget(s))
	}
	return ts, nil
}

// leDirectory says whether a directory URL is Let's Encrypt's (production
// or staging), whose CAA identity is letsencrypt.org.
func leDirectory(u string) bool {
	u = strings.ToLower(u)
	return strings.HasPrefix(u, "https://acme-v02.api.letsencrypt.org/") ||
		strings.HasPrefix(u, "https://acme-staging-v02.api.letsencrypt.org/")
}

// caaIdentities returns the issuer domain names CAA is evaluated for: the
// domain's directory's meta.caaIdentities once the directory family has
// fetched it, letsencrypt.org for Let's Encrypt's directories, else the
// configured identities.
func (s caaSpec) caaIdentities() []string {
	if s.directory != "" {
		if m, ok := s.directories.Get(s.directory); ok {
			var ids []string
			for _, id := range m.CAAIdentities {
				// The CA's document is input: keep only valid names.
				if id = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(id), ".")); config.CheckDNSName(id) == nil && !slices.Contains(ids, id) {
					ids = append(ids, id)
				}
				if len(ids) == 8 {
					break
				}
			}
			if len(ids) > 0 {
				return ids
			}
		}
		if leDirectory(s.directory) {
			return []string{"letsencrypt.org"}
		}
	}
	return s.identities
}

func caaSpecs(env *scrape.Env) []caaSpec {
	sec := env.Config.DNS01
	def := sec.Defaults
	seen := map[string]bool{}
	var out []caaSpec
	for _, d := range sec.Domains {
		if d.CAA != nil && !*d.CAA || seen[d.Domain] {
			continue
		}
		seen[d.Domain] = true
		s := caaSpec{domain: d.Domain, resolver: d.Resolver, queryTimeout: d.QueryTimeout.D(),
			minInterval: d.MinInterval.D(), identities: d.CAAIdentities, method: "dns-01",
			directory: d.Directory, directories: env.Directories}
		if d.AccountURI != "" {
			s.accountURIs = []string{d.AccountURI}
		}
		out = append(out, s)
	}
	for _, d := range env.Discovered.Domains {
		name := dnsclient.Bare(d.Name)
		if seen[name] || config.CheckDNSName(strings.TrimPrefix(name, "*.")) != nil {
			continue
		}
		seen[name] = true
		s := caaSpec{domain: name, resolver: def.Resolver,
			queryTimeout: orDefault(def.QueryTimeout.D(), config.DefaultDNSQueryTimeout),
			minInterval:  orDefault(def.MinInterval.D(), config.DefaultDNSMinInterval),
			method:       d.Challenge, accountURIs: accountsFor(env.Discovered, d),
			identities: def.CAAIdentities, directory: d.Directory, directories: env.Directories}
		out = append(out, s)
	}
	return out
}

// accountsFor lists the account URLs the domain's client holds for its
// directory, as discovery found them.
func accountsFor(snap *inventory.Snapshot, d inventory.Domain) []string {
	var out []string
	for _, a := range snap.Accounts {
		if a.Client == d.Client && a.ID != "" && strings.HasPrefix(a.ID, "https://") &&
			(d.Directory == "" || a.Directory == "" || a.Directory == d.Directory) {
			out = append(out, a.ID)
		}
	}
	return out
}

func caaTarget(s caaSpec) scrape.Target {
	return scrape.Target{
		Check:       caaCheck,
		Target:      s.domain,
		MinInterval: s.minInterval,
		Run: func(ctx context.Context, emit scrape.Emit) error {
			return checkCAA(ctx, s, emit)
		},
	}
}

func checkCAA(ctx context.Context, s caaSpec, emit scrape.Emit) error {
	ids := s.caaIdentities()
	if len(ids) == 0 {
		return scrape.Fail("no_caa_identity", errors.New("the CA's CAA identity is unknown (its directory lists no meta.caaIdentities or was not fetched yet): set dns01_defaults.caa_identities"))
	}
	res, err := resolverFor(dnsSpec{resolver: s.resolver, queryTimeout: s.queryTimeout, port: 53})
	if err != nil {
		return err
	}
	set, relevant, err := lookupCAA(ctx, res, s.domain)
	if err != nil {
		// No verdict: the CA asks its own resolvers, so a lookup that fails
		// from here says nothing about issuance. It must not page as "CAA
		// forbids"; the check's failure (caa_lookup_failed) is the signal.
		for _, id := range ids {
			emit(scrape.Gauge(caaInfoDesc, 1, s.domain, id, "lookup_failed", ""))
		}
		return scrape.Fail("caa_lookup_failed", err)
	}
	wildcard := strings.HasPrefix(s.domain, "*.")
	for _, id := range ids {
		reason := evaluateCAA(set, id, wildcard, s.accountURIs, s.method)
		emit(scrape.Gauge(caaAllowedDesc, scrape.Bool(caaPermits(reason)), s.domain, id))
		emit(scrape.Gauge(caaInfoDesc, 1, s.domain, id, reason, dnsclient.Bare(relevant)))
	}
	return nil
}

// lookupCAA climbs from the domain towards the TLD and returns the first
// non-empty CAA RRset (RFC 8659 section 3) and the name it was found at.
// The resolver follows CNAMEs. NXDOMAIN and empty answers move up a label;
// any other failure stops: a CA refuses to issue when CAA cannot be read.
func lookupCAA(ctx context.Context, res *dnsclient.Resolver, domain string) ([]*dns.CAA, string, error) {
	labels := dns.SplitDomainName(strings.TrimPrefix(dnsclient.Bare(domain), "*."))
	for i := range labels {
		name := strings.Join(labels[i:], ".") + "."
		m, err := res.Ask(ctx, name, dns.TypeCAA)
		if err != nil {
			return nil, "", err
		}
		if m.Rcode != dns.RcodeSuccess && m.Rcode != dns.RcodeNameError {
			return nil, "", dnsclient.RcodeError(m)
		}
		var set []*dns.CAA
		for _, rr := range m.Answer {
			if c, ok := rr.(*dns.CAA); ok {
				set = append(set, c)
			}
		}
		if len(set) > 0 {
			return set, name, nil
		}
	}
	return nil, "", nil
}

// CAA verdicts (the reason label of acme_dns_caa_info).
const (
	caaNoRecords       = "no_caa"                     // no CAA anywhere up the tree: any CA may issue
	caaNoIssueProperty = "no_issue_property"          // CAA exists but without issue/issuewild: any CA may issue
	caaPermitted       = "permitted"                  // an issue(wild) record names the issuer, parameters satisfied
	caaNotListed       = "issuer_not_listed"          // issue(wild) records exist, none names the issuer
	caaForbidden       = "issuance_forbidden"         // every relevant record is the empty issuer ";"
	caaAccountMismatch = "accounturi_mismatch"        // the issuer is listed but only for other accounts
	caaAccountUnknown  = "accounturi_unknown"         // listed with accounturi, and no account URL is known here
	caaMethodMismatch  = "validationmethods_mismatch" // listed, but not for the validation method in use
	caaBadParameters   = "malformed_record"           // the issuer's record does not parse or repeats a parameter
	caaCriticalUnknown = "unknown_critical_property"  // a critical property the CA does not understand
)

func caaPermits(reason string) bool {
	return reason == caaNoRecords || reason == caaNoIssueProperty || reason == caaPermitted
}

// evaluateCAA applies RFC 8659 section 4 (and RFC 8657) to the relevant
// RRset for issuer, the way Let's Encrypt does.
func evaluateCAA(set []*dns.CAA, issuer string, wildcard bool, accounts []string, method string) string {
	if len(set) == 0 {
		return caaNoRecords
	}
	var issue, issuewild []*dns.CAA
	for _, r := range set {
		switch strings.ToLower(r.Tag) {
		case "issue":
			issue = append(issue, r)
		case "issuewild":
			issuewild = append(issuewild, r)
		case "iodef", "issuemail", "issuevmc":
		default:
			if r.Flag&128 != 0 {
				return caaCriticalUnknown
			}
		}
	}
	relevant := issue
	if wildcard && len(issuewild) > 0 {
		relevant = issuewild
	}
	if len(relevant) == 0 {
		return caaNoIssueProperty
	}
	best := caaForbidden
	rank := map[string]int{caaForbidden: 0, caaNotListed: 1, caaBadParameters: 2, caaMethodMismatch: 3, caaAccountUnknown: 4, caaAccountMismatch: 5}
	worse := func(r string) {
		if rank[r] > rank[best] {
			best = r
		}
	}
	for _, r := range relevant {
		v, err := parseCAAValue(r.Value)
		if err != nil {
			worse(caaBadParameters)
			continue
		}
		if v.issuer == "" {
			continue
		}
		if !strings.EqualFold(v.issuer, issuer) {
			worse(caaNotListed)
			continue
		}
		if verdict := v.check(accounts, method); verdict != caaPermitted {
			worse(verdict)
			continue
		}
		return caaPermitted
	}
	return best
}

// caaValue is a parsed issue/issuewild value (RFC 8659 section 4.2).
type caaValue struct {
	issuer string
	params map[string][]string
}

func (v caaValue) check(accounts []string, method string) string {
	if a, ok := v.params["accounturi"]; ok {
		if len(a) != 1 {
			return caaBadParameters
		}
		if len(accounts) == 0 {
			return caaAccountUnknown
		}
		match := false
		for _, acc := range accounts {
			match = match || acc == a[0]
		}
		if !match {
			return caaAccountMismatch
		}
	}
	if m, ok := v.params["validationmethods"]; ok {
		if len(m) != 1 {
			return caaBadParameters
		}
		if method != "" {
			found := false
			for _, x := range strings.Split(m[0], ",") {
				found = found || strings.TrimSpace(x) == method
			}
			if !found {
				return caaMethodMismatch
			}
		}
	}
	return caaPermitted
}

// parseCAAValue parses `issuer-domain-name *WSP [";" *WSP [parameters]]`
// where parameters are `tag=value` separated by ";". Tags are
// alphanumeric, values printable ASCII without ";" or whitespace.
func parseCAAValue(s string) (caaValue, error) {
	v := caaValue{params: map[string][]string{}}
	if len(s) > 1024 {
		return v, errors.New("CAA value too long")
	}
	dom, rest, hasParams := strings.Cut(s, ";")
	v.issuer = strings.TrimSpace(dom)
	if v.issuer != "" {
		if _, ok := dns.IsDomainName(v.issuer); !ok || strings.ContainsAny(v.issuer, " \t") {
			return v, errors.New("bad issuer domain")
		}
	}
	if !hasParams {
		return v, nil
	}
	for _, p := range strings.Split(rest, ";") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		tag, val, ok := strings.Cut(p, "=")
		tag, val = strings.TrimSpace(tag), strings.TrimSpace(val)
		if !ok || tag == "" || !isAlnum(tag) {
			return v, errors.New("bad CAA parameter")
		}
		for _, r := range val {
			if r < 0x21 || r > 0x7e {
				return v, errors.New("bad CAA parameter value")
			}
		}
		tag = strings.ToLower(tag)
		v.params[tag] = append(v.params[tag], val)
	}
	return v, nil
}

func isAlnum(s string) bool {
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}
