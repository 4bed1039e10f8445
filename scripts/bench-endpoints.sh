#!/usr/bin/env bash
# Copyright 2026 The acme_exporter Authors
# SPDX-License-Identifier: Apache-2.0
#
# bench-endpoints.sh: 1,000 TLS endpoints on loopback (127.0.0.1:20000-20999,
# leaf + intermediate, TLS 1.3), probed by acme_exporter and by Debian's
# prometheus-blackbox-exporter in the same session (docs/benchmarks-endpoint.md),
# and by ssl_exporter when its binary is given.
#
#   scripts/bench-endpoints.sh [runs]      # default 5 runs per cell
#   SSL_EXPORTER=/path/to/ssl_exporter     # add ssl_exporter's tcp module (built from its source)
#
# Cells: acme_exporter /metrics (all 1,000 endpoints in ONE scrape, global
# concurrency 16); acme_exporter /probe (1,000 requests, client concurrency
# 16); blackbox_exporter /probe module tcp+tls (1,000 requests, concurrency
# 16). CPU is utime+stime of the exporter from /proc/PID/stat; RSS is VmHWM.
# Only loopback is used. Processes are stopped by PID.
set -euo pipefail
RUNS=${1:-5}
N=1000
BASE=20000
cd "$(dirname "$0")/.."
REPO=$PWD
W=$(mktemp -d /tmp/bench-endpoints.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$W"; }
trap cleanup EXIT

BBE=$(command -v prometheus-blackbox-exporter || echo /usr/bin/prometheus-blackbox-exporter)
[ -x "$BBE" ] || { echo "prometheus-blackbox-exporter is not installed (apt-get install prometheus-blackbox-exporter)" >&2; exit 1; }

# --- the helper: TLS servers and the probe client (stdlib only) ---
mkdir -p "$W/tool"
cat > "$W/tool/go.mod" <<'EOF'
module benchtool

go 1.26
EOF
cat > "$W/tool/main.go" <<'EOF'
package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"flag"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func ca(name string, parent *x509.Certificate, pkey *ecdsa.PrivateKey, serial int64) (*x509.Certificate, *ecdsa.PrivateKey) {
	k := must(ecdsa.GenerateKey(elliptic.P256(), rand.Reader))
	t := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(5, 0, 0), IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	if parent == nil {
		parent, pkey = t, k
	}
	return must(x509.ParseCertificate(must(x509.CreateCertificate(rand.Reader, t, parent, &k.PublicKey, pkey)))), k
}

func serve(n, base int, caOut string) {
	root, rk := ca("Perf Local Root CA", nil, nil, 1)
	inter, ik := ca("Perf Local Intermediate CA", root, rk, 2)
	must(0, os.WriteFile(caOut, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: root.Raw}), 0o644))
	for i := 0; i < n; i++ {
		k := must(ecdsa.GenerateKey(elliptic.P256(), rand.Reader))
		name := fmt.Sprintf("svc%04d.perf.test", i)
		t := &x509.Certificate{SerialNumber: big.NewInt(int64(1000 + i)), Subject: pkix.Name{CommonName: name},
			DNSNames: []string{name}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(0, 0, 7+i%83),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
		der := must(x509.CreateCertificate(rand.Reader, t, inter, &k.PublicKey, ik))
		cfg := &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der, inter.Raw}, PrivateKey: k}}}
		l := must(tls.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", base+i), cfg))
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok\n") })}
		go srv.Serve(l)
	}
	fmt.Println("ready")
	select {}
}

func probe(n, c, base int, url, metric string) {
	var ok atomic.Int64
	jobs := make(chan int)
	var wg sync.WaitGroup
	cl := &http.Client{Timeout: 30 * time.Second}
	start := time.Now()
	for w := 0; w < c; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				req := must(http.NewRequest("GET", fmt.Sprintf(url, base+i), nil))
				req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", "10")
				resp, err := cl.Do(req)
				if err != nil {
					continue
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				for _, line := range strings.Split(string(b), "\n") {
					if strings.HasPrefix(line, metric) && strings.HasSuffix(line, " 1") {
						ok.Add(1)
						break
					}
				}
			}
		}()
	}
	for i := 0; i < n; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	fmt.Printf("%.3f %d\n", time.Since(start).Seconds(), ok.Load())
}

func main() {
	mode := flag.String("mode", "serve", "serve or probe")
	n := flag.Int("n", 1000, "endpoints")
	c := flag.Int("c", 16, "client concurrency")
	base := flag.Int("base", 20000, "first port")
	caOut := flag.String("ca", "ca.pem", "root CA output")
	url := flag.String("url", "", "probe URL with %d for the port")
	metric := flag.String("metric", "probe_success", "success metric prefix")
	flag.Parse()
	if *mode == "serve" {
		serve(*n, *base, *caOut)
	}
	probe(*n, *c, *base, *url, *metric)
}
EOF
(cd "$W/tool" && GOFLAGS=-mod=mod go build -o "$W/benchtool" .)
(cd "$REPO" && go build -o "$W/acme_exporter" ./cmd/acme_exporter)

