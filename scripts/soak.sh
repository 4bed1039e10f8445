#!/usr/bin/env bash
# Soak: SCRAPERS (50) scrapers scrape /metrics for DURATION (10m) against
# certificate files, a TLS endpoint (nginx), a tarpit endpoint, DNS-01 zones
# (Knot) and an NTP server (chrony); prints latency percentiles, 503 counts
# and the exporter's goroutines, open fds and RSS every minute.
# Runs TestSoak (test/e2e/soak_test.go, build tag soak) against the
# exporter built from this tree, at nice ${NICE:-10}.
set -euo pipefail
cd "$(dirname "$0")/.."
export ACME_EXPORTER_OFFLINE=1
nice -n "${NICE:-10}" go test -tags soak -count=1 -run '^TestSoak$' -v -timeout 60m ./test/e2e -args -soak.duration "${DURATION:-10m}" -soak.scrapers "${SCRAPERS:-50}" |
  tee "${OUT:-/dev/null}" | grep -E '^(SOAK|--- |ok|FAIL|\s+soak_test)'
