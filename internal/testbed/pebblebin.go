// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package testbed

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// PebbleProcess is the go-installed pebble binary (v2.10.3) running on
// loopback with real validation, for tests that drive real ACME clients
// (certbot, lego) against it.
type PebbleProcess struct {
	Proc *Process
	// DirectoryURL is the ACME directory.
	DirectoryURL string
	// CAFile holds the certificate of Pebble's HTTPS listener, for
	// REQUESTS_CA_BUNDLE (certbot) or LEGO_CA_CERTIFICATES (lego).
	CAFile string
	// HTTPPort is where Pebble's VA sends HTTP-01 requests.
	HTTPPort int
}

// StartChallTestSrv starts pebble-challtestsrv as a DNS server that
// answers every A query with 127.0.0.1, and returns its address.
func StartChallTestSrv(t testing.TB, dir string) string {
	t.Helper()
	bin := Binary(t, "pebble-challtestsrv")
	dns := net.JoinHostPort("127.0.0.1", strconv.Itoa(FreeUDPPort(t, "127.0.0.1")))
	mgmt := net.JoinHostPort("127.0.0.1", strconv.Itoa(FreePort(t, "127.0.0.1")))
	p := Start(t, dir, "challtestsrv", []string{bin, "-dnsserver", dns, "-doh", "", "-http01", "", "-https01", "",
		"-tlsalpn01", "", "-management", mgmt, "-defaultIPv4", "127.0.0.1", "-defaultIPv6", ""})
	WaitTCP(t, mgmt, p)
	return dns
}

// StartPebbleProcess starts the pebble binary with one 90-day profile,
// resolving names through dnsAddr (never the host's resolver) and
// validating HTTP-01 on httpPort. env adds PEBBLE_* settings.
func StartPebbleProcess(t testing.TB, dir, dnsAddr string, httpPort int, env ...string) *PebbleProcess {
	t.Helper()
	bin := Binary(t, "pebble")
	certFile, keyFile := writeLoopbackCert(t, dir)
	acme := net.JoinHostPort("127.0.0.1", strconv.Itoa(FreePort(t, "127.0.0.1")))
	mgmt := net.JoinHostPort("127.0.0.1", strconv.Itoa(FreePort(t, "127.0.0.1")))
	cfg := fmt.Sprintf(`{"pebble": {"listenAddress": %q, "managementListenAddress": %q,
  "certificate": %q, "privateKey": %q, "httpPort": %d, "tlsPort": %d,
  "ocspResponderURL": "", "externalAccountBindingRequired": false,
  "retryAfter": {"authz": 1, "order": 1}, "keyAlgorithm": "ecdsa",
  "profiles": {"default": {"description": "test", "validityPeriod": 7776000}}}}`,
		acme, mgmt, certFile, keyFile, httpPort, FreePort(t, "127.0.0.1"))
	cfgFile := filepath.Join(dir, "pebble.json")
	if err := os.WriteFile(cfgFile, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	env = append([]string{"PEBBLE_VA_NOSLEEP=1", "PEBBLE_WFE_NONCEREJECT=0", "PEBBLE_AUTHZREUSE=0"}, env...)
	p := Start(t, dir, "pebble", []string{bin, "-config", cfgFile, "-dnsserver", dnsAddr}, env...)
	WaitTCP(t, acme, p)
	return &PebbleProcess{Proc: p, DirectoryURL: "https://" + acme + "/dir", CAFile: certFile, HTTPPort: httpPort}
}

// writeLoopbackCert makes a self-signed certificate for 127.0.0.1.
func writeLoopbackCert(t testing.TB, dir string) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "pebble test listener"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "listener.pem"), filepath.Join(dir, "listener.key")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}