"$W/benchtool" -mode serve -n $N -base $BASE -ca "$W/ca.pem" > "$W/serve.log" 2>&1 &
PIDS+=($!)
until grep -q ready "$W/serve.log" 2>/dev/null; do sleep 0.1; done

# --- configs ---
{
  echo "global: {scrape_timeout: 60s, concurrency: 16, probe_concurrency: 16, ca_file: $W/ca.pem, system_roots: false}"
  echo "discovery: {enabled: false}  # the benchmark measures endpoints only"
  echo "ports: {ports: [1]}"
  echo "modules:"
  echo "  tls: {kind: endpoint, timeout: 10s, allow_cidrs: [127.0.0.0/8]}"
  echo "endpoints:"
  for ((i = 0; i < N; i++)); do echo "  - {target: 127.0.0.1:$((BASE + i)), timeout: 10s}"; done
} > "$W/acme.yml"
cat > "$W/bbe.yml" <<EOF
modules:
  tls_ca: {prober: tcp, timeout: 10s, tcp: {tls: true, tls_config: {ca_file: $W/ca.pem}}}
EOF
cat > "$W/ssl.yml" <<EOF
modules:
  tcp_ca: {prober: tcp, timeout: 10s, tls_config: {ca_file: $W/ca.pem}}
EOF

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hwm_kb() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }
hwm_mb() { awk '/VmHWM/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }
per_probe() { awk "BEGIN {printf \"%.3f\", ($2 - $1) * 10 / $N}"; }  # ms of CPU per endpoint (10 ms ticks)
wait_http() { until curl -s -o /dev/null "$1"; do sleep 0.01; done; }
stop() { kill "$1"; wait "$1" 2>/dev/null || true; }

ACME_FLAGS=(--config.file "$W/acme.yml" --no-collector.certificate_file --no-collector.http01 --no-collector.port)

echo "cell run wall_s cpu_ms_per_probe hwm_mb ok"
for ((r = 1; r <= RUNS; r++)); do
  # acme_exporter: all endpoints in one /metrics scrape.
  "$W/acme_exporter" "${ACME_FLAGS[@]}" --web.listen-address 127.0.0.1:19219 > "$W/acme.log" 2>&1 &
  P=$!; PIDS+=($P); wait_http http://127.0.0.1:19219/-/healthy
  c0=$(ticks $P); t0=$(date +%s.%N)
  curl -s -H 'X-Prometheus-Scrape-Timeout-Seconds: 60' http://127.0.0.1:19219/metrics > "$W/scrape.txt"
  t1=$(date +%s.%N); c1=$(ticks $P)
  ok=$(grep -c '^acme_endpoint_verified{.*} 1$' "$W/scrape.txt" || true)
  echo "acme_scrape $r $(awk "BEGIN {printf \"%.3f\", $t1 - $t0}") $(per_probe $c0 $c1) $(hwm_mb $P) $ok"
  stop $P

  # acme_exporter: 1,000 /probe requests, concurrency 16.
  "$W/acme_exporter" "${ACME_FLAGS[@]}" --web.listen-address 127.0.0.1:19219 > "$W/acme.log" 2>&1 &
  P=$!; PIDS+=($P); wait_http http://127.0.0.1:19219/-/healthy
  c0=$(ticks $P)
  read -r wall ok < <("$W/benchtool" -mode probe -n $N -c 16 -base $BASE -metric acme_endpoint_verified \
    -url 'http://127.0.0.1:19219/probe?module=tls&target=127.0.0.1:%d')
  c1=$(ticks $P)
  echo "acme_probe $r $wall $(per_probe $c0 $c1) $(hwm_mb $P) $ok"
  stop $P

  # blackbox_exporter 0.23: 1,000 /probe requests, tcp + tls, concurrency 16.
  "$BBE" --config.file "$W/bbe.yml" --web.listen-address 127.0.0.1:19115 > "$W/bbe.log" 2>&1 &
  P=$!; PIDS+=($P); wait_http http://127.0.0.1:19115/metrics
  c0=$(ticks $P)
  read -r wall ok < <("$W/benchtool" -mode probe -n $N -c 16 -base $BASE -metric probe_success \
    -url 'http://127.0.0.1:19115/probe?module=tls_ca&target=127.0.0.1:%d')
  c1=$(ticks $P)
  echo "blackbox_probe $r $wall $(per_probe $c0 $c1) $(hwm_mb $P) $ok"
  stop $P

  # ssl_exporter: 1,000 /probe requests, tcp (handshake and chain verification), concurrency 16.
  if [ -n "${SSL_EXPORTER:-}" ]; then
    "$SSL_EXPORTER" --config.file "$W/ssl.yml" --web.listen-address 127.0.0.1:19220 > "$W/ssl.log" 2>&1 &
    P=$!; PIDS+=($P); wait_http http://127.0.0.1:19220/metrics
    c0=$(ticks $P)
    read -r wall ok < <("$W/benchtool" -mode probe -n $N -c 16 -base $BASE -metric ssl_probe_success \
      -url 'http://127.0.0.1:19220/probe?module=tcp_ca&target=127.0.0.1:%d')
    c1=$(ticks $P)
    echo "ssl_probe $r $wall $(per_probe $c0 $c1) $(hwm_mb $P) $ok"
    stop $P
  fi
done
