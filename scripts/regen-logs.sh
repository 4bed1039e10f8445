#!/usr/bin/env bash
# Regenerates the real ACME client log fixtures in internal/acmelog/testdata/
# by running Debian's certbot and lego against the go-installed Pebble v2.10.3
# (and pebble-challtestsrv for DNS) on loopback, with faults injected:
#   - a clean issuance and forced renewals (logs with no problem at all),
#   - nothing listening on the HTTP-01 port (connection refused),
#   - a web server that answers 404 on the challenge path (unauthorized),
#   - a DNS server that never answers (Pebble says connection; Boulder dns),
#   - Pebble restarted so the client's account is unknown (accountDoesNotExist),
#   - Pebble rejecting nonces (badNonce; clients retry).
# Everything listens on 127.0.0.1 on random free ports; every daemon is
# stopped by the PID recorded when it was started. Run from the repo root:
#   scripts/regen-logs.sh            (needs certbot, lego, pebble, pebble-challtestsrv)
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
out=$repo/internal/acmelog/testdata
GOBIN=$(go env GOPATH)/bin
PEBBLE=$GOBIN/pebble
CTS=$GOBIN/pebble-challtestsrv
for b in certbot lego "$PEBBLE" "$CTS" /usr/bin/python3; do
  command -v "$b" >/dev/null || { echo "missing $b: run scripts/install-testbed.sh" >&2; exit 1; }
done
PEBBLE_DIR=$(cd "$repo" && go mod download -json github.com/letsencrypt/pebble/v2@v2.10.3 | jq -r .Dir)

