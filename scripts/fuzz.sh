#!/usr/bin/env bash
# Runs every native Go fuzz target in the module for a short time each.
#
# Go 1.26's fuzz coordinator can fail a target with a bare "context
# deadline exceeded" when -fuzztime runs out while a worker is mid-call
# (go.dev/issue/75804, fixed in Go 1.27). That run found nothing: a real
# finding prints "Failing input written to". Such a run is repeated once,
# and the repeat must pass; any other failure fails at once.
set -euo pipefail
t=${1:-10s}
n=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  for f in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //'); do
    echo "fuzz $pkg $f ($t)"
    if ! go test -run '^$' -fuzz "^$f\$" -fuzztime "$t" "$pkg" 2>&1 | tee "$out"; then
      if grep -q 'context deadline exceeded' "$out" && ! grep -q 'Failing input written' "$out"; then
        echo "fuzz $pkg $f: the -fuzztime boundary race of go.dev/issue/75804, no input found; once more"
        go test -run '^$' -fuzz "^$f\$" -fuzztime "$t" "$pkg"
      else
        exit 1
      fi
    fi
    n=$((n+1))
  done
done
echo "fuzz targets run: $n"
[ "$n" -gt 0 ]
