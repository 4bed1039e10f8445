// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package e2e

import (
	"context"
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"golang.org/x/crypto/acme"

	"github.com/acme-exporter/acme_exporter/internal/testbed"
)

// Account keys of the bed (root cause 1). Each is a real Pebble account
// that lego registered while obtaining a certificate with its own --path:
// "fresh" stays registered and is checked all along; "deact" is
// deactivated by the account-deactivated scenario; "svc" belongs to the
// service user of the account-key-unreadable scenario.
type acmeAccount struct {
	email, path, key string
}

func (b *bed) registerAccount(ctx context.Context, who string) *acmeAccount {
	a := &acmeAccount{email: who + "@example.com", path: filepath.Join(b.dir, "lego-"+who)}
	argv := []string{testbed.Binary(b.t, "lego"), "--server", b.pebbleDir,
		"--email", a.email, "--accept-tos", "--path", a.path, "--key-type", "ec256",
		"--http", "--http.webroot", b.webroot, "-d", "acct-" + who + "." + domain, "run"}
	if err := b.runClient(ctx, argv, "LEGO_CA_CERTIFICATES="+b.minica); err != nil {
		b.t.Fatalf("registering account %s: %v", who, err)
	}
	keys, _ := filepath.Glob(filepath.Join(a.path, "accounts", "*", a.email, "keys", a.email+".key"))
	if len(keys) != 1 {
		b.t.Fatalf("account %s: want one lego account key, found %v", who, keys)
	}
	a.key = keys[0]
	// Debian's lego writes the account key with mode 0644 here, which the
	// exporter rightly reports (AcmeAccountKeyInsecure); the bed tightens
	// it as an operator would.
	if err := os.Chmod(a.key, 0o600); err != nil {
		b.t.Fatal(err)
	}
	return a
}

// accountsConfig is the accounts part of the exporter's config.
func (b *bed) accountsConfig() string {
	var sb strings.Builder
	sb.WriteString("accounts:\n  check_registration: false\n  registration_interval: 10m\n  timeout: 5s\n")
	if len(b.accounts) == 0 {
		sb.WriteString("  keys: []\n")
		return sb.String()
	}
	sb.WriteString("  keys:\n")
	for _, a := range b.accounts {
		fmt.Fprintf(&sb, "    - path: %s\n      client: lego\n      directory: %s\n      check_registration: true\n", a.key, b.pebbleDir)
	}
	return sb.String()
}

// deactivate deactivates the account in Pebble (RFC 8555 §7.3.6) with
// its own key, as `certbot unregister` would; the key file stays.
func (b *bed) deactivate(ctx context.Context, a *acmeAccount) error {
	data, err := os.ReadFile(a.key)
	if err != nil {
		return err
	}
	blk, _ := pem.Decode(data)
	if blk == nil {
		return errors.New("account key: no PEM")
	}
	var key crypto.Signer
	if k, err := x509.ParseECPrivateKey(blk.Bytes); err == nil {
		key = k
	} else if k, err := x509.ParsePKCS8PrivateKey(blk.Bytes); err == nil {
		key, _ = k.(crypto.Signer)
	}
	if key == nil {
		return fmt.Errorf("account key %s does not parse", a.key)
	}
	pool := x509.NewCertPool()
	pemBytes, err := os.ReadFile(b.minica)
	if err != nil {
		return fmt.Errorf("minica: %w", err)
	}
	if !pool.AppendCertsFromPEM(pemBytes) {
		return fmt.Errorf("minica %s: no certificate", b.minica)
	}
	c := &acme.Client{Key: key, DirectoryURL: b.pebbleDir, HTTPClient: &http.Client{Timeout: 10 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}}
	return c.DeactivateReg(ctx)
}

// serviceUser is the ACME client's user in the account-key scenario.
const serviceUser = 65534

// handToServiceUser gives the account's whole lego directory to the
// service user, key mode 0600: the client runs as that user.
func (b *bed) handToServiceUser(a *acmeAccount) {
	err := filepath.WalkDir(a.path, func(p string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, serviceUser, serviceUser)
	})
	if err != nil {
		b.t.Fatal(err)
	}
}

// startAccountsExporter starts a second exporter for the service user's
// account key. Whether the service user can read the key is computed for
// run_as, but the exporter must read the key itself to parse it, and the
// main exporter has CAP_DAC_READ_SEARCH dropped (so that file-unreadable
// can fire); this one keeps its capabilities, as docs/checks/account.md
// recommends. It checks nothing else: every network default is off.
func (b *bed) startAccountsExporter() {
	t := b.t
	conf := fmt.Sprintf("discovery:\n  enabled: false\nclock:\n  servers: []\nacme_directories:\n  default: \"\"\n"+
		"accounts:\n  check_registration: false\n  keys:\n    - path: %s\n      client: lego\n      run_as: \"%d:%d\"\n      storage_dir: %s\n",
		b.acctSvc.key, serviceUser, serviceUser, b.acctSvc.path)
	path := filepath.Join(b.dir, "acme_exporter_accounts.yml")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	b.acctExporterAddr = fmt.Sprintf("127.0.0.1:%d", testbed.FreePort(t, "127.0.0.1"))
	b.acctExporterArgv = []string{b.exporterBin, "--config.file=" + path, "--web.listen-address=" + b.acctExporterAddr}
	b.restartAccountsExporter()
}

// restartAccountsExporter starts the accounts exporter (again, after a
// scenario killed it); it runs on the test goroutine.
func (b *bed) restartAccountsExporter() {
	p := testbed.Start(b.t, b.dir, fmt.Sprintf("acme_exporter-accounts-%d", time.Now().UnixNano()), b.acctExporterArgv, "ACME_EXPORTER_OFFLINE=1")
	testbed.WaitHTTP(b.t, "http://"+b.acctExporterAddr+"/-/ready", p)
	b.exporterMu.Lock()
	b.acctExporter = p
	b.exporterMu.Unlock()
}

func (b *bed) killAccountsExporter() error {
	b.exporterMu.Lock()
	p := b.acctExporter
	b.exporterMu.Unlock()
	return syscall.Kill(p.Cmd.Process.Pid, syscall.SIGKILL)
}
