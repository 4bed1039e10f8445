#!/usr/bin/env bash
# Copyright 2026 The acme_exporter Authors
# SPDX-License-Identifier: Apache-2.0
#
# bench-scale.sh: whole-process run over N certificate files (leaf +
# intermediate, tools/gencerts), acme_exporter and, when their binaries are
# given, the peers in the same session (docs/benchmarks.md).
#
#   scripts/bench-scale.sh [files] [runs] [warm scrapes]   # defaults 100000 5 5
#   SETTLE=2                   scrapes after the first complete one, reported apart (settle_cpu)
#   PEER_WARM=n                warm scrapes of the peers (default: as many as acme_exporter's); they
#                              keep no state between scrapes, so each of theirs costs the same
#   CHANGES=3                  acme_exporter only: scrapes each after a renewal (change_cpu)
#   FIXTURE=/some/dir          reuse a fixture made by tools/gencerts (else made, minutes at 100k)
#   SSL_EXPORTER=/path/to/ssl_exporter X509_EXPORTER=/path/to/x509-certificate-exporter
#
# Per run and exporter, a fresh process: start -> first complete response
# (wall and CPU), CPU per settling scrape, mean warm scrape, CPU per warm
# scrape, gzip bytes of one scrape, samples per certificate file, peak RSS
# (VmHWM). Medians at the end. The settling scrapes are the first SETTLE
# after the first complete one: they still pay one-time work of the start
# (families derived from the whole inventory count it the first time, the
# collector frees the parse's garbage), so the warm figures, the steady
# cost of unchanged files, start after them, with the same number of
# scrapes at every size. change_cpu is what a scrape costs right after one
# certificate was renewed (one more file, replaced between scrapes as ACME
# clients do, by rename): the families derived from the whole inventory
# count it again. At 100,000 certificates of 45 days, a renewal lands about
# every half minute, so a large host pays this on most scrapes.
# CPU is utime+stime from /proc/PID/stat. Loopback only; processes stopped by
# PID. Not part of `make test`: generating 100,000 files takes minutes.
set -euo pipefail
N=${1:-100000}
RUNS=${2:-5}
WARM=${3:-5}
SETTLE=${SETTLE:-2}
CHANGES=${CHANGES:-3}
PEER_WARM=${PEER_WARM:-$WARM}
cd "$(dirname "$0")/.."
export ACME_EXPORTER_OFFLINE=1
W=$(mktemp -d /tmp/bench-scale.XXXXXX)
PID=
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT
go build -o "$W/acme_exporter" ./cmd/acme_exporter
DIR=${FIXTURE:-}
if [ -z "$DIR" ]; then
  DIR=$W/certs
  go run ./tools/gencerts -out "$DIR" -dirs $((N / 100)) -per-dir 100 >/dev/null
fi
got=$(find "$DIR" -name 'cert*.pem' | wc -l)
[ "$got" -eq "$N" ] || { echo "fixture $DIR holds $got files, want $N" >&2; exit 1; }

cat > "$W/acme.yml" <<CFG
global:
  scrape_timeout: 300s
  ca_file: $DIR/ca.pem
discovery:
  enabled: false
