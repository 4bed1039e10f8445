#!/usr/bin/env bash
# Whole-process benchmark: acme_exporter scraping 10,000 certificate files
# (docs/benchmarks.md). Prints start-up, cold and warm scrape
# times, CPU per warm scrape, response size and peak RSS (VmHWM) after the
# warm scrapes, then ten warm scrapes asking for gzip as Prometheus does,
# then peak RSS after ten more rounds of two concurrent scrapes (a
# Prometheus HA pair).
# Usage: scripts/bench-files.sh [runs] [exporter flags...]
#   e.g. scripts/bench-files.sh 3 --no-collector.ratelimit
# Loopback only; stops its exporter by PID.
set -euo pipefail
# Never fall back to internet defaults (NTP pool, Let's Encrypt): loopback only.
export ACME_EXPORTER_OFFLINE=1
runs=${1:-5}
shift || true
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/acme_exporter" ./cmd/acme_exporter
go run ./tools/gencerts -out "$work/certs" >/dev/null
cat > "$work/cfg.yml" <<CFG
global:
  scrape_timeout: 60s
  ca_file: $work/certs/ca.pem
discovery:
  enabled: false  # the generated files only, whatever the host has
certificate_files:
  - path: $work/certs/d*/*.pem
CFG
ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
hwm_kb() { awk '/^VmHWM/{print $2}' "/proc/$1/status"; }
port=$((20000 + RANDOM % 20000))
url="http://127.0.0.1:$port/metrics"
printf '%-4s %8s %8s %8s %8s %10s %9s %8s %9s\n' run start_s cold_s warm_s gzip_s cpu/scrape lines rss_MiB rss_ha_MiB
for r in $(seq "$runs"); do
  t0=$(date +%s.%N)
  "$work/acme_exporter" --config.file="$work/cfg.yml" --web.listen-address="127.0.0.1:$port" \
    --web.disable-exporter-metrics --log.level=warn "$@" >"$work/log" 2>&1 &
  pid=$!
  until curl -sf -o /dev/null "http://127.0.0.1:$port/-/healthy"; do sleep 0.01; done
  t1=$(date +%s.%N)
  cold=$(curl -s -o "$work/cold.txt" -w '%{time_total}' -H 'X-Prometheus-Scrape-Timeout-Seconds: 60' "$url")
  lines=$(wc -l < "$work/cold.txt")
  c0=$(ticks $pid)
  warm_total=0
  for i in $(seq 10); do
    w=$(curl -s -o /dev/null -w '%{time_total}' -H 'X-Prometheus-Scrape-Timeout-Seconds: 60' "$url")
    warm_total=$(echo "$warm_total + $w" | bc -l)
  done
  c1=$(ticks $pid)
  rss=$(hwm_kb $pid)
  gz_total=0
  for i in $(seq 10); do
    w=$(curl -s -o /dev/null -H 'Accept-Encoding: gzip' -w '%{time_total}' "$url")
    gz_total=$(echo "$gz_total + $w" | bc -l)
  done
  for i in $(seq 10); do
    curl -s -o /dev/null "$url" & a=$!
    curl -s -o /dev/null "$url" & b=$!
    wait "$a" "$b"
  done
  rss_ha=$(hwm_kb $pid)
  kill "$pid"; wait "$pid" 2>/dev/null || true
  printf '%-4s %8.3f %8.3f %8.3f %8.3f %10.3f %9d %8.1f %9.1f\n' "$r" "$(echo "$t1 - $t0" | bc -l)" "$cold" \
    "$(echo "$warm_total / 10" | bc -l)" "$(echo "$gz_total / 10" | bc -l)" "$(echo "($c1 - $c0) / 100 / 10" | bc -l)" \
    "$lines" "$(echo "$rss / 1024" | bc -l)" "$(echo "$rss_ha / 1024" | bc -l)"
done
grep -c '^acme_certificate_not_after_timestamp_seconds{' "$work/cold.txt" | sed 's/^/certificate series (not_after): /'
