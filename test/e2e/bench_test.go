// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

package e2e

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/acme-exporter/acme_exporter/internal/testbed"
)

// BenchmarkWholeProcess measures the exporter built from the tree as a
// process: scrape time of /metrics, CPU per scrape and RSS, with N
// certificate files (leaf + intermediate, ECDSA P-256, sibling keys).
// docs/benchmarks-e2e.md has the figures and the command.
func BenchmarkWholeProcess(b *testing.B) {
	root := moduleRoot(b)
	dir := testbed.Dir(b)
	bin := buildExporter(b, root, dir)
	for _, n := range []int{1, 1000, 10000} {
		b.Run("files="+strconv.Itoa(n), func(b *testing.B) {
			d := filepath.Join(dir, strconv.Itoa(n))
			caFile := writeCertTree(b, d, n)
			cfg := filepath.Join(d, "acme_exporter.yml")
			// Network defaults off explicitly (and ACME_EXPORTER_OFFLINE=1):
			// the figures are the exporter's own work, not a network's.
			conf := fmt.Sprintf("global:\n  ca_file: %s\n  system_roots: false\n  scrape_timeout: 60s\n"+
				"discovery:\n  enabled: false\nclock:\n  servers: []\nacme_directories:\n  default: \"\"\n"+
				"certificate_files:\n  - path: %s/certs/*/fullchain.pem\n", caFile, d)
			if err := os.WriteFile(cfg, []byte(conf), 0o644); err != nil {
				b.Fatal(err)
			}
			addr := fmt.Sprintf("127.0.0.1:%d", testbed.FreePort(b, "127.0.0.1"))
			p := testbed.Start(b, d, "acme_exporter", []string{bin, "--config.file=" + cfg, "--web.listen-address=" + addr}, "ACME_EXPORTER_OFFLINE=1")
			testbed.WaitHTTP(b, "http://"+addr+"/-/ready", p)
			pid := p.Cmd.Process.Pid
			cpu0 := cpuSeconds(b, pid)
			t0 := time.Now()
			size := scrape(b, addr)
			cold := time.Since(t0)
			cpuCold := cpuSeconds(b, pid) - cpu0
			b.ResetTimer()
			cpu1 := cpuSeconds(b, pid)
			for b.Loop() {
				scrape(b, addr)
			}
			b.StopTimer()
			cpuWarm := (cpuSeconds(b, pid) - cpu1) / float64(b.N)
			rss, hwm := memKiB(b, pid)
			b.ReportMetric(cold.Seconds(), "cold_scrape_s")
			b.ReportMetric(cpuCold, "cold_cpu_s")
			b.ReportMetric(cpuWarm, "cpu_s/scrape")
			b.ReportMetric(float64(rss)/1024, "rss_MiB")
			b.ReportMetric(float64(hwm)/1024, "peak_rss_MiB")
			b.ReportMetric(float64(size)/1024, "body_KiB")
		})
	}
}

func scrape(b *testing.B, addr string) int {
	req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/metrics", nil)
	req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", "60")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		b.Fatalf("scrape: %v %s", err, resp.Status)
	}
	return int(n)
}

// cpuSeconds is utime+stime of pid from /proc (USER_HZ is 100 on Linux).
func cpuSeconds(b *testing.B, pid int) float64 {
	s, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		b.Fatal(err)
	}
	// Fields after the command, which is in parentheses and may hold spaces.
	f := strings.Fields(string(s[strings.LastIndexByte(string(s), ')')+2:]))
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (ut + st) / 100
}

func memKiB(b *testing.B, pid int) (rss, hwm int) {
	s, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(s), "\n") {
		k, v, _ := strings.Cut(line, ":")
		n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
		switch k {
		case "VmRSS":
			rss = n
		case "VmHWM":
			hwm = n
		}
	}
	return rss, hwm
}

// writeCertTree writes n certificate directories (fullchain.pem with leaf
// and intermediate, privkey.pem) signed by a fresh root, and the root file.
func writeCertTree(b *testing.B, dir string, n int) string {
	now := time.Now()
	mk := func(tmpl, parent *x509.Certificate, pub, signer any) *x509.Certificate {
		der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
		if err != nil {
			b.Fatal(err)
		}
		c, _ := x509.ParseCertificate(der)
		return c
	}
	rootKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	rootT := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "bench root"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	root := mk(rootT, rootT, &rootKey.PublicKey, rootKey)
	intKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	intT := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "bench intermediate"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	inter := mk(intT, root, &intKey.PublicKey, rootKey)
	interPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: inter.Raw})
	for i := range n {
		k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		name := fmt.Sprintf("site%05d.bench.example.test", i)
		leaf := mk(&x509.Certificate{SerialNumber: big.NewInt(int64(1000 + i)), DNSNames: []string{name},
			NotBefore: now.Add(-time.Hour), NotAfter: now.Add(6 * time.Hour),
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, KeyUsage: x509.KeyUsageDigitalSignature},
			inter, &k.PublicKey, intKey)
		d := filepath.Join(dir, "certs", name)
		if err := os.MkdirAll(d, 0o755); err != nil {
			b.Fatal(err)
		}
		chain := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leaf.Raw}), interPEM...)
		kder, _ := x509.MarshalPKCS8PrivateKey(k)
		if err := os.WriteFile(filepath.Join(d, "fullchain.pem"), chain, 0o644); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "privkey.pem"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
			b.Fatal(err)
		}
	}
	ca := filepath.Join(dir, "root.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: root.Raw}), 0o644); err != nil {
		b.Fatal(err)
	}
	return ca
}
