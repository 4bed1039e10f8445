// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

// Command gencerts writes the 10,000-file benchmark fixture of
// docs/benchmarks.md: dirs × per-dir PEM files, each an ECDSA P-256 leaf followed by
// its intermediate, expiring in 7–90 days, plus ca.pem (the root).
package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"flag"
	"fmt"
	"log"
	"math/big"
	"os"
	"path/filepath"
	"time"
)

func main() {
	out := flag.String("out", "", "output directory")
	dirs := flag.Int("dirs", 100, "number of subdirectories")
	per := flag.Int("per-dir", 100, "files per subdirectory")
	flag.Parse()
	if *out == "" {
		log.Fatal("-out is required")
	}
	now := time.Now()
	rootKey := key()
	root := cert(&x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Bench Root"},
		NotBefore: now.AddDate(-1, 0, 0), NotAfter: now.AddDate(10, 0, 0), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}, nil, rootKey, rootKey)
	interKey := key()
	inter := cert(&x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "Bench Intermediate"},
		NotBefore: now.AddDate(-1, 0, 0), NotAfter: now.AddDate(5, 0, 0), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}, root, rootKey, interKey)
	must(os.MkdirAll(*out, 0o755))
	must(os.WriteFile(filepath.Join(*out, "ca.pem"), pemOf(root), 0o644))
	interPEM := pemOf(inter)
	n := 0
	for d := 0; d < *dirs; d++ {
		dir := filepath.Join(*out, fmt.Sprintf("d%03d", d))
		must(os.MkdirAll(dir, 0o755))
		for i := 0; i < *per; i++ {
			name := fmt.Sprintf("file%05d.perf.test", n)
			leaf := cert(&x509.Certificate{SerialNumber: big.NewInt(int64(1000 + n)), Subject: pkix.Name{CommonName: name},
				DNSNames: []string{name}, NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(0, 0, 7+n%84),
				KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}},
				inter, interKey, key())
			must(os.WriteFile(filepath.Join(dir, fmt.Sprintf("cert%05d.pem", n)), append(pemOf(leaf), interPEM...), 0o644))
			n++
		}
	}
	fmt.Println("wrote", n, "files to", *out)
}

func key() *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(err)
	return k
}

func cert(tmpl, parent *x509.Certificate, parentKey, k *ecdsa.PrivateKey) *x509.Certificate {
	if parent == nil {
		parent = tmpl
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &k.PublicKey, parentKey)
	must(err)
	c, err := x509.ParseCertificate(der)
	must(err)
	return c
}

func pemOf(c *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
