#!/usr/bin/env bash
# Copyright 2026 The acme_exporter Authors
# SPDX-License-Identifier: Apache-2.0
#
# Regenerates discovery/testdata/{certbot,lego} with the REAL clients
# (certbot and lego from Debian) against a real Pebble v2.10.3 (the
# go-installed binary) on loopback. Recipe: shared/testbed.md 1b and 1c.
#
# The account keys and certificate keys in the trees are test-only keys for
# a throwaway Pebble instance; nothing is stripped from what the clients
# wrote except rotated log files.
#
# Usage: scripts/regen-fixtures.sh   (from the repository root)
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
out=$repo/discovery/testdata
pebble=$(command -v pebble || echo "$(go env GOPATH)/bin/pebble")
[ -x "$pebble" ] || { echo "pebble not found: go install github.com/letsencrypt/pebble/v2/cmd/pebble@v2.10.3" >&2; exit 1; }
command -v certbot >/dev/null || { echo "certbot not installed (apt-get install certbot)" >&2; exit 1; }
command -v lego >/dev/null || { echo "lego not installed (apt-get install lego)" >&2; exit 1; }

# A fixed work directory, so the absolute paths the clients write into their
# files are the same on every regeneration.
TB=/tmp/acme-exporter-fixtures
rm -rf "$TB"
mkdir -p "$TB/certs" "$TB/webroot"

pebble_dir=$(cd "$repo" && go mod download -json github.com/letsencrypt/pebble/v2@v2.10.3 | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
cp "$pebble_dir/test/certs/pebble.minica.pem" "$TB/certs/"
cp "$pebble_dir/test/certs/localhost/cert.pem" "$TB/certs/localhost-cert.pem"
cp "$pebble_dir/test/certs/localhost/key.pem" "$TB/certs/localhost-key.pem"

freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
acme_port=$(freeport)
mgmt_port=$(freeport)
http_port=$(freeport)
dns_port=$(freeport)
cts_mgmt_port=$(freeport)

cat >"$TB/pebble.json" <<JSON
{ "pebble": {
    "listenAddress": "127.0.0.1:$acme_port",
    "managementListenAddress": "127.0.0.1:$mgmt_port",
    "certificate": "certs/localhost-cert.pem",
    "privateKey": "certs/localhost-key.pem",
    "httpPort": $http_port, "tlsPort": 5001,
    "ocspResponderURL": "", "externalAccountBindingRequired": false,
    "retryAfter": { "authz": 1, "order": 1 },
    "keyAlgorithm": "ecdsa",
    "profiles": { "default": { "description": "default profile", "validityPeriod": 7776000 } } } }
JSON

# pebble-challtestsrv is the loopback DNS server lego's dns-01 run asks
# (it answers every A query with 127.0.0.1); nothing goes to the host's resolver.
cts=$(command -v pebble-challtestsrv || echo "$(go env GOPATH)/bin/pebble-challtestsrv")
"$cts" -dnsserver "127.0.0.1:$dns_port" -doh "" -http01 "" -https01 "" -tlsalpn01 "" \
	-management "127.0.0.1:$cts_mgmt_port" -defaultIPv4 127.0.0.1 -defaultIPv6 "" >"$TB/cts.log" 2>&1 &
cts_pid=$!

# Challenges are not solved: PEBBLE_VA_ALWAYS_VALID (the fixtures are about
# what the clients store, not about validation). Stopped by PID.
(cd "$TB" && PEBBLE_VA_ALWAYS_VALID=1 PEBBLE_WFE_NONCEREJECT=0 PEBBLE_AUTHZREUSE=0 \
	exec "$pebble" -config pebble.json -dnsserver "127.0.0.1:$dns_port" >"$TB/pebble.log" 2>&1) &
pebble_pid=$!
trap 'kill "$pebble_pid" "$cts_pid" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
	curl -sf --cacert "$TB/certs/pebble.minica.pem" "https://127.0.0.1:$acme_port/dir" >/dev/null && break
	sleep 0.1
done
dir="https://127.0.0.1:$acme_port/dir"
export REQUESTS_CA_BUNDLE=$TB/certs/pebble.minica.pem LEGO_CA_CERTIFICATES=$TB/certs/pebble.minica.pem

cb() {
	certbot --non-interactive --agree-tos -m admin@example.test --no-eff-email --server "$dir" \
		--config-dir "$TB/certbot/config" --work-dir "$TB/certbot/work" --logs-dir "$TB/certbot/logs" "$@"
}
# alpha: standalone, ECDSA (the default), two names; renewed once so that
# archive/ holds versions 1 and 2.
cb certonly --standalone --http-01-address 127.0.0.1 --http-01-port "$http_port" \
	-d alpha.example.test -d www.alpha.example.test
cb renew --no-random-sleep-on-renew --force-renewal --cert-name alpha.example.test --standalone \
	--http-01-address 127.0.0.1 --http-01-port "$http_port"
# beta: webroot, RSA key.
cb certonly --webroot -w "$TB/webroot" --key-type rsa -d beta.example.test
# gamma: standalone with Must-Staple requested.
cb certonly --standalone --http-01-address 127.0.0.1 --http-01-port "$http_port" \
	--must-staple -d gamma.example.test

lg() { lego --server "$dir" --email admin@example.test --accept-tos --path "$TB/lego" "$@"; }
lg --http --http.port "127.0.0.1:$http_port" -d delta.example.test run
printf '#!/bin/sh\nexit 0\n' >"$TB/dns-hook.sh"
chmod +x "$TB/dns-hook.sh"
EXEC_PATH=$TB/dns-hook.sh lg --dns exec --dns.disable-cp --dns.resolvers "127.0.0.1:$dns_port" \
	-d '*.wild.example.test' -d wild.example.test run

curl -sf --cacert "$TB/certs/pebble.minica.pem" "https://127.0.0.1:$mgmt_port/roots/0" >"$TB/pebble-root.pem"
curl -sf --cacert "$TB/certs/pebble.minica.pem" "https://127.0.0.1:$mgmt_port/intermediates/0" >"$TB/pebble-intermediate.pem"

rm -rf "$out/certbot" "$out/lego"
mkdir -p "$out"
cp -a "$TB/certbot/config" "$out/certbot"
mkdir -p "$out/certbot-logs"
cp -a "$TB/certbot/logs/letsencrypt.log" "$out/certbot-logs/letsencrypt.log"
cp -a "$TB/lego" "$out/lego"
cp "$TB/pebble-root.pem" "$TB/pebble-intermediate.pem" "$out/"
# Git keeps no modes beyond the executable bit: tests set modes on copies.
rm -rf "$TB"
echo "fixtures written to $out (directory $dir)"
