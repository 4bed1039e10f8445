// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package config

import (
	"os"
	"testing"
)

func TestDiscoveryAndAccountsErrors(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"relative certbot dir", "discovery:\n  certbot_dirs: [etc/letsencrypt]\n",
			"2: discovery.certbot_dirs[0]: must be an absolute path"},
		{"relative log dir", "discovery:\n  certbot_log_dirs: [logs]\n",
			"2: discovery.certbot_log_dirs[0]: must be an absolute path"},
		{"relative timer dir", "discovery:\n  systemd_timer_dir: timers\n",
			"2: discovery.systemd_timer_dir: must be an absolute path"},
		{"interval too short", "accounts:\n  registration_interval: 1m\n",
			"2: accounts.registration_interval: must be at least 10m: the lookup signs with the account key and counts against the CA's limits"},
		{"negative timeout", "accounts:\n  timeout: -1s\n",
			"2: accounts.timeout: must not be negative"},
		{"empty path", "accounts:\n  keys:\n    - client: lego\n",
			"3: accounts.keys[0].path: must not be empty"},
		{"relative path", "accounts:\n  keys:\n    - path: key.pem\n",
			"3: accounts.keys[0].path: must be an absolute path"},
		{"bad run_as", "accounts:\n  keys:\n    - path: /k\n      run_as: \"1:x\"\n",
			"4: accounts.keys[0].run_as: must be a user name or uid[:gid], got \"1:x\""},
		{"relative storage", "accounts:\n  keys:\n    - path: /k\n      storage_dir: s\n",
			"4: accounts.keys[0].storage_dir: must be an absolute path"},
		{"bad directory", "accounts:\n  keys:\n    - path: /k\n      directory: ftp://x/\n",
			"4: accounts.keys[0].directory: must be an http(s) URL, got \"ftp://x/\""},
		{"registration without directory", "accounts:\n  keys:\n    - path: /k\n      check_registration: true\n",
			"3: accounts.keys[0].directory: must be set when check_registration is true"},
		{"bad address", "accounts:\n  keys:\n    - path: /k\n      address: localhost\n",
			"4: accounts.keys[0].address: must be host:port, got \"localhost\""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.in))
			if err == nil || err.Error() != tc.want {
				t.Errorf("got %v\nwant %s", err, tc.want)
			}
		})
	}
}

func TestDiscoveryDefaults(t *testing.T) {
	c := Default()
	if c.Discovery.SystemdTimerDir != DefaultSystemdTimerDir || len(c.Discovery.CertbotLogDirs) != 1 {
		t.Errorf("defaults not filled: %+v", c.Discovery)
	}
	if c.Accounts.RegistrationInterval.D() != DefaultRegistrationInterval || c.Accounts.CheckRegistration {
		t.Errorf("account defaults: %+v", c.Accounts)
	}
	if !c.DiscoveryEnabled() {
		t.Error("discovery must be on by default")
	}
	off, err := Parse([]byte("discovery:\n  enabled: false\n"))
	if err != nil || off.DiscoveryEnabled() {
		t.Errorf("discovery.enabled: false must turn it off: %v", err)
	}
}

func TestExampleDiscoveryConfigLoads(t *testing.T) {
	b, err := os.ReadFile("../examples/config.d/discovery.yml")
	if err != nil {
		t.Fatal(err)
	}
	c, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Accounts.Keys) != 1 || !*c.Accounts.Keys[0].CheckRegistration {
		t.Errorf("example keys: %+v", c.Accounts.Keys)
	}
}
