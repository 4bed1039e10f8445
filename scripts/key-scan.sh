#!/usr/bin/env bash
# Key-material scan: private keys of every format where the exporter
# looks; every output (metrics, landing page, /probe with debug=true for
# every file, the debug log) is searched for any line of key material.
# Runs TestKeyMaterialScan (test/e2e/soak_test.go, build tag soak) against the
# exporter built from this tree, at nice ${NICE:-10}.
set -euo pipefail
cd "$(dirname "$0")/.."
export ACME_EXPORTER_OFFLINE=1
nice -n "${NICE:-10}" go test -tags soak -count=1 -run '^TestKeyMaterialScan$' -v -timeout 60m ./test/e2e -args  |
  tee "${OUT:-/dev/null}" | grep -E '^(KEYSCAN|--- |ok|FAIL|\s+soak_test)'
