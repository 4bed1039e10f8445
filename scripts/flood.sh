#!/usr/bin/env bash
# Idle and slowloris floods against the exporter built from this tree:
# N (20,000) connections that send nothing, then N that send their headers
# a byte at a time; during each, /metrics is scraped and the exporter's
# open fds and RSS read from /proc. tools/flood opens the connections.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${N:-20000}
tmp=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$tmp"' EXIT
go build -o "$tmp/acme_exporter" ./cmd/acme_exporter
go build -o "$tmp/flood" ./tools/flood
port=${PORT:-18190}
ACME_EXPORTER_OFFLINE=1 "$tmp/acme_exporter" --web.listen-address=127.0.0.1:$port --no-discovery.defaults >"$tmp/log" 2>&1 &
pid=$!
sleep 1
rss() { awk '/VmRSS/ {print $2/1024 " MiB"}' /proc/$pid/status; }
echo "before: fds=$(ls /proc/$pid/fd | wc -l) rss=$(rss)"
for mode in idle slowloris; do
  "$tmp/flood" -addr 127.0.0.1:$port -n "$n" -mode $mode -hold 20s >"$tmp/flood.out" &
  fpid=$!
  until grep -q ready "$tmp/flood.out"; do sleep 1; done
  echo "$mode: $(head -1 "$tmp/flood.out")"
  for i in 1 2 3; do
    curl -s -o /dev/null -m 15 -w "$mode: /metrics %{http_code} in %{time_total}s" http://127.0.0.1:$port/metrics || true
    echo "; exporter fds=$(ls /proc/$pid/fd | wc -l) rss=$(rss)"
    sleep 2
  done
  wait $fpid
  echo "$mode: $(tail -1 "$tmp/flood.out")"
done
echo "accept errors in the exporter's log: $(grep -c 'too many open files' "$tmp/log" || true)"
