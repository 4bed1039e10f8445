// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package config

import (
	"testing"
	"time"
)

const goodPin = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="

// TestEndpointHTTP01PortValidation pins one message per rule.
func TestEndpointHTTP01PortValidation(t *testing.T) {
	cases := map[string]struct{ in, want string }{
		"endpoint target empty":      {"endpoints:\n  - name: x\n", "2: endpoints[0].target: must not be empty"},
		"endpoint target no port":    {"endpoints:\n  - target: example.test\n", "2: endpoints[0].target: must be host:port: address example.test: missing port in address"},
		"endpoint bad port":          {"endpoints:\n  - target: example.test:0\n", `2: endpoints[0].target: bad port "0"`},
		"endpoint bad address":       {"endpoints:\n  - target: a.test:443\n    address: a.test\n", `3: endpoints[0].address: must be an IP address or ip:port, got "a.test"`},
		"endpoint bad resolver":      {"endpoints:\n  - target: a.test:443\n    resolver: 127.0.0.1\n", `3: endpoints[0].resolver: "127.0.0.1" is not ip:port`},
		"endpoint address+resolver":  {"endpoints:\n  - target: a.test:443\n    address: 127.0.0.1\n    resolver: 127.0.0.1:53\n", "4: endpoints[0].resolver: set address or resolver, not both"},
		"endpoint starttls":          {"endpoints:\n  - target: a.test:25\n    starttls: xmpp\n", `3: endpoints[0].starttls: unknown value "xmpp" (one of ftp, imap, ldap, pop3, postgres, smtp)`},
		"endpoint key type":          {"endpoints:\n  - target: a.test:443\n    key_type: dsa\n", `3: endpoints[0].key_type: unknown value "dsa" (one of ecdsa, rsa)`},
		"endpoint pin":               {"endpoints:\n  - target: a.test:443\n    pins: [abc]\n", `3: endpoints[0].pins[0]: must be the base64 SHA-256 of a SubjectPublicKeyInfo, got "abc"`},
		"endpoint twice":             {"endpoints:\n  - target: a.test:443\n  - target: a.test:443\n", "3: endpoints[1].target: a.test:443 is listed twice (give the entries different key_type values)"},
		"endpoint timeout":           {"endpoints:\n  - target: a.test:443\n    timeout: -1s\n", "3: endpoints[0].timeout: must not be negative"},
		"endpoint min_interval":      {"endpoints:\n  - target: a.test:443\n    min_interval: -1s\n", "3: endpoints[0].min_interval: must not be negative"},
		"http01 domain":              {"http01:\n  - domain: '*.a.test'\n", "2: http01[0].domain: wildcards cannot be validated by HTTP-01 (use DNS-01)"},
		"http01 bad name":            {"http01:\n  - domain: a..test\n", `2: http01[0].domain: "a..test" is not a valid DNS name`},
		"http01 mode":                {"http01:\n  - domain: a.test\n    mode: dns\n", `3: http01[0].mode: unknown value "dns" (one of proxy, standalone, webroot)`},
		"http01 address":             {"http01:\n  - domain: a.test\n    address: 127.0.0.1:80\n", `3: http01[0].address: must be an IP address, got "127.0.0.1:80"`},
		"http01 resolver":            {"http01:\n  - domain: a.test\n    resolver: x\n", `3: http01[0].resolver: "x" is not ip:port`},
		"http01 address+resolver":    {"http01:\n  - domain: a.test\n    address: 127.0.0.1\n    resolver: 127.0.0.1:53\n", "4: http01[0].resolver: set address or resolver, not both"},
		"http01 webroot":             {"http01:\n  - domain: a.test\n    webroot: var/www\n", "3: http01[0].webroot: must be an absolute path"},
		"http01 canary token":        {"http01:\n  - domain: a.test\n    canary: a/b\n    canary_content: x\n", "3: http01[0].canary: must be a plain token (no /, ?, #, % or space)"},
		"http01 canary file":         {"http01:\n  - domain: a.test\n    canary: t\n    canary_file: t\n", "4: http01[0].canary_file: must be an absolute path"},
		"http01 canary both":         {"http01:\n  - domain: a.test\n    canary: t\n    canary_file: /t\n    canary_content: x\n", "5: http01[0].canary_content: set canary_file or canary_content, not both"},
		"http01 canary nothing":      {"http01:\n  - domain: a.test\n    canary: t\n", "3: http01[0].canary: needs webroot, canary_file or canary_content to compare with"},
		"http01 canary missing":      {"http01:\n  - domain: a.test\n    canary_content: x\n", "2: http01[0].canary: must be set when canary_file or canary_content is"},
		"http01 standalone canary":   {"http01:\n  - domain: a.test\n    mode: standalone\n    canary: t\n    canary_content: x\n", "4: http01[0].canary: has no meaning in standalone mode (nothing serves the path between renewals)"},
		"http01 timeout":             {"http01:\n  - domain: a.test\n    timeout: -1s\n", "3: http01[0].timeout: must not be negative"},
		"http01 min_interval":        {"http01:\n  - domain: a.test\n    min_interval: -1s\n", "3: http01[0].min_interval: must not be negative"},
		"http01 port":                {"http01:\n  - domain: a.test\n    port: 70000\n", "3: http01[0].port: must be between 1 and 65535"},
		"http01 https_port":          {"http01:\n  - domain: a.test\n    https_port: -1\n", "3: http01[0].https_port: must be between 1 and 65535"},
		"ports range":                {"ports:\n  ports: [0]\n", "2: ports.ports[0]: must be between 1 and 65535"},
		"ports twice":                {"ports:\n  ports: [80, 80]\n", "2: ports.ports[1]: port 80 listed twice"},
		"ports proc_root":            {"ports:\n  proc_root: proc\n", "2: ports.proc_root: must be an absolute path"},
		"endpoint module settings":   {"modules:\n  m:\n    kind: endpoint\n    names: [a.test]\n    settings:\n      starttls: xmpp\n", `6: modules.m.settings: starttls: unknown value "xmpp" (one of ftp, imap, ldap, pop3, postgres, smtp)`},
		"endpoint module unknown":    {"modules:\n  m:\n    kind: endpoint\n    names: [a.test]\n    settings:\n      sni: a\n", `6: modules.m.settings: unknown field "sni" (known: key_type, pins, resolver, server_name, starttls)`},
		"http01 module settings":     {"modules:\n  m:\n    kind: http01\n    names: [a.test]\n    settings:\n      resolver: x\n", `6: modules.m.settings: resolver: "x" is not ip:port`},
		"endpoint module open proxy": {"modules:\n  m:\n    kind: endpoint\n", "3: modules.m: a endpoint module must list names or allow_cidrs: /probe is no open proxy"},
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

func TestEndpointHTTP01PortDefaults(t *testing.T) {
	c, err := Parse([]byte(`
endpoints:
  - target: www.example.test:443
  - target: 192.0.2.1:8443
    pins: ["` + goodPin + `"]
http01:
  - domain: Example.TEST.
    webroot: /var/www/html
    canary: canary-token
`))
	if err != nil {
		t.Fatal(err)
	}
	e := c.Endpoints[0]
	if e.ServerName != "www.example.test" || e.Name != "www.example.test" || e.Timeout.D() != 5*time.Second {
		t.Errorf("endpoint defaults: %+v", e)
	}
	if e := c.Endpoints[1]; e.ServerName != "" || e.Name != "192.0.2.1" {
		t.Errorf("IP endpoint defaults: %+v", e)
	}
	h := c.HTTP01[0]
	if h.Domain != "example.test" || h.Mode != "webroot" || h.MinInterval.D() != time.Minute ||
		h.CanaryFile != "/var/www/html/.well-known/acme-challenge/canary-token" || len(h.Clients) == 0 {
		t.Errorf("http01 defaults: %+v", h)
	}
	if len(c.Ports.Ports) != 2 || c.Ports.ProcRoot != "/proc" {
		t.Errorf("ports defaults: %+v", c.Ports)
	}
}
