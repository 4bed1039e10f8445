// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package testbed

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/letsencrypt/pebble/v2/ca"
	"github.com/letsencrypt/pebble/v2/db"
	"github.com/letsencrypt/pebble/v2/va"
	"github.com/letsencrypt/pebble/v2/wfe"
	"golang.org/x/crypto/acme"
)

// Pebble is Let's Encrypt's test CA (v2.10.3) running in-process on
// loopback: the real WFE, CA and database, with challenges always valid.
type Pebble struct {
	Server     *httptest.Server // ACME API (TLS)
	Management *httptest.Server // /roots/0, /set-renewal-info/, ... (TLS)
	// Client trusts both servers' TLS certificate.
	Client *http.Client
}

// DirectoryURL is the ACME directory.
func (p *Pebble) DirectoryURL() string { return p.Server.URL + "/dir" }

// StartPebble starts Pebble with one profile of the given certificate
// lifetime (90 days when zero) and stops it when the test ends.
func StartPebble(t testing.TB, lifetime time.Duration) *Pebble {
	t.Helper()
	if lifetime == 0 {
		lifetime = 90 * 24 * time.Hour
	}
	t.Setenv("PEBBLE_VA_ALWAYS_VALID", "1")
	t.Setenv("PEBBLE_WFE_NONCEREJECT", "0")
	t.Setenv("PEBBLE_AUTHZREUSE", "0")
	logger := log.New(io.Discard, "", 0)
	store := db.NewMemoryStore()
	cai := ca.New(logger, store, "", "ecdsa", 0, 1, map[string]ca.Profile{
		"default": {Description: "test profile", ValidityPeriod: uint64(lifetime.Seconds())},
	})
	// The VA never dials: PEBBLE_VA_ALWAYS_VALID. Its resolver is a
	// loopback address so nothing could leave the machine anyway.
	vai := va.New(logger, 5002, 5001, false, "127.0.0.1:1", store)
	w := wfe.New(logger, store, vai, cai, []string{"pebble.letsencrypt.org"}, false, false, 1, 1)
	p := &Pebble{
		Server:     httptest.NewTLSServer(w.Handler()),
		Management: httptest.NewUnstartedServer(w.ManagementHandler()),
	}
	p.Management.TLS = p.Server.TLS
	p.Management.StartTLS()
	p.Client = p.Server.Client()
	t.Cleanup(func() { p.Server.Close(); p.Management.Close() })
	return p
}

// Issued is a certificate Pebble issued, with its key.
type Issued struct {
	Chain    []*x509.Certificate // leaf first
	ChainPEM []byte
	Key      crypto.Signer
	KeyPEM   []byte
}

// NewAccount registers an account with a fresh key.
func (p *Pebble) NewAccount(t testing.TB) *acme.Client {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	cl := &acme.Client{Key: key, DirectoryURL: p.DirectoryURL(), HTTPClient: p.Client}
	if _, err := cl.Register(context.Background(), &acme.Account{}, acme.AcceptTOS); err != nil {
		t.Fatal(err)
	}
	return cl
}

// Issue obtains a certificate for names through the real ACME flow.
func (p *Pebble) Issue(t testing.TB, cl *acme.Client, names ...string) *Issued {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	o, err := cl.AuthorizeOrder(ctx, acme.DomainIDs(names...))
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range o.AuthzURLs {
		z, err := cl.GetAuthorization(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		if z.Status == acme.StatusValid {
			continue // an authorization Pebble reused
		}
		for _, ch := range z.Challenges {
			if ch.Type == "http-01" && ch.Status == acme.StatusPending {
				if _, err := cl.Accept(ctx, ch); err != nil {
					t.Fatal(err)
				}
			}
		}
		if _, err := cl.WaitAuthorization(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	if o, err = cl.WaitOrder(ctx, o.URI); err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	csr, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{DNSNames: names}, key)
	if err != nil {
		t.Fatal(err)
	}
	// Pebble's finalize reply has no Location header, so x/crypto/acme
	// fails after Pebble issued: poll the order instead.
	_, _, _ = cl.CreateOrderCert(ctx, o.FinalizeURL, csr, true)
	if o, err = cl.WaitOrder(ctx, o.URI); err != nil {
		t.Fatal(err)
	}
	ders, err := cl.FetchCert(ctx, o.CertURL, true)
	if err != nil {
		t.Fatal(err)
	}
	is := &Issued{Key: key}
	for _, d := range ders {
		c, err := x509.ParseCertificate(d)
		if err != nil {
			t.Fatal(err)
		}
		is.Chain = append(is.Chain, c)
		is.ChainPEM = append(is.ChainPEM, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: d})...)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	is.KeyPEM = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder})
	return is
}

// RootPEM fetches the current root from the management API (Pebble
// regenerates it on every start).
func (p *Pebble) RootPEM(t testing.TB) []byte {
	t.Helper()
	resp, err := p.Client.Get(p.Management.URL + "/roots/0")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
