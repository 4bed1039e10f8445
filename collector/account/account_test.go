// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package account

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/acme-exporter/acme_exporter/internal/certs"
	"github.com/acme-exporter/acme_exporter/internal/scrapetest"
	"github.com/acme-exporter/acme_exporter/internal/testbed"
	"github.com/acme-exporter/acme_exporter/internal/testcerts"
	"github.com/acme-exporter/acme_exporter/scrape"
)

func ecKeyPEM(t *testing.T) ([]byte, *ecdsa.PrivateKey) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), k
}

func TestAccountKeyGolden(t *testing.T) {
	dir := testbed.Dir(t)
	keyPEM, _ := ecKeyPEM(t)
	write := func(name string, data []byte, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.key", keyPEM, 0o600)
	loose := write("loose.key", keyPEM, 0o644)
	garbage := write("garbage.key", []byte("-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n"), 0o600)
	missing := filepath.Join(dir, "missing.key")
	jwk, err := os.ReadFile("../../discovery/testdata/certbot/accounts/127.0.0.1:56763/dir/6415a838f97b3a973c6f2747e0dc8464/private_key.json")
	if err != nil {
		t.Fatal(err)
	}
	certbot := write("private_key.json", jwk, 0o400)
	yml := fmt.Sprintf(`
global: {run_as: "65534"}
accounts:
  keys:
    - {path: %q, client: lego, run_as: "0"}
    - {path: %q, client: lego, run_as: "0"}
    - {path: %q, client: lego, run_as: "0"}
    - {path: %q, client: lego}
    - {path: %q, client: certbot, run_as: "0:0"}
    - {path: %q, client: autocert}
`, good, loose, garbage, missing, certbot, good+"-nobody")
	if err := os.Link(good, good+"-nobody"); err != nil {
		t.Fatal(err)
	}
	env := scrapetest.Env(t, yml, testcerts.Epoch, nil)
	h := scrapetest.NewHarness(env, map[string]scrape.Collector{"account": &accountCollector{reg: map[string]*regState{}}})
	// owner and group are names, as ls -l shows them.
	owner, group := lsNames(t, os.Getuid(), os.Getgid())
	want := fmt.Sprintf(`
acme_account_key_usable{client="lego",path="%[1]s"} 1
acme_account_key_usable{client="lego",path="%[2]s"} 1
acme_account_key_usable{client="lego",path="%[3]s"} 0
acme_account_key_usable{client="lego",path="%[4]s"} 0
acme_account_key_usable{client="certbot",path="%[5]s"} 1
acme_account_key_usable{client="autocert",path="%[6]s"} 0
acme_account_key_insecure{client="lego",path="%[1]s"} 0
acme_account_key_insecure{client="lego",path="%[2]s"} 1
acme_account_key_insecure{client="lego",path="%[3]s"} 0
acme_account_key_insecure{client="certbot",path="%[5]s"} 0
acme_account_key_insecure{client="autocert",path="%[6]s"} 0
acme_account_key_problem_info{client="lego",path="%[3]s",problem="parse_error"} 1
acme_account_key_problem_info{client="lego",path="%[4]s",problem="missing"} 1
acme_account_key_problem_info{client="autocert",path="%[6]s",problem="unreadable_by_service_user"} 1
acme_account_key_info{client="lego",format="pem",group="%[8]s",key_type="ecdsa_p256",mode="0600",owner="%[7]s",path="%[1]s",service_user="0"} 1
acme_account_key_info{client="lego",format="pem",group="%[8]s",key_type="ecdsa_p256",mode="0644",owner="%[7]s",path="%[2]s",service_user="0"} 1
acme_account_key_info{client="lego",format="pem",group="%[8]s",key_type="",mode="0600",owner="%[7]s",path="%[3]s",service_user="0"} 1
acme_account_key_info{client="certbot",format="jwk",group="%[8]s",key_type="rsa2048",mode="0400",owner="%[7]s",path="%[5]s",service_user="0:0"} 1
acme_account_key_info{client="autocert",format="pem",group="%[8]s",key_type="ecdsa_p256",mode="0600",owner="%[7]s",path="%[6]s",service_user="65534"} 1
acme_probe_success{check="account_key",target="%[1]s"} 1
acme_probe_success{check="account_key",target="%[2]s"} 1
acme_probe_success{check="account_key",target="%[3]s"} 1
acme_probe_success{check="account_key",target="%[4]s"} 1
acme_probe_success{check="account_key",target="%[5]s"} 1
acme_probe_success{check="account_key",target="%[6]s"} 1
`, good, loose, garbage, missing, certbot, good+"-nobody", owner, group)
	scrapetest.Compare(t, h, want, "acme_account_key_usable", "acme_account_key_insecure", "acme_account_key_problem_info",
		"acme_account_key_info", "acme_probe_success")
	if problems, err := testutil.CollectAndLint(h); err != nil || len(problems) > 0 {
		t.Errorf("lint: %v %v", err, problems)
	}
}

func TestParseAccountKeyFormats(t *testing.T) {
	ec, k := ecKeyPEM(t)
	p8, _ := x509.MarshalPKCS8PrivateKey(k)
	for _, tc := range []struct {
		name, format, keyType string
		data                  []byte
		err                   bool
	}{
		{"sec1", "pem", "ecdsa_p256", ec, false},
		{"pkcs8", "pem", "ecdsa_p256", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: p8}), false},
		{"certbot jwk", "jwk", "rsa2048", scrapetest.MustRead(t, "../../discovery/testdata/certbot/accounts/127.0.0.1:56763/dir/6415a838f97b3a973c6f2747e0dc8464/private_key.json"), false},
		{"lego sec1", "pem", "ecdsa_p256", scrapetest.MustRead(t, "../../discovery/testdata/lego/accounts/127.0.0.1_56763/admin@example.test/keys/admin@example.test.key"), false},
		{"public key only", "", "", []byte("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"), true},
		{"bad jwk", "jwk", "", []byte(`{"kty":"EC","crv":"P-256","d":"!!"}`), true},
		{"empty", "", "", nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, format, err := ParseAccountKey(tc.data)
			if (err != nil) != tc.err {
				t.Fatalf("err = %v, want error %v", err, tc.err)
			}
			if format != tc.format {
				t.Errorf("format %q, want %q", format, tc.format)
			}
			if err == nil && certs.KeyType(s.Public()) != tc.keyType {
				t.Errorf("key type %q, want %q", certs.KeyType(s.Public()), tc.keyType)
			}
			if err != nil && strings.Contains(err.Error(), "AAAA") {
				t.Errorf("error quotes key material: %v", err)
			}
		})
	}
}

var _ = time.Second

// lsNames are the user and group names of uid and gid from the system's
// databases, as ls -l prints them.
func lsNames(t *testing.T, uid, gid int) (string, string) {
	t.Helper()
	u, err := user.LookupId(strconv.Itoa(uid))
	if err != nil {
		t.Fatalf("uid %d has no name: %v", uid, err)
	}
	g, err := user.LookupGroupId(strconv.Itoa(gid))
	if err != nil {
		t.Fatalf("gid %d has no name: %v", gid, err)
	}
	return u.Username, g.Name
}
