// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package config

import (
	"os"
	"testing"
	"time"
)

func TestDNS01Invalid(t *testing.T) {
	cases := map[string]struct{ in, want string }{
		"defaults resolver not ip:port": {"dns01_defaults:\n  resolver: dns.google\n",
			`2: dns01_defaults.resolver: "dns.google" is not ip:port`},
		"defaults resolver a name": {"dns01_defaults:\n  resolver: dns.google:53\n",
			`2: dns01_defaults.resolver: "dns.google" is not an IP address`},
		"defaults negative timeout": {"dns01_defaults:\n  query_timeout: -1s\n",
			`2: dns01_defaults.query_timeout: must not be negative`},
		"defaults negative min_interval": {"dns01_defaults:\n  min_interval: -1s\n",
			`2: dns01_defaults.min_interval: must not be negative`},
		"defaults negative concurrency": {"dns01_defaults:\n  concurrency: -1\n",
			`2: dns01_defaults.concurrency: must be positive`},
		"defaults bad identity": {"dns01_defaults:\n  caa_identities: [\"lets encrypt\"]\n",
			`2: dns01_defaults.caa_identities[0]: "lets encrypt" is not a valid DNS name`},
		"empty domain": {"dns01:\n  - domain: \"\"\n",
			`2: dns01[0].domain: must not be empty`},
		"bad domain": {"dns01:\n  - domain: exa mple.com\n",
			`2: dns01[0].domain: "exa mple.com" is not a valid DNS name`},
		"duplicate domain": {"dns01:\n  - domain: example.com\n  - domain: Example.com.\n",
			`3: dns01[1].domain: duplicate of dns01[0]`},
		"bad resolver port": {"dns01:\n  - domain: example.com\n    resolver: 127.0.0.1:99999\n",
			`3: dns01[0].resolver: bad port "99999"`},
		"bad nameserver name": {"dns01:\n  - domain: example.com\n    nameservers:\n      \"ns 1\": 127.0.0.1:53\n",
			`4: dns01[0].nameservers.ns 1: "ns 1" is not a valid DNS name`},
		"bad nameserver address": {"dns01:\n  - domain: example.com\n    nameservers:\n      ns1.example.com: ns1.example.com\n",
			`4: dns01[0].nameservers.ns1.example.com: "ns1.example.com" is not ip:port`},
		"long canary": {"dns01:\n  - domain: example.com\n    canary: " + string(make256()) + "\n",
			`3: dns01[0].canary: longer than 255 bytes (one TXT string)`},
		"bad caa identity": {"dns01:\n  - domain: example.com\n    caa_identities: [\"\"]\n",
			`3: dns01[0].caa_identities[0]: must not be empty`},
		"accounturi not https": {"dns01:\n  - domain: example.com\n    accounturi: http://ca/acct/1\n",
			`3: dns01[0].accounturi: must be an https:// account URL`},
		"directory not https": {"dns01:\n  - domain: example.com\n    directory: http://ca.example/dir\n",
			`3: dns01[0].directory: "http://ca.example/dir" must be an absolute https URL`},
		"directory empty host": {"dns01:\n  - domain: example.com\n    directory: \"https:///dir\"\n",
			`3: dns01[0].directory: "https:///dir" must be an absolute https URL`},
		"negative min_interval": {"dns01:\n  - domain: example.com\n    min_interval: -1m\n",
			`3: dns01[0].min_interval: must not be negative`},
		"negative query_timeout": {"dns01:\n  - domain: example.com\n    query_timeout: -1s\n",
			`3: dns01[0].query_timeout: must not be negative`},
		"unknown key": {"dns01:\n  - domain: example.com\n    resolvr: 127.0.0.1:53\n",
			`3: dns01[0].resolvr: unknown field "resolvr", did you mean "resolver"?`},
		"probe settings bad resolver": {"modules:\n  d:\n    kind: dns01\n    names: [\"*\"]\n    settings:\n      resolver: x\n",
			`6: modules.d.settings: resolver: "x" is not ip:port`},
		"probe settings bad port": {"modules:\n  d:\n    kind: dns01\n    names: [\"*\"]\n    settings:\n      port: 70000\n",
			`6: modules.d.settings: port: must be between 1 and 65535`},
		"probe settings negative timeout": {"modules:\n  d:\n    kind: dns01\n    names: [\"*\"]\n    settings:\n      query_timeout: -1s\n",
			`6: modules.d.settings: query_timeout: must not be negative`},
		"probe settings bad identity": {"modules:\n  d:\n    kind: dns01\n    names: [\"*\"]\n    settings:\n      caa_identities: [\"a b\"]\n",
			`6: modules.d.settings: caa_identities[0]: "a b" is not a valid DNS name`},
		"probe without names": {"modules:\n  d:\n    kind: dns01\n",
			`3: modules.d: a dns01 module must list names or allow_cidrs: /probe is no open proxy`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Parse([]byte(tc.in))
			if err == nil {
				t.Fatalf("no error, want %q", tc.want)
			}
			if err.Error() != tc.want {
				t.Fatalf("got  %q\nwant %q", err.Error(), tc.want)
			}
		})
	}
}

func make256() []byte {
	b := make([]byte, 256)
	for i := range b {
		b[i] = 'a'
	}
	return b
}

func TestDNS01Defaults(t *testing.T) {
	c, err := Parse([]byte("dns01_defaults:\n  resolver: 127.0.0.1:53\ndns01:\n  - domain: Example.COM.\n  - domain: b.example.com\n    query_timeout: 1s\n    caa_identities: [ca.example]\n"))
	if err != nil {
		t.Fatal(err)
	}
	d := c.DNS01
	if d.Defaults.QueryTimeout.D() != DefaultDNSQueryTimeout || d.Defaults.MinInterval.D() != time.Minute || d.Defaults.Concurrency != 8 {
		t.Fatalf("defaults not filled: %+v", d.Defaults)
	}
	a, b := d.Domains[0], d.Domains[1]
	if a.Domain != "example.com" || a.Resolver != "127.0.0.1:53" || a.MinInterval.D() != time.Minute ||
		len(a.CAAIdentities) != 1 || a.CAAIdentities[0] != "letsencrypt.org" {
		t.Fatalf("first domain: %+v", a)
	}
	if b.QueryTimeout.D() != time.Second || b.CAAIdentities[0] != "ca.example" {
		t.Fatalf("second domain: %+v", b)
	}
}

func TestDNS01Example(t *testing.T) {
	b, err := os.ReadFile("../examples/config.d/dns.yml")
	if err != nil {
		t.Fatal(err)
	}
	c, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.DNS01.Domains) != 3 || c.Modules["dns01"].Kind != "dns01" {
		t.Fatalf("example not loaded as expected: %+v", c.DNS01)
	}
}
