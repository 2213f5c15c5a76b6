#!/usr/bin/env bash
# Builds Jaeger (the all-in-one `jaeger` binary: OTLP receiver, in-memory storage, query API)
# that the integration tests run as a real team backend, from the Go module proxy, into the
# cache folder outside the repo; reused while the release is unchanged.
# Jaeger is a program, not a library: it builds as a Go tool of a throwaway module.
# Prints the binary's path on the last line of stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
release=v1.76.0
cache="${TRACERUN_CACHE_DIR:-$HOME/.cache/tracerun}"
hash=$(printf 'jaeger %s' "$release" | sha256sum | cut -c1-16)
out="$cache/jaeger-$hash"
bin="$out/jaeger"
if [[ ! -x "$bin" ]]; then
  command -v go >/dev/null || { echo "setup-jaeger: go not found (install Go 1.25+)" >&2; exit 1; }
  echo "setup-jaeger: building Jaeger $release into $out" >&2
  start=$SECONDS
  rm -rf "$out"
  mkdir -p "$out/src"
  (
    cd "$out/src"
    # GOFLAGS from the caller would leak into the tool's build.
    unset GOFLAGS
    go mod init tracerun.local/jaeger >&2
    go get -tool "github.com/jaegertracing/jaeger/cmd/jaeger@$release" >&2
    go build -o "$bin.tmp" github.com/jaegertracing/jaeger/cmd/jaeger >&2
  )
  mv "$bin.tmp" "$bin"
  rm -rf "$out/src"
  echo "setup-jaeger: built in $((SECONDS - start)) s" >&2
fi
echo "$bin"
