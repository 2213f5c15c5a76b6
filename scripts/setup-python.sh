#!/usr/bin/env bash
# Makes the Python virtual environment the integration tests' agents run in (test/python), in the
# cache folder outside the repo, keyed by the requirements file's hash so an unchanged file
# reuses it. Prints the venv's python on the last line of stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
req=test/python/requirements.txt
cache="${TRACERUN_CACHE_DIR:-$HOME/.cache/tracerun}"
hash=$(sha256sum "$req" | cut -c1-16)
venv="$cache/py-$hash"
if [[ ! -f "$venv/.installed" ]]; then
  python="${PYTHON:-$(command -v python3.11 || command -v python3 || true)}"
  "${python:-false}" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null ||
    { echo "setup-python: no Python 3.10+ found (python3.11, python3; or set PYTHON)" >&2; exit 1; }
  if ! "$python" -c 'import ensurepip' 2>/dev/null; then
    # Debian splits venv's pip bootstrap into its own package.
    echo "setup-python: installing Debian's python3-venv" >&2
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q python3-venv >&2
  fi
  rm -rf "$venv"
  mkdir -p "$cache"
  echo "setup-python: installing $req into $venv" >&2
  start=$SECONDS
  "$python" -m venv "$venv"
  # --no-deps: the file lists the whole resolved set, so nothing unpinned slips in.
  "$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps --require-virtualenv -r "$req" >&2
  "$venv/bin/pip" check >&2
  touch "$venv/.installed"
  echo "setup-python: installed in $((SECONDS - start)) s" >&2
fi
echo "$venv/bin/python"
