#!/usr/bin/env bash
# Hostile files: a FIFO, a symlink to /dev/zero, a directory named like a
# file, 3,000 sparse 2 GB files and names in invalid UTF-8 under one glob;
# prints scrape durations and the reason each case gets.
# Runs TestHostileFiles (test/e2e/soak_test.go, build tag soak) against the
# exporter built from this tree, at nice ${NICE:-10}.
set -euo pipefail
cd "$(dirname "$0")/.."
export ACME_EXPORTER_OFFLINE=1
nice -n "${NICE:-10}" go test -tags soak -count=1 -run '^TestHostileFiles$' -v -timeout 60m ./test/e2e -args  |
  tee "${OUT:-/dev/null}" | grep -E '^(HOSTILE|--- |ok|FAIL|\s+soak_test)'
