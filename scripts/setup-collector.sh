#!/usr/bin/env bash
# Builds the small OpenTelemetry Collector the integration tests run (OTLP receiver + file
# exporter, test/collector/builder-config.yaml) with the Collector's own builder from the Go
# module proxy, into the cache folder outside the repo; reused while the config is unchanged.
# Prints the binary's path on the last line of stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
config=test/collector/builder-config.yaml
release=v0.161.0
cache="${TRACERUN_CACHE_DIR:-$HOME/.cache/tracerun}"
hash=$(sha256sum "$config" | cut -c1-16)
out="$cache/otelcol-$hash"
bin="$out/otelcol-tracerun"
if [[ ! -x "$bin" ]]; then
  command -v go >/dev/null || { echo "setup-collector: go not found (install Go 1.25+)" >&2; exit 1; }
  echo "setup-collector: building the Collector $release into $out" >&2
  start=$SECONDS
  rm -rf "$out"
  mkdir -p "$out"
  # The builder is a Go tool of its own release; GOFLAGS from the caller would leak into it.
  GOBIN="$out/.builder" go install "go.opentelemetry.io/collector/cmd/builder@$release" >&2
  "$out/.builder/builder" --config "$config" --output-path "$out/src" >&2
  cp "$out/src/otelcol-tracerun" "$bin"
  rm -rf "$out/src" "$out/.builder"
  echo "setup-collector: built in $((SECONDS - start)) s" >&2
fi
echo "$bin"
