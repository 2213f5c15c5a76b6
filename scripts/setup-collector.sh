#!/usr/bin/env bash
# Builds the small OpenTelemetry Collector the integration tests run (OTLP receiver + file
# exporter, test/collector/builder-config.yaml) with the Collector's own builder from the Go
# module proxy, into the cache folder outside the repo. Reused while it was built from the same
# config with the same builder release and the same Go; otherwise built again (6-13 min cold).
# Prints the binary's path on the last line of stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
config=test/collector/builder-config.yaml
# The builder pins the Collector's core modules at its own release, so it must be the config's
# release: read from the config's dist.version, the folder's hash of the config covers it too.
release=v$(sed -n 's/^  version: *\([0-9][0-9.]*\) *$/\1/p' "$config")
[[ "$release" != v ]] || { echo "setup-collector: no dist.version in $config" >&2; exit 1; }
cache="${TRACERUN_CACHE_DIR:-$HOME/.cache/tracerun}"
hash=$(sha256sum "$config" | cut -c1-16)
out="$cache/otelcol-$hash"
bin="$out/otelcol-tracerun"
# The Go it was built with: written next to it when built here; a binary built before that
# stamp existed says so itself (`go version <binary>` reads the version Go embeds). Checked
# rather than put in the folder's name, so the Collector built before this check stays valid.
built_with() {
  if [[ -f "$out/.go-version" ]]; then cat "$out/.go-version"; else go version "$bin" 2>/dev/null | awk '{print $NF}'; fi
}
# Without go here, a cached binary is used as it is (it could not be built again anyway).
if [[ -x "$bin" ]] && command -v go >/dev/null && [[ "$(built_with)" != "$(go env GOVERSION)" ]]; then
  echo "setup-collector: $bin was built with $(built_with), go is now $(go env GOVERSION): building it again" >&2
  rm -f "$bin"
fi
if [[ ! -x "$bin" ]]; then
  command -v go >/dev/null || { echo "setup-collector: go not found (install Go 1.25+)" >&2; exit 1; }
  echo "setup-collector: building the Collector $release with $(go env GOVERSION) into $out" >&2
  start=$SECONDS
  rm -rf "$out"
  mkdir -p "$out"
  # The builder is a Go tool of its own release; GOFLAGS from the caller would leak into it.
  GOBIN="$out/.builder" go install "go.opentelemetry.io/collector/cmd/builder@$release" >&2
  "$out/.builder/builder" --config "$config" --output-path "$out/src" >&2
  cp "$out/src/otelcol-tracerun" "$bin"
  go env GOVERSION >"$out/.go-version"
  rm -rf "$out/src" "$out/.builder"
  echo "setup-collector: built in $((SECONDS - start)) s" >&2
fi
echo "$bin"
