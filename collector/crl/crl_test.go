// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package crl

import (
	"bytes"
	"crypto/x509"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/acme-exporter/acme_exporter/internal/certs"
	"github.com/acme-exporter/acme_exporter/internal/scrapetest"
	"github.com/acme-exporter/acme_exporter/internal/testbed"
	"github.com/acme-exporter/acme_exporter/internal/testcerts"
	"github.com/acme-exporter/acme_exporter/inventory"
	"github.com/acme-exporter/acme_exporter/scrape"
)

// opensslCRL makes a CRL with `openssl ca -gencrl`, signed by the chain's
// intermediate, listing the revoked leaves, and writes it (DER) to out.
func opensslCRL(t *testing.T, ch *testcerts.Chain, out string, revoked ...*testcerts.Cert) {
	t.Helper()
	openssl := testbed.Binary(t, "openssl")
	dir := t.TempDir()
	caCert := testcerts.Write(t, dir, "ca.pem", ch.Intermediate.PEM(), 0o644)
	caKey := testcerts.Write(t, dir, "ca.key", ch.Intermediate.KeyPEM(), 0o600)
	index := testcerts.Write(t, dir, "index.txt", nil, 0o644)
	testcerts.Write(t, dir, "crlnumber", []byte("1000\n"), 0o644)
	cnf := testcerts.Write(t, dir, "ca.cnf", []byte(fmt.Sprintf(`[ ca ]
default_ca = test
[ test ]
dir = %[1]s
database = %[1]s/index.txt
crlnumber = %[1]s/crlnumber
certificate = %[2]s
private_key = %[3]s
default_md = sha256
default_crl_days = 7
policy = anything
[ anything ]
commonName = optional
`, dir, caCert, caKey)), 0o644)
	for i, r := range revoked {
		leaf := testcerts.Write(t, dir, fmt.Sprintf("leaf%d.pem", i), r.PEM(), 0o644)
		testbed.Run(t, []string{openssl, "ca", "-config", cnf, "-revoke", leaf, "-crl_reason", "keyCompromise"})
	}
	_ = index
	pemCRL := filepath.Join(dir, "crl.pem")
	testbed.Run(t, []string{openssl, "ca", "-config", cnf, "-gencrl", "-out", pemCRL})
	testbed.Run(t, []string{openssl, "crl", "-in", pemCRL, "-outform", "DER", "-out", out})
}

func TestCRLServedByNginx(t *testing.T) {
	ch := testcerts.NewChain(t, "CRL Test")
	other := testcerts.NewChain(t, "Other")
	root := testbed.Dir(t)
	addr := testbed.StartStaticNginx(t, root)
	base := "http://crl.example.test/"
	revoked := ch.Leaf(t, testcerts.Options{Serial: 0x1001, CRLURL: base + "1.crl", DNSNames: []string{"revoked.example.test"}})
	good := ch.Leaf(t, testcerts.Options{Serial: 0x1002, CRLURL: base + "1.crl", DNSNames: []string{"good.example.test"}})
	forged := ch.Leaf(t, testcerts.Options{Serial: 0x1003, CRLURL: base + "forged.crl", DNSNames: []string{"forged.example.test"}})
	big := ch.Leaf(t, testcerts.Options{Serial: 0x1004, CRLURL: base + "big.crl", DNSNames: []string{"big.example.test"}})
	opensslCRL(t, ch, filepath.Join(root, "1.crl"), revoked)
	// A CRL signed by another CA's intermediate: bad signature.
	opensslCRL(t, other, filepath.Join(root, "forged.crl"), forged)
	if err := os.WriteFile(filepath.Join(root, "big.crl"), bytes.Repeat([]byte{0x30}, 4096), 0o644); err != nil {
		t.Fatal(err)
	}

	env := scrapetest.Env(t, fmt.Sprintf("crl:\n  address: %s\n  max_size: 2048\n", addr), testcerts.Epoch, nil)
	for _, l := range []struct {
		name string
		c    *testcerts.Cert
	}{{"revoked", revoked}, {"good", good}, {"forged", forged}, {"big", big}} {
		b, err := certs.ParseBundle(ch.FullChain(l.c))
		if err != nil {
			t.Fatal(err)
		}
		sum := certs.Summarize(b.Certs)
		sum.Name, sum.Source, sum.Path = l.name, "file", "/certs/"+l.name+".pem"
		env.Inventory.Put("test", sum.Path, []inventory.Certificate{sum})
	}
	h := scrapetest.NewHarness(env, map[string]scrape.Collector{crlCheck: &crlCollector{cache: map[string]*crlEntry{}}})
	scrapetest.Compare(t, h, `
		acme_certificate_revoked{name="good",source="file",target="/certs/good.pem"} 0
		acme_certificate_revoked{name="revoked",source="file",target="/certs/revoked.pem"} 1
		acme_probe_failure_info{check="crl",reason="crl_bad_signature",target="/certs/forged.pem"} 1
		acme_probe_failure_info{check="crl",reason="crl_too_large",target="/certs/big.pem"} 1
	`, "acme_certificate_revoked", "acme_probe_failure_info")
	if problems, err := testutil.CollectAndLint(h); err != nil || len(problems) > 0 {
		t.Fatalf("lint: %v %v", err, problems)
	}
	// Cached until nextUpdate: replacing the file changes nothing yet.
	opensslCRL(t, ch, filepath.Join(root, "1.crl"), revoked, good)
	scrapetest.Compare(t, h, `acme_certificate_revoked{name="good",source="file",target="/certs/good.pem"} 0`+"\n"+
		`acme_certificate_revoked{name="revoked",source="file",target="/certs/revoked.pem"} 1`, "acme_certificate_revoked")
	// After nextUpdate (openssl: 7 days) the CRL is fetched again.
	env.Now = func() time.Time { return time.Now().Add(8 * 24 * time.Hour) }
	scrapetest.Compare(t, h, `acme_certificate_revoked{name="good",source="file",target="/certs/good.pem"} 1`+"\n"+
		`acme_certificate_revoked{name="revoked",source="file",target="/certs/revoked.pem"} 1`, "acme_certificate_revoked")
}

