#!/usr/bin/env bash
# Runs every native Go fuzz target in the module for a long time each
# (default 5m), one fuzz worker per target, LANES targets at a time, at the
# lowest CPU priority. Writes one log per target and a summary table
# (package, target, seconds, executions, new corpus entries, result) to
# OUT. A crasher makes the target FAIL and go test leaves the input under
# the package's testdata/fuzz/<Target>/; the script exits non-zero then.
#
#   scripts/fuzz-long.sh [FUZZTIME] [LANES] [OUT]
set -euo pipefail
t=${1:-5m}
lanes=${2:-1}
out=${3:-fuzz-long.out}
mkdir -p "$out"
: >"$out/targets"
for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  for f in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
    echo "$pkg $f" >>"$out/targets"
  done
done
echo "fuzz targets: $(wc -l <"$out/targets"), $t each, $lanes at a time" >&2

run_one() {
  local pkg=$1 f=$2 t=$3 out=$4 log start end rc execs newi
  log="$out/$(echo "$pkg" | tr / _).$f.log"
  start=$(date +%s)
  rc=0
  # -parallel 1: one fuzz worker, so the machine stays usable.
  nice -n 19 go test -run '^$' -fuzz "^$f\$" -fuzztime "$t" -parallel 1 "$pkg" >"$log" 2>&1 || rc=$?
  end=$(date +%s)
  execs=$(grep -o 'execs: [0-9]*' "$log" | tail -1 | awk '{print $2}')
  newi=$(grep -o 'new interesting: [0-9]*' "$log" | tail -1 | awk '{print $3}')
  local res=ok
  [ "$rc" -ne 0 ] && res=FAIL
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$pkg" "$f" "$((end - start))" "${execs:-0}" "${newi:-0}" "$res" "$(date -u +%H:%M:%S)" >>"$out/summary.tsv"
  echo "$res $pkg $f execs=${execs:-0} new=${newi:-0}" >&2
}
export -f run_one
: >"$out/summary.tsv"
xargs -P "$lanes" -L 1 bash -c 'run_one "$0" "$1" "'"$t"'" "'"$out"'"' <"$out/targets"
if grep -q 'FAIL$\|	FAIL	' "$out/summary.tsv"; then
  echo "fuzz-long: crashes found, see $out" >&2
  exit 1
fi
echo "fuzz-long: $(wc -l <"$out/summary.tsv") targets, no crashes" >&2
