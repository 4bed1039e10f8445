// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package config

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestCASettingsBad(t *testing.T) {
	for _, tc := range []struct{ name, yml, want string }{
		{"clock min_interval", "clock:\n  min_interval: 30s\n", "2: clock.min_interval: must be at least 1m0s so NTP servers are not hammered"},
		{"clock timeout", "clock:\n  timeout: -1s\n", "2: clock.timeout: must not be negative"},
		{"ntp server empty", "clock:\n  servers:\n    - port: 123\n", "3: clock.servers[0].server: must not be empty"},
		{"ntp port", "clock:\n  servers:\n    - server: a\n      port: 70000\n", "4: clock.servers[0].port: must be between 1 and 65535"},
		{"ntp address", "clock:\n  servers:\n    - server: a\n      address: a:1\n", `4: clock.servers[0].address: "a" is not an IP address`},
		{"ntp resolver", "clock:\n  servers:\n    - server: a\n      resolver: 127.0.0.1\n", "4: clock.servers[0].resolver: \"127.0.0.1\" is not ip:port"},
		{"ntp duplicate", "clock:\n  servers:\n    - server: a\n    - server: a\n", `4: clock.servers[1].server: duplicate server "a:123"`},
		{"default not https", "acme_directories:\n  default: http://x/dir\n", `2: acme_directories.default: "http://x/dir" must be an absolute https URL`},
		{"dir min_interval", "acme_directories:\n  min_interval: 1s\n", "2: acme_directories.min_interval: must be at least 10s (the CA limits requests per IP)"},
		{"dir timeout", "acme_directories:\n  timeout: -1s\n", "2: acme_directories.timeout: must not be negative"},
		{"dir url", "acme_directories:\n  directories:\n    - url: \"\"\n", "3: acme_directories.directories[0].url: must not be empty"},
		{"dir duplicate", "acme_directories:\n  directories:\n    - url: https://a/d\n    - url: https://a/d\n", `4: acme_directories.directories[1].url: duplicate directory "https://a/d"`},
		{"dir address", "acme_directories:\n  directories:\n    - url: https://a/d\n      address: x\n", "4: acme_directories.directories[0].address: \"x\" is not ip:port"},
		{"dir resolver", "acme_directories:\n  directories:\n    - url: https://a/d\n      resolver: 127.0.0.1:0\n", `4: acme_directories.directories[0].resolver: bad port "0"`},
		{"dir ca file", "acme_directories:\n  directories:\n    - url: https://a/d\n      tls_ca_file: /nonexistent/ca.pem\n", "4: acme_directories.directories[0].tls_ca_file: open /nonexistent/ca.pem: no such file or directory"},
		{"dir entry min_interval", "acme_directories:\n  directories:\n    - url: https://a/d\n      min_interval: 5s\n", "4: acme_directories.directories[0].min_interval: must be at least 10s (the CA limits requests per IP)"},
		{"dir issuer", "acme_directories:\n  directories:\n    - url: https://a/d\n      issuers: [\" \"]\n", "4: acme_directories.directories[0].issuers[0]: must not be empty"},
		{"ari concurrency", "ari:\n  concurrency: 100\n", "2: ari.concurrency: must be between 1 and 64"},
		{"ari timeout", "ari:\n  timeout: -1s\n", "2: ari.timeout: must not be negative"},
		{"ari max_per_scrape", "ari:\n  max_per_scrape: -1\n", "2: ari.max_per_scrape: must be positive"},
		{"crl max_size", "crl:\n  max_size: -1\n", "2: crl.max_size: must be positive"},
		{"crl timeout", "crl:\n  timeout: -1s\n", "2: crl.timeout: must not be negative"},
		{"crl min_interval", "crl:\n  min_interval: 1s\n", "2: crl.min_interval: must be at least 1m"},
		{"crl address", "crl:\n  address: 1.2.3.4\n", "2: crl.address: \"1.2.3.4\" is not ip:port"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.yml))
			if err == nil || err.Error() != tc.want {
				t.Fatalf("got %v\nwant %s", err, tc.want)
			}
		})
	}
}

func TestCASettingsDefaults(t *testing.T) {
	c, err := Parse(nil)
	if err != nil {
		t.Fatal(err)
	}
	// Tests never default to the internet.
	if len(c.Clock.Servers) != 0 || c.ACMEDirectories.DefaultDirectory() != "" {
		t.Errorf("offline defaults: servers %v, directory %q", c.Clock.Servers, c.ACMEDirectories.DefaultDirectory())
	}
	if c.Clock.MinInterval.D() != time.Minute || c.ACMEDirectories.MinInterval.D() != time.Minute ||
		c.ARI.Concurrency != 2 || c.CRL.MaxSize != 20<<20 || c.CRL.MinInterval.D() != time.Hour {
		t.Errorf("defaults: clock %+v, directories %+v, ari %+v, crl %+v", c.Clock, c.ACMEDirectories, c.ARI, c.CRL)
	}
	OfflineDefaults = false
	defer func() { OfflineDefaults = true }()
	c, err = Parse(nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Clock.Servers) != 1 || c.Clock.Servers[0].Server != "pool.ntp.org" || c.Clock.Servers[0].Port != 123 {
		t.Errorf("production NTP default: %+v", c.Clock.Servers)
	}
	if c.ACMEDirectories.DefaultDirectory() != LetsEncryptProduction {
		t.Errorf("production directory default: %q", c.ACMEDirectories.DefaultDirectory())
	}
	c, err = Parse([]byte("clock:\n  servers: []\nacme_directories:\n  default: \"\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Clock.Servers) != 0 || c.ACMEDirectories.DefaultDirectory() != "" {
		t.Errorf("explicitly none: %+v %q", c.Clock.Servers, c.ACMEDirectories.DefaultDirectory())
	}
}

func TestCAExamplesLoad(t *testing.T) {
	for _, f := range []string{"clock.yml", "directory.yml"} {
		b, err := os.ReadFile(filepath.Join("..", "examples", "config.d", f))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Parse(b); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}
