#!/usr/bin/env bash
# Installs what the end-to-end tests need and a fresh machine lacks: Debian's Chromium
# (driven by playwright-core), the native build deps of code-server, and code-server
# itself into a cache folder outside the repository (reused when already there).
set -euo pipefail

CODE_SERVER_VERSION=4.100.3
CACHE_DIR="${TRACERUN_CACHE_DIR:-$HOME/.cache/tracerun}"
CS_DIR="$CACHE_DIR/code-server-$CODE_SERVER_VERSION"
CS_BIN="$CS_DIR/node_modules/.bin/code-server"

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v rg >/dev/null 2>&1 || need_apt+=(ripgrep)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need_apt+=(libkrb5-dev)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup-e2e: installing Debian packages: ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${need_apt[@]}"
fi

if [ -x "$CS_BIN" ]; then
  echo "setup-e2e: code-server $CODE_SERVER_VERSION ready at $CS_BIN"
  exit 0
fi

echo "setup-e2e: installing code-server $CODE_SERVER_VERSION into $CS_DIR (about 2 minutes)"
# @vscode/ripgrep's postinstall downloads a binary from the internet unless it finds a
# cached archive: hand it Debian's rg instead.
RG_CACHE="$(node -p 'require("os").tmpdir()')/vscode-ripgrep-cache-1.15.11"
RG_TAR="$RG_CACHE/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
if [ ! -f "$RG_TAR" ]; then
  mkdir -p "$RG_CACHE"
  tmp=$(mktemp -d); cp "$(command -v rg)" "$tmp/rg"
  tar -C "$tmp" -czf "$RG_TAR" rg; rm -rf "$tmp"
fi
rm -rf "$CS_DIR.partial"; mkdir -p "$CS_DIR.partial"
(
  cd "$CS_DIR.partial"
  echo '{"name":"tracerun-code-server","private":true}' > package.json
  npm_config_yes=true npm install --no-audit --no-fund --unsafe-perm "code-server@$CODE_SERVER_VERSION"
)
rm -rf "$CS_DIR"; mv "$CS_DIR.partial" "$CS_DIR"
echo "setup-e2e: code-server ready at $CS_BIN"
