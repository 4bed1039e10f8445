#!/usr/bin/env bash
# Copyright 2026 The acme_exporter Authors
# SPDX-License-Identifier: Apache-2.0
#
# Regenerates discovery/testdata/{certbot,lego,lego-v5} with the REAL
# clients (certbot and lego 4.9.1 from Debian; lego v5.6.0 built from its Go
# module, see build_lego_v5 below) against a real Pebble v2.10.3 (the
# go-installed binary) on loopback. Recipe: shared/testbed.md 1b and 1c.
#
# The account keys and certificate keys in the trees are test-only keys for
# a throwaway Pebble instance; nothing is stripped from what the clients
# wrote except rotated log files.
#
# Usage: scripts/regen-fixtures.sh [all|lego-v5]   (from the repository root)
#   all (default): every tree; lego-v5: only discovery/testdata/lego-v5, so
#   the committed certbot and lego v4 trees (whose Pebble port and keys the
#   golden tests name) stay as they are.
set -euo pipefail

what=${1:-all}
case $what in all | lego-v5) ;; *) echo "usage: $0 [all|lego-v5]" >&2; exit 2 ;; esac

repo=$(cd "$(dirname "$0")/.." && pwd)
out=$repo/discovery/testdata
pebble=$(command -v pebble || echo "$(go env GOPATH)/bin/pebble")
[ -x "$pebble" ] || { echo "pebble not found: go install github.com/letsencrypt/pebble/v2/cmd/pebble@v2.10.3" >&2; exit 1; }
if [ "$what" = all ]; then
	command -v certbot >/dev/null || { echo "certbot not installed (apt-get install certbot)" >&2; exit 1; }
	command -v lego >/dev/null || { echo "lego not installed (apt-get install lego)" >&2; exit 1; }
fi

# A fixed work directory, so the absolute paths the clients write into their
# files are the same on every regeneration.
TB=/tmp/acme-exporter-fixtures
rm -rf "$TB"
mkdir -p "$TB/certs" "$TB/webroot"

# lego v5 is not packaged by Debian. `go install
# github.com/go-acme/lego/v5@v5.6.0` fails here: the module proxy serves
# neither gitlab.com/greyxor/slogor (lego's coloured log handler) nor some
# DNS provider SDKs. So build v5.6.0 from its module source with lego's own
# lego_dnslight build tag (only the exec DNS provider) and slogor replaced by
# a stand-in that writes plain slog text. Storage, ACME and CLI code are
# v5.6.0 unchanged.
LEGO_V5_VERSION=v5.6.0
build_lego_v5() {
	local src=$TB/lego-v5-src mod
	mod=$(cd "$repo" && go mod download -json "github.com/go-acme/lego/v5@$LEGO_V5_VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
	[ -n "$mod" ] || { echo "go mod download github.com/go-acme/lego/v5@$LEGO_V5_VERSION failed" >&2; exit 1; }
	cp -r "$mod" "$src"
	chmod -R u+w "$src"
	mkdir -p "$src/.slogor-standin"
	printf 'module gitlab.com/greyxor/slogor\n\ngo 1.21\n' >"$src/.slogor-standin/go.mod"
	cat >"$src/.slogor-standin/slogor.go" <<'GO'
// Package slogor stands in for gitlab.com/greyxor/slogor (not served by the
// Go module proxy): the same option functions, plain slog text output.
package slogor

import (
	"io"
	"log/slog"
)

type options struct{ level slog.Leveler }

type OptionFn func(*options)

func SetLevel(l slog.Leveler) OptionFn { return func(o *options) { o.level = l } }
func SetTimeFormat(string) OptionFn    { return func(*options) {} }
func DisableColor() OptionFn           { return func(*options) {} }

func NewHandler(w io.Writer, fns ...OptionFn) slog.Handler {
	o := &options{level: slog.LevelInfo}
	for _, f := range fns {
		f(o)
	}
	return slog.NewTextHandler(w, &slog.HandlerOptions{Level: o.level})
}
GO
	(cd "$src" && go mod edit -replace gitlab.com/greyxor/slogor=./.slogor-standin &&
		go build -mod=mod -tags lego_dnslight,lego_dns_exec \
			-ldflags "-X main.version=$LEGO_V5_VERSION" -o "$TB/bin/lego-v5" .)
}
build_lego_v5
"$TB/bin/lego-v5" --version

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

if [ "$what" = all ]; then
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
fi

# lego v5: its own --path; the email is the account ID unless --account-id.
l5() { "$TB/bin/lego-v5" --log.format text "$@" --server "$dir" --path "$TB/lego-v5"; }
l5r() { l5 run --accept-tos --http --http.address "127.0.0.1:$http_port" --no-random-sleep "$@"; }
# echo: HTTP-01, EC256 (the default), two names; force-renewed once (v5
# overwrites the files in place: no archive).
l5r --email admin@example.test -d echo.example.test -d www.echo.example.test
l5r --email admin@example.test -d echo.example.test -d www.echo.example.test --renew-force
# foxtrot: RSA key, an explicit certificate ID and a second account whose
# ID is not its email.
l5r --email ops@example.test --account-id ops -k RSA2048 --cert.name foxtrot-rsa -d foxtrot.example.test
# wildcard: DNS-01 through the exec provider (a no-op hook), propagation
# checks off and only the loopback resolver asked.
printf '#!/bin/sh\nexit 0\n' >"$TB/dns-hook.sh"
chmod +x "$TB/dns-hook.sh"
EXEC_PATH=$TB/dns-hook.sh l5 run --accept-tos --email admin@example.test --no-random-sleep --dns exec \
	--dns.propagation.disable-ans --dns.propagation.disable-rns --dns.resolvers "127.0.0.1:$dns_port" \
	-d '*.wild5.example.test' -d wild5.example.test
# golf: revoked, so v5 moves its files into archives/certificates/*.zip.
l5r --email admin@example.test -d golf.example.test
l5 certificates revoke --email admin@example.test --cert.name golf.example.test

curl -sf --cacert "$TB/certs/pebble.minica.pem" "https://127.0.0.1:$mgmt_port/roots/0" >"$TB/pebble-root.pem"
curl -sf --cacert "$TB/certs/pebble.minica.pem" "https://127.0.0.1:$mgmt_port/intermediates/0" >"$TB/pebble-intermediate.pem"

mkdir -p "$out"
if [ "$what" = all ]; then
	rm -rf "$out/certbot" "$out/lego"
	cp -a "$TB/certbot/config" "$out/certbot"
	mkdir -p "$out/certbot-logs"
	cp -a "$TB/certbot/logs/letsencrypt.log" "$out/certbot-logs/letsencrypt.log"
	cp -a "$TB/lego" "$out/lego"
	cp "$TB/pebble-root.pem" "$TB/pebble-intermediate.pem" "$out/"
fi
# The v5 tree keeps the roots of the Pebble run that signed it beside it
# (lego ignores other files in its --path).
rm -rf "$out/lego-v5"
cp -a "$TB/lego-v5" "$out/lego-v5"
cp "$TB/pebble-root.pem" "$out/lego-v5/pebble-root.pem"
cp "$TB/pebble-intermediate.pem" "$out/lego-v5/pebble-intermediate.pem"
# Git keeps no modes beyond the executable bit: tests set modes on copies.
rm -rf "$TB"
echo "fixtures written to $out (directory $dir)"
