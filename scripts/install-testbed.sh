#!/usr/bin/env bash
# Installs everything the tests need: Debian packages for the real servers
# of the test bed and pinned Go tools. Idempotent; needs root (or sudo).
set -euo pipefail

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo

PKGS=(nginx knot knot-dnsutils chrony faketime prometheus prometheus-alertmanager
  prometheus-blackbox-exporter certbot lego acl openssl util-linux procps iproute2 hyperfine
  python3 curl bc)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  # policy-rc.d on these machines keeps the packaged daemons from starting;
  # the tests start their own instances on loopback.
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

GOBIN=$(go env GOPATH)/bin
# Pinned tool versions: generated files and test results change only when the source does.
declare -A TOOLS=(
  [pebble]=github.com/letsencrypt/pebble/v2/cmd/pebble@v2.10.3
  [pebble-challtestsrv]=github.com/letsencrypt/pebble/v2/cmd/pebble-challtestsrv@v2.10.3
  [jsonnet]=github.com/google/go-jsonnet/cmd/jsonnet@v0.22.0
  [jsonnetfmt]=github.com/google/go-jsonnet/cmd/jsonnetfmt@v0.22.0
  [jsonnet-lint]=github.com/google/go-jsonnet/cmd/jsonnet-lint@v0.22.0
  [golangci-lint]=github.com/golangci/golangci-lint/v2/cmd/golangci-lint@v2.15.0
)
for bin in "${!TOOLS[@]}"; do
  if [ ! -x "$GOBIN/$bin" ]; then
    echo "go install ${TOOLS[$bin]}"
    go install "${TOOLS[$bin]}"
  fi
done
echo "test bed installed"
