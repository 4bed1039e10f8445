#!/usr/bin/env bash
# The /probe refusal matrix: every written form of a refused address
# (zoned, IPv4-mapped, -compatible, -translated, NAT64, 6to4, Teredo),
# names rebinding between the pre-check and the dial, and redirects to
# refused addresses, with recording listeners on 127.0.0.1 and ::1 that
# must see no connection; file-target refusals that must disclose nothing;
# the guard's table of address forms.
set -euo pipefail
cd "$(dirname "$0")/.."
go test -count=1 -v -run 'TestProbeRefusalMatrix|TestProbeFileRefusalsDiscloseNothing' ./exporter | grep -E '^(=== RUN|--- |ok|FAIL|\s+refusal_test)'
go test -count=1 -v -run 'TestAddressForms' ./internal/guard | grep -cE '^    --- PASS' | sed 's/^/address forms passing: /'
go test -count=1 -run 'TestAddressForms' ./internal/guard
