#!/usr/bin/env bash
# Reload under load: RELOADS (100) reloads alternating good and bad configs
# while 10 scrapers run; prints accepted/refused reloads, scrapes that saw
# the wrong config, failed scrapes.
# Runs TestReloadUnderLoad (test/e2e/soak_test.go, build tag soak) against the
# exporter built from this tree, at nice ${NICE:-10}.
set -euo pipefail
cd "$(dirname "$0")/.."
export ACME_EXPORTER_OFFLINE=1
nice -n "${NICE:-10}" go test -tags soak -count=1 -run '^TestReloadUnderLoad$' -v -timeout 60m ./test/e2e -args -reloads "${RELOADS:-100}" |
  tee "${OUT:-/dev/null}" | grep -E '^(RELOAD|--- |ok|FAIL|\s+soak_test)'
