// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package account

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/acme-exporter/acme_exporter/internal/scrapetest"
	"github.com/acme-exporter/acme_exporter/internal/testbed"
	"github.com/acme-exporter/acme_exporter/internal/testcerts"
	"github.com/acme-exporter/acme_exporter/scrape"
)

// TestAccountRegistrationPebble asks a real (in-process) Pebble v2.10.3
// with newAccount/onlyReturnExisting: a registered key is 1, an unknown
// key 0 with reason not_registered, and with Pebble gone the lookup is a
// probe failure, not a crash. Nothing is created: the unknown key is still
// unknown after the lookup.
func TestAccountRegistrationPebble(t *testing.T) {
	p := testbed.StartPebble(t, 0)
	dir := testbed.Dir(t)
	registered := p.NewAccount(t)
	writeKey := func(name string, k any) string {
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	known := writeKey("known.key", registered.Key)
	_, unknownKey := ecKeyPEM(t)
	unknown := writeKey("unknown.key", unknownKey)
	roots := x509.NewCertPool()
	roots.AddCert(p.Server.Certificate())
	dirURL := p.DirectoryURL()
	yml := fmt.Sprintf(`
accounts:
  keys:
    - {path: %q, client: lego, run_as: "0", directory: %q, check_registration: true}
    - {path: %q, client: lego, run_as: "0", directory: %q, check_registration: true}
`, known, dirURL, unknown, dirURL)
	env := scrapetest.Env(t, yml, testcerts.Epoch, roots)
	c := &accountCollector{reg: map[string]*regState{}}
	h := scrapetest.NewHarness(env, map[string]scrape.Collector{"account": c})
	want := fmt.Sprintf(`
acme_account_registered{client="lego",directory="%[3]s",path="%[1]s"} 1
acme_account_registered{client="lego",directory="%[3]s",path="%[2]s"} 0
acme_account_key_problem_info{client="lego",path="%[2]s",problem="not_registered"} 1
acme_probe_success{check="account_key",target="%[1]s"} 1
acme_probe_success{check="account_key",target="%[2]s"} 1
acme_probe_success{check="account_registration",target="%[1]s"} 1
acme_probe_success{check="account_registration",target="%[2]s"} 1
`, known, unknown, dirURL)
	scrapetest.Compare(t, h, want, "acme_account_registered", "acme_account_key_problem_info", "acme_probe_success")

	// Asking again creates nothing: the unknown key stays unknown
	// (a fresh scheduler bypasses the cache).
	scrapetest.Compare(t, scrapetest.NewHarness(env, map[string]scrape.Collector{"account": &accountCollector{reg: map[string]*regState{}}}),
		want, "acme_account_registered")

	// Pebble down: a probe failure with a reason, the key check unaffected.
	p.Server.Close()
	down := scrapetest.NewHarness(env, map[string]scrape.Collector{"account": &accountCollector{reg: map[string]*regState{}}})
	wantDown := fmt.Sprintf(`
acme_probe_success{check="account_key",target="%[1]s"} 1
acme_probe_success{check="account_key",target="%[2]s"} 1
acme_probe_success{check="account_registration",target="%[1]s"} 0
acme_probe_success{check="account_registration",target="%[2]s"} 0
acme_probe_failure_info{check="account_registration",reason="unreachable",target="%[1]s"} 1
acme_probe_failure_info{check="account_registration",reason="unreachable",target="%[2]s"} 1
`, known, unknown)
	scrapetest.Compare(t, down, wantDown, "acme_probe_success", "acme_probe_failure_info", "acme_account_registered")
}

// TestAccountRegistrationOffByDefault: without check_registration no
// lookup target exists at all.
func TestAccountRegistrationOffByDefault(t *testing.T) {
	env := scrapetest.Env(t, `
accounts:
  keys:
    - {path: /nonexistent/acme/account.key, directory: "https://127.0.0.1:1/dir"}
`, testcerts.Epoch, nil)
	ts, err := (&accountCollector{reg: map[string]*regState{}}).Targets(env)
	if err != nil {
		t.Fatal(err)
	}
	for _, tg := range ts {
		if strings.HasPrefix(tg.Check, accountRegCheck) {
			t.Errorf("registration target %v exists though the lookup is off", tg.Target)
		}
	}
}