certificate_files:
  - path: $DIR/d*/*.pem
  - path: $W/churn/renewed.pem
CFG
mkdir "$W/churn"
first_two=$(find "$DIR/d000" -name 'cert*.pem' | sort | head -2)
churn=0
# renew: the churn file becomes the other of two fixture certificates.
renew() {
  churn=$((1 - churn))
  cp "$(echo "$first_two" | sed -n "$((churn + 1))p")" "$W/churn/.new" && mv "$W/churn/.new" "$W/churn/renewed.pem"
}
renew
cat > "$W/ssl.yml" <<CFG
modules:
  file:
    prober: file
    timeout: 300s
CFG

ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
hwm_kb() { awk '/^VmHWM/{print $2}' "/proc/$1/status"; }
now() { date +%s.%N; }
port=$((21000 + RANDOM % 20000))

# start NAME: starts the exporter, sets PID, URL (the scrape) and waits until it listens.
start() {
  case $1 in
  acme)
    "$W/acme_exporter" --config.file="$W/acme.yml" --web.listen-address="127.0.0.1:$port" \
      --web.disable-exporter-metrics --log.level=warn >"$W/log" 2>&1 &
    PID=$!; URL="http://127.0.0.1:$port/metrics"; up="http://127.0.0.1:$port/-/healthy" ;;
  ssl)
    "$SSL_EXPORTER" --web.listen-address="127.0.0.1:$port" --config.file="$W/ssl.yml" >"$W/log" 2>&1 &
    PID=$!; URL="http://127.0.0.1:$port/probe?module=file&target=$DIR/d*/*.pem"; up="http://127.0.0.1:$port/metrics" ;;
  x509)
    "$X509_EXPORTER" --listen-address "127.0.0.1:$port" --watch-file "$DIR/d*/*.pem" >"$W/log" 2>&1 &
    PID=$!; URL="http://127.0.0.1:$port/metrics"; up="http://127.0.0.1:$port/readyz" ;;
  esac
  until curl -sf -o /dev/null "$up"; do sleep 0.01; done
}
# complete FILE: the response names every file (the peers export the
# intermediate too: count the leaves' lines).
complete() {
  case $1 in
  acme) [ "$(grep -c '^acme_certificate_not_after_timestamp_seconds{' "$W/out")" -eq "$((N + 1))" ] ;;
  ssl) [ "$(grep -c '^ssl_file_cert_not_after{cn="file' "$W/out")" -eq "$N" ] ;;
  x509) [ "$(grep -c '^x509_cert_not_after{.*subject_CN="file' "$W/out")" -eq "$N" ] ;;
  esac
}
get() { curl -s -g -o "${2:-/dev/null}" -H 'X-Prometheus-Scrape-Timeout-Seconds: 300' -w '%{time_total}' "$1"; }

exporters=(acme)
[ -n "${SSL_EXPORTER:-}" ] && exporters+=(ssl)
[ -n "${X509_EXPORTER:-}" ] && exporters+=(x509)
echo "files=$N runs=$RUNS settle=$SETTLE warm=$WARM peer_warm=$PEER_WARM changes=$CHANGES fixture=$DIR $(uptime)"
printf '%-5s %-4s %9s %9s %10s %9s %10s %10s %10s %9s %9s\n' exp run first_s first_cpu settle_cpu warm_s warm_cpu change_cpu gzip_MB samp/file rss_MB | tee "$W/rows"
for r in $(seq "$RUNS"); do
  for e in "${exporters[@]}"; do
    t0=$(now)
    start "$e"
    until get "$URL" "$W/out" >/dev/null && complete "$e"; do sleep 0.05; done
    t1=$(now); c1=$(ticks "$PID")
    samples=$(grep -vc '^#' "$W/out")
    for i in $(seq "$SETTLE"); do get "$URL" >/dev/null; done
    c15=$(ticks "$PID")
    total=0
    warm=$WARM
    [ "$e" = acme ] || warm=$PEER_WARM
    for i in $(seq "$warm"); do total=$(echo "$total + $(get "$URL")" | bc -l); done
    c2=$(ticks "$PID")
    change=-
    if [ "$e" = acme ] && [ "$CHANGES" -gt 0 ]; then
      for i in $(seq "$CHANGES"); do renew; get "$URL" >/dev/null; done
      change=$(printf '%.3f' "$(echo "($(ticks "$PID") - $c2) / 100 / $CHANGES" | bc -l)")
    fi
    gz=$(curl -s -g -o /dev/null -H 'Accept-Encoding: gzip' -H 'X-Prometheus-Scrape-Timeout-Seconds: 300' -w '%{size_download}' "$URL")
    rss=$(hwm_kb "$PID")
    kill "$PID"; wait "$PID" 2>/dev/null || true; PID=
    printf '%-5s %-4s %9.3f %9.2f %10.3f %9.3f %10.3f %10s %10.3f %9.2f %9.1f\n' "$e" "$r" "$(echo "$t1 - $t0" | bc -l)" \
      "$(echo "$c1 / 100" | bc -l)" "$(echo "($c15 - $c1) / 100 / ($SETTLE + ($SETTLE == 0))" | bc -l)" \
      "$(echo "$total / $warm" | bc -l)" "$(echo "($c2 - $c15) / 100 / $warm" | bc -l)" "$change" \
      "$(echo "$gz / 1000000" | bc -l)" "$(echo "$samples / $N" | bc -l)" "$(echo "$rss / 1024" | bc -l)" | tee -a "$W/rows"
  done
done
echo "medians:"
for e in "${exporters[@]}"; do
  printf '%-5s %-4s' "$e" med
  for col in 3 4 5 6 7 8 9 10 11; do
    printf ' %9s' "$(awk -v e="$e" -v c=$col '$1==e{print $c}' "$W/rows" | sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}')"
  done
  echo
done
echo "$(uptime)"