func FuzzParseCRL(f *testing.F) {
	f.Add([]byte("-----BEGIN X509 CRL-----\nMAA=\n-----END X509 CRL-----\n"))
	f.Add([]byte{0x30, 0x03, 0x02, 0x01, 0x01})
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = ParseCRL(b)
	})
}

// TestCRLOverTLS: an https:// distribution point (unusual: CRLs are
// normally plain http) served by a real nginx over TLS is verified against
// the exporter's trust roots (env.Roots, i.e. global.tls_ca_file); a
// server the roots do not vouch for is crl_tls_verify_failed.
func TestCRLOverTLS(t *testing.T) {
	ch := testcerts.NewChain(t, "CRL TLS Test")
	tlsCA := testcerts.NewChain(t, "CRL Server CA")
	srvLeaf := tlsCA.Leaf(t, testcerts.Options{DNSNames: []string{"crl.example.test"},
		NotBefore: time.Now().Add(-time.Hour), Lifetime: 48 * time.Hour})
	root := testbed.Dir(t)
	opensslCRL(t, ch, filepath.Join(root, "1.crl"))
	certPath := testcerts.Write(t, root, "tls/fullchain.pem", tlsCA.FullChain(srvLeaf), 0o644)
	keyPath := testcerts.Write(t, root, "tls/key.pem", srvLeaf.KeyPEM(), 0o600)
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(testbed.FreePort(t, "127.0.0.1")))
	testbed.StartNginx(t, testbed.Dir(t), fmt.Sprintf(`    server {
        listen %s ssl;
        server_name crl.example.test;
        ssl_certificate %s;
        ssl_certificate_key %s;
        root %s;
        location / { }
    }
`, addr, certPath, keyPath, root), addr)
	leaf := ch.Leaf(t, testcerts.Options{Serial: 0x2001, CRLURL: "https://crl.example.test/1.crl", DNSNames: []string{"tls.example.test"}})
	for _, tc := range []struct {
		name  string
		roots *x509.CertPool
		want  string
	}{
		{"trusted through env.Roots", tlsCA.Pool(), `acme_certificate_revoked{name="tls",source="file",target="/certs/tls.pem"} 0`},
		{"server CA not trusted", x509.NewCertPool(), `acme_probe_failure_info{check="crl",reason="crl_tls_verify_failed",target="/certs/tls.pem"} 1`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := scrapetest.Env(t, fmt.Sprintf("crl:\n  address: %s\n", addr), testcerts.Epoch, tc.roots)
			b, err := certs.ParseBundle(ch.FullChain(leaf))
			if err != nil {
				t.Fatal(err)
			}
			sum := certs.Summarize(b.Certs)
			sum.Name, sum.Source, sum.Path = "tls", "file", "/certs/tls.pem"
			env.Inventory.Put("test", sum.Path, []inventory.Certificate{sum})
			h := scrapetest.NewHarness(env, map[string]scrape.Collector{crlCheck: &crlCollector{cache: map[string]*crlEntry{}}})
			scrapetest.Compare(t, h, tc.want, "acme_certificate_revoked", "acme_probe_failure_info")
		})
	}
}
