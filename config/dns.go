// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package config

import (
	"fmt"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// DNS01 is the DNS-01 and CAA section: the `dns01_defaults:` block and the
// `dns01:` list of domains (both top-level keys).
type DNS01 struct {
	Defaults DNS01Defaults `yaml:"dns01_defaults"`
	Domains  []DNS01Domain `yaml:"dns01"`
}

// DNS01Defaults apply to configured domains that do not set a field and to
// domains found by discovery.
type DNS01Defaults struct {
	// Resolver (ip:port) answers the recursive questions: the zone of
	// _acme-challenge, its NS set, the parent's delegation, CNAMEs, CAA.
	// Empty means the first nameserver of /etc/resolv.conf.
	Resolver string `yaml:"resolver"`
	// QueryTimeout bounds one DNS query (UDP, then TCP on truncation).
	QueryTimeout Duration `yaml:"query_timeout"`
	// MinInterval is the minimum time between two checks of one domain.
	MinInterval Duration `yaml:"min_interval"`
	// CAAIdentities are the CA's issuer domains used when neither the
	// domain nor its discovered directory says (Let's Encrypt directories
	// always mean letsencrypt.org).
	CAAIdentities []string `yaml:"caa_identities"`
	// Concurrency bounds the nameserver queries of one domain in flight.
	Concurrency int `yaml:"concurrency"`
}

// DNS01Domain is one domain validated with DNS-01.
type DNS01Domain struct {
	// Domain is the identifier (a leading "*." is allowed): the record
	// checked is _acme-challenge.<domain without "*.">.
	Domain string `yaml:"domain"`
	// Resolver overrides dns01_defaults.resolver for this domain.
	Resolver string `yaml:"resolver"`
	// Nameservers maps NS host names to the ip:port to query instead of
	// resolving the name's A/AAAA records (and port 53).
	Nameservers map[string]string `yaml:"nameservers"`
	// Canary is a TXT value the operator keeps published at the
	// challenge name; every authoritative server should return it.
	Canary string `yaml:"canary"`
	// CAAIdentities are the CA's issuer domains for CAA evaluation;
	// default dns01_defaults.caa_identities, else letsencrypt.org.
	CAAIdentities []string `yaml:"caa_identities"`
	// Directory is the ACME directory URL the domain's certificate is
	// ordered from. When set, the directory family checks it and CAA is
	// evaluated against the CAA identities its meta.caaIdentities lists
	// (letsencrypt.org for Let's Encrypt), falling back to caa_identities
	// until the directory has been fetched or when it lists none.
	Directory string `yaml:"directory"`
	// AccountURI is the ACME account URL, checked against CAA accounturi.
	AccountURI string `yaml:"accounturi"`
	// CAA turns the CAA check of this domain off when false.
	CAA *bool `yaml:"caa"`
	// MinInterval and QueryTimeout override the defaults.
	MinInterval  Duration `yaml:"min_interval"`
	QueryTimeout Duration `yaml:"query_timeout"`
}

// DNS01ProbeSettings are the settings of a /probe module of kind dns01.
type DNS01ProbeSettings struct {
	Resolver      string   `yaml:"resolver"`
	QueryTimeout  Duration `yaml:"query_timeout"`
	CAAIdentities []string `yaml:"caa_identities"`
	// Port is the port nameservers are queried on (53).
	Port int `yaml:"port"`
}

// DNS defaults.
const (
	DefaultDNSQueryTimeout = 2 * time.Second
	DefaultDNSMinInterval  = time.Minute
	DefaultDNSConcurrency  = 8
)

func init() {
	RegisterModuleKind("dns01", true, func(n *yaml.Node) error {
		_, err := ParseDNS01ProbeSettings(n)
		return err
	})
}

// ParseDNS01ProbeSettings decodes and validates a dns01 module's settings
// (nil gives the defaults).
func ParseDNS01ProbeSettings(n *yaml.Node) (DNS01ProbeSettings, error) {
	var s DNS01ProbeSettings
	if n != nil && n.Kind != 0 {
		if err := n.Decode(&s); err != nil {
			return s, err
		}
	}
	if s.Resolver != "" {
		if err := checkHostPort(s.Resolver); err != nil {
			return s, fmt.Errorf("resolver: %w", err)
		}
	}
	if s.QueryTimeout < 0 {
		return s, fmt.Errorf("query_timeout: must not be negative")
	}
	if s.QueryTimeout == 0 {
		s.QueryTimeout = Duration(DefaultDNSQueryTimeout)
	}
	if s.Port == 0 {
		s.Port = 53
	}
	if s.Port < 1 || s.Port > 65535 {
		return s, fmt.Errorf("port: must be between 1 and 65535")
	}
	for i, id := range s.CAAIdentities {
		if err := CheckDNSName(id); err != nil {
			return s, fmt.Errorf("caa_identities[%d]: %w", i, err)
		}
	}
	return s, nil
}

func (d *DNS01) validate(v *Validator) {
	def := &d.Defaults
	dp := Path{"dns01_defaults"}
	if def.Resolver != "" {
		if err := checkHostPort(def.Resolver); err != nil {
			v.Errorf(dp.Add("resolver"), "%v", err)
		}
	}
	if def.QueryTimeout < 0 {
		v.Errorf(dp.Add("query_timeout"), "must not be negative")
	}
	if def.QueryTimeout == 0 {
		def.QueryTimeout = Duration(DefaultDNSQueryTimeout)
	}
	if def.MinInterval < 0 {
		v.Errorf(dp.Add("min_interval"), "must not be negative")
	}
	if def.MinInterval == 0 {
		def.MinInterval = Duration(DefaultDNSMinInterval)
	}
	if def.Concurrency < 0 {
		v.Errorf(dp.Add("concurrency"), "must be positive")
	}
	if def.Concurrency == 0 {
		def.Concurrency = DefaultDNSConcurrency
	}
	for i, id := range def.CAAIdentities {
		if err := CheckDNSName(id); err != nil {
			v.Errorf(dp.Add("caa_identities").Add(i), "%v", err)
		}
	}
	seen := map[string]int{}
	for i := range d.Domains {
		e := &d.Domains[i]
		p := Path{"dns01", i}
		e.Domain = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(e.Domain)), ".")
		if e.Domain == "" {
			v.Errorf(p.Add("domain"), "must not be empty")
		} else if err := CheckDNSName(strings.TrimPrefix(e.Domain, "*.")); err != nil {
			v.Errorf(p.Add("domain"), "%v", err)
		} else if j, dup := seen[e.Domain]; dup {
			v.Errorf(p.Add("domain"), "duplicate of dns01[%d]", j)
		} else {
			seen[e.Domain] = i
		}
		if e.Resolver != "" {
			if err := checkHostPort(e.Resolver); err != nil {
				v.Errorf(p.Add("resolver"), "%v", err)
			}
		} else {
			e.Resolver = def.Resolver
		}
		for _, name := range sortedKeys(e.Nameservers) {
			if err := CheckDNSName(strings.TrimSuffix(name, ".")); err != nil {
				v.Errorf(p.Add("nameservers").Add(name), "%v", err)
			} else if err := checkHostPort(e.Nameservers[name]); err != nil {
				v.Errorf(p.Add("nameservers").Add(name), "%v", err)
			}
		}
		if len(e.Canary) > 255 {
			v.Errorf(p.Add("canary"), "longer than 255 bytes (one TXT string)")
		}
		for j, id := range e.CAAIdentities {
			if err := CheckDNSName(id); err != nil {
				v.Errorf(p.Add("caa_identities").Add(j), "%v", err)
			}
		}
		if len(e.CAAIdentities) == 0 {
			e.CAAIdentities = def.CAAIdentities
		}
		if len(e.CAAIdentities) == 0 {
			e.CAAIdentities = []string{"letsencrypt.org"}
		}
		if e.Directory != "" {
			if err := checkHTTPSURL(e.Directory); err != nil {
				v.Errorf(p.Add("directory"), "%v", err)
			}
		}
		if e.AccountURI != "" && !strings.HasPrefix(e.AccountURI, "https://") {
			v.Errorf(p.Add("accounturi"), "must be an https:// account URL")
		}
		if e.MinInterval < 0 {
			v.Errorf(p.Add("min_interval"), "must not be negative")
		}
		if e.MinInterval == 0 {
			e.MinInterval = def.MinInterval
		}
		if e.QueryTimeout < 0 {
			v.Errorf(p.Add("query_timeout"), "must not be negative")
		}
		if e.QueryTimeout == 0 {
			e.QueryTimeout = def.QueryTimeout
		}
	}
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sortStrings(out)
	return out
}