TB=$(mktemp -d /tmp/acme-regen-XXXXXX)
mkdir -p "$TB"/{pids,logs,certs,webroot,empty}
pids=()
stop() { # stop one daemon by its recorded PID
  local f=$TB/pids/$1.pid
  [ -f "$f" ] || return 0
  local p; p=$(cat "$f")
  kill "$p" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$p" 2>/dev/null || true
  rm -f "$f"
}
cleanup() {
  for f in "$TB"/pids/*.pid; do [ -e "$f" ] && stop "$(basename "$f" .pid)"; done
  rm -rf "$TB"
}
trap cleanup EXIT
bg() { # bg NAME cmd args... : start a daemon in its own session, record its PID
  local name=$1; shift
  setsid "$@" >"$TB/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$TB/pids/$name.pid"
}
freeport() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
waitport() {
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "port $1 never opened" >&2; cat "$TB"/logs/*.log >&2; exit 1
}

ACME=$(freeport); MGMT=$(freeport); HTTP=$(freeport); TLSP=$(freeport)
DNS=$(freeport); CTSM=$(freeport); DEAD_DNS=$(freeport)
cp "$PEBBLE_DIR/test/certs/pebble.minica.pem" "$TB/certs/"
cp "$PEBBLE_DIR/test/certs/localhost/cert.pem" "$TB/certs/localhost-cert.pem"
cp "$PEBBLE_DIR/test/certs/localhost/key.pem" "$TB/certs/localhost-key.pem"
chmod 0644 "$TB"/certs/*
cat >"$TB/pebble.json" <<JSON
{ "pebble": {
    "listenAddress": "127.0.0.1:$ACME",
    "managementListenAddress": "127.0.0.1:$MGMT",
    "certificate": "$TB/certs/localhost-cert.pem",
    "privateKey": "$TB/certs/localhost-key.pem",
    "httpPort": $HTTP, "tlsPort": $TLSP,
    "ocspResponderURL": "", "externalAccountBindingRequired": false,
    "retryAfter": { "authz": 1, "order": 1 },
    "keyAlgorithm": "ecdsa",
    "profiles": { "default": { "description": "default profile", "validityPeriod": 7776000 } } } }
JSON

# challtestsrv answers every A query with 127.0.0.1 (it serves DNS only).
bg cts "$CTS" -dnsserver "127.0.0.1:$DNS" -doh "" -http01 "" -https01 "" -tlsalpn01 "" \
  -management "127.0.0.1:$CTSM" -defaultIPv4 127.0.0.1 -defaultIPv6 ""
waitport "$CTSM"

pebble_start() { # pebble_start DNS_ADDR [NONCE_REJECT_PERCENT]
  PEBBLE_VA_NOSLEEP=1 PEBBLE_AUTHZREUSE=0 PEBBLE_WFE_NONCEREJECT=${2:-0} \
    bg pebble "$PEBBLE" -config "$TB/pebble.json" -dnsserver "$1"
  waitport "$ACME"
}
DIR=https://127.0.0.1:$ACME/dir
export REQUESTS_CA_BUNDLE=$TB/certs/pebble.minica.pem
export LEGO_CA_CERTIFICATES=$TB/certs/pebble.minica.pem

CB=$TB/certbot
certbot_run() { # certbot_run FIXTURE args... : one certbot run, its log saved as a fixture
  local fixture=$1; shift
  rm -f "$CB"/logs/letsencrypt.log*
  certbot --non-interactive --config-dir "$CB/config" --work-dir "$CB/work" --logs-dir "$CB/logs" \
    --server "$DIR" "$@" >"$TB/logs/certbot-stdout.log" 2>&1 || true
  save "$CB/logs/letsencrypt.log" "$fixture"
}
LG=$TB/lego
lego_run() { # lego_run FIXTURE args... : lego's output is its log (stderr)
  local fixture=$1; shift
  lego --server "$DIR" --email admin@example.test --accept-tos --path "$LG" "$@" \
    >"$TB/logs/lego-out.log" 2>&1 || true
  save "$TB/logs/lego-out.log" "$fixture"
}
save() { # copy a log, replacing the scratch directory and ports with stable text
  sed -e "s|$TB|/tmp/regen|g" -e "s|127.0.0.1:$ACME|127.0.0.1:14000|g" -e "s|127.0.0.1:$MGMT|127.0.0.1:15000|g" \
    -e "s|:$HTTP\b|:5002|g" "$1" >"$out/$2"
  echo "wrote $out/$2"
}

standalone=(--standalone --http-01-address 127.0.0.1 --http-01-port "$HTTP")

# 1. clean issuance, then forced renewals (the cron that burns the duplicate limit)
pebble_start "127.0.0.1:$DNS"
certbot_run certbot-issue.log certonly --agree-tos -m admin@example.test --no-eff-email \
  "${standalone[@]}" -d www.example.test -d example.test
certbot_run certbot-renew-forced.log renew --force-renewal --no-random-sleep-on-renew "${standalone[@]}"
lego_run lego-issue.log --http --http.port "127.0.0.1:$HTTP" -d lego.example.test run
lego_run lego-renew-forced.log --http --http.port "127.0.0.1:$HTTP" -d lego.example.test renew --days 90 --no-random-sleep

# 2. challenge server stopped: webroot mode with nothing listening on the HTTP-01 port
certbot_run certbot-connection-refused.log certonly --agree-tos -m admin@example.test --no-eff-email \
  --webroot -w "$TB/webroot" -d down.example.test
lego_run lego-connection-refused.log --http --http.webroot "$TB/webroot" -d down.example.test run

# 3. a web server that answers 404 for every challenge
bg web /usr/bin/python3 -m http.server --bind 127.0.0.1 --directory "$TB/empty" "$HTTP"
waitport "$HTTP"
certbot_run certbot-unauthorized.log certonly --agree-tos -m admin@example.test --no-eff-email \
  --webroot -w "$TB/webroot" -d wrong.example.test
lego_run lego-unauthorized.log --http --http.webroot "$TB/webroot" -d wrong.example.test run
stop web

# 4. DNS server that never answers: the CA cannot resolve the name (Pebble reports
#    this as connection, where Boulder would say dns)
stop pebble
/usr/bin/python3 -c 'import socket,time,sys
s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind(("127.0.0.1",int(sys.argv[1])))
while True: s.recvfrom(4096)' "$DEAD_DNS" &
echo $! >"$TB/pids/deaddns.pid"
pebble_start "127.0.0.1:$DEAD_DNS"
rm -rf "$CB/config/accounts" "$LG/accounts" # a fresh Pebble knows no account
certbot_run certbot-unresolvable.log certonly --agree-tos -m admin@example.test --no-eff-email \
  "${standalone[@]}" -d nxdns.example.test
lego_run lego-unresolvable.log --http --http.port "127.0.0.1:$HTTP" -d nxdns.example.test run
stop pebble
stop deaddns

# 5. Pebble restarted (its database is in memory): the stored accounts are unknown.
pebble_start "127.0.0.1:$DNS"
certbot_run certbot-account-does-not-exist.log renew --force-renewal --no-random-sleep-on-renew "${standalone[@]}"
lego_run lego-account-does-not-exist.log --http --http.port "127.0.0.1:$HTTP" -d lego.example.test \
  renew --days 90 --no-random-sleep
stop pebble

# 6. fresh accounts while Pebble rejects 60 % of nonces (badNonce; the clients retry)
pebble_start "127.0.0.1:$DNS" 60
rm -rf "$CB/config/accounts" "$LG/accounts"
certbot_run certbot-badnonce.log certonly --agree-tos -m admin@example.test --no-eff-email \
  "${standalone[@]}" -d nonce.example.test
lego_run lego-badnonce.log --http --http.port "127.0.0.1:$HTTP" -d nonce.example.test run
stop pebble
echo "fixtures regenerated"
