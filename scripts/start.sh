#!/usr/bin/env bash
# Builds the extension and opens it in VS Code on the demo workspace (demo/, the support
# agent's source) while the agent, instrumented with the OpenTelemetry JS SDK, sends its runs
# to the extension's OTLP receiver. Uses `code` when on PATH, else the embedded code-server.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WORKSPACE="$ROOT/demo"
PORT="${TRACERUN_PORT:-8080}"

[ -d node_modules ] || npm ci --no-audit --no-fund
npm run --silent package
node scripts/build.mjs --tests

# The agent waits until the extension's receiver (127.0.0.1:4318) answers, then streams runs.
node --enable-source-maps out/demo/main.js &
DEMO_PID=$!
cleanup() { kill "$DEMO_PID" 2>/dev/null || true; [ -n "${CS_PID:-}" ] && kill "$CS_PID" 2>/dev/null || true; }
trap cleanup EXIT INT TERM

if command -v code >/dev/null 2>&1; then
  echo "Opening VS Code with Trace Run on $WORKSPACE"
  code --extensionDevelopmentPath="$ROOT" "$WORKSPACE"
  echo "The demo agent sends a run every few seconds to Trace Run's receiver; press Ctrl+C to stop."
  wait "$DEMO_PID"
  exit 0
fi

bash scripts/setup-e2e.sh
CS="${TRACERUN_CACHE_DIR:-$HOME/.cache/tracerun}/code-server-4.100.3/node_modules/.bin/code-server"
DEV="$ROOT/.tracerun-dev"
mkdir -p "$DEV/user/User" "$DEV/extensions"
[ -f "$DEV/user/User/settings.json" ] || echo '{"security.workspace.trust.enabled": false, "workbench.startupEditor": "none", "telemetry.telemetryLevel": "off", "remote.autoForwardPorts": false}' > "$DEV/user/User/settings.json"
"$CS" --extensions-dir "$DEV/extensions" --install-extension "$ROOT/dist/tracerun.vsix" --force >/dev/null
"$CS" --auth none --bind-addr "127.0.0.1:$PORT" --user-data-dir "$DEV/user" --extensions-dir "$DEV/extensions" \
  --disable-telemetry --disable-update-check "$WORKSPACE" > "$DEV/code-server.log" 2>&1 &
CS_PID=$!
node -e '
  const url = process.argv[1]; const until = Date.now() + 30000;
  (function poll() { require("http").get(url, () => process.exit(0)).on("error", () => Date.now() < until ? setTimeout(poll, 200) : process.exit(1)); })();
' "http://127.0.0.1:$PORT/healthz"
echo
echo "VS Code (code-server) with Trace Run is running: open http://127.0.0.1:$PORT/?folder=$WORKSPACE"
echo "Click the Trace Run icon in the activity bar: the demo agent's runs stream in every few seconds. Ctrl+C stops."
wait "$CS_PID"
