// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package testbed

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/acme-exporter/acme_exporter/internal/testcerts"
)

// Layouts made by a test helper, following each client's documented
// storage: Caddy/certmagic,
// autocert DirCache and acme.sh. certbot and lego trees are real (see
// scripts/regen-fixtures.sh).

func write(t testing.TB, p string, data []byte, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, mode); err != nil {
		t.Fatal(err)
	}
}

// CaddyLayout writes a certmagic storage root with one certificate whose
// .json holds an ARI window and the renewal time certmagic selected.
func CaddyLayout(t testing.TB, root string, ch *testcerts.Chain, selected time.Time) {
	t.Helper()
	leaf := ch.Leaf(t, testcerts.Options{DNSNames: []string{"caddy.example.test"}})
	d := filepath.Join(root, "certificates", "acme-v02.api.letsencrypt.org-directory", "caddy.example.test")
	write(t, filepath.Join(d, "caddy.example.test.crt"), ch.FullChain(leaf), 0o600)
	write(t, filepath.Join(d, "caddy.example.test.key"), leaf.KeyPEM(), 0o600)
	write(t, filepath.Join(d, "caddy.example.test.json"), []byte(`{"sans":["caddy.example.test"],"issuer_data":{"url":"https://acme-v02.api.letsencrypt.org/acme/cert/1","ca":"https://acme-v02.api.letsencrypt.org/directory","account":"https://acme-v02.api.letsencrypt.org/acme/acct/1","renewal_info":{"suggestedWindow":{"start":"2026-02-13T00:00:00Z","end":"2026-02-15T00:00:00Z"},"_retryAfter":"2026-01-15T18:00:00Z","_selectedTime":"`+selected.UTC().Format(time.RFC3339)+`"}}}`), 0o600)
	u := filepath.Join(root, "acme", "acme-v02.api.letsencrypt.org-directory", "users", "admin@example.test")
	write(t, filepath.Join(u, "admin.key"), leaf.KeyPEM(), 0o600)
	write(t, filepath.Join(u, "admin.json"), []byte(`{"status":"valid","contact":["mailto:admin@example.test"],"location":"https://acme-v02.api.letsencrypt.org/acme/acct/1"}`), 0o600)
}

// AutocertLayout writes a DirCache with an account key and one
// certificate file (key followed by the chain).
func AutocertLayout(t testing.TB, root string, ch *testcerts.Chain) {
	t.Helper()
	leaf := ch.Leaf(t, testcerts.Options{DNSNames: []string{"autocert.example.test"}})
	write(t, filepath.Join(root, "acme_account+key"), leaf.KeyPEM(), 0o600)
	write(t, filepath.Join(root, "autocert.example.test"), append(leaf.KeyPEM(), ch.FullChain(leaf)...), 0o600)
	write(t, filepath.Join(root, "sometoken+http-01"), []byte("token"), 0o600)
}

// AcmeShLayout writes an acme.sh home with one ECC certificate and its
// account; the webroot it names does not exist.
func AcmeShLayout(t testing.TB, root string, ch *testcerts.Chain, next time.Time) {
	t.Helper()
	leaf := ch.Leaf(t, testcerts.Options{DNSNames: []string{"sh.example.test", "www.sh.example.test"}})
	d := filepath.Join(root, "sh.example.test_ecc")
	write(t, filepath.Join(d, "sh.example.test.cer"), leaf.PEM(), 0o644)
	write(t, filepath.Join(d, "sh.example.test.key"), leaf.KeyPEM(), 0o600)
	write(t, filepath.Join(d, "ca.cer"), ch.Intermediate.PEM(), 0o644)
	write(t, filepath.Join(d, "fullchain.cer"), ch.FullChain(leaf), 0o644)
	write(t, filepath.Join(d, "sh.example.test.conf"), []byte("Le_Domain='sh.example.test'\nLe_Alt='www.sh.example.test'\nLe_Webroot='/nonexistent/acme-exporter/www'\nLe_Keylength='ec-256'\nLe_API='https://acme-v02.api.letsencrypt.org/directory'\nLe_NextRenewTime='"+strconv.FormatInt(next.Unix(), 10)+"'\nLe_NextRenewTimeStr='x'\n"), 0o644)
	a := filepath.Join(root, "ca", "acme-v02.api.letsencrypt.org", "directory")
	write(t, filepath.Join(a, "account.key"), leaf.KeyPEM(), 0o600)
	write(t, filepath.Join(a, "ca.conf"), []byte("ACCOUNT_URL='https://acme-v02.api.letsencrypt.org/acme/acct/7'\n"), 0o600)
}
