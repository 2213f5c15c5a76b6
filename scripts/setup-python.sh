#!/usr/bin/env bash
# Makes the Python virtual environment the integration tests' agents run in (test/python), in the
# cache folder outside the repo, keyed by the requirements file's hash so an unchanged file
# reuses it, and made again when the interpreter's version is not the one it was made from.
# Prints the venv's python on the last line of stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
req=test/python/requirements.txt
cache="${TRACERUN_CACHE_DIR:-$HOME/.cache/tracerun}"
hash=$(sha256sum "$req" | cut -c1-16)
venv="$cache/py-$hash"
python="${PYTHON:-$(command -v python3.11 || command -v python3 || true)}"
# A venv runs on the interpreter it was made from (its pyvenv.cfg names that one's version):
# another version (an upgraded or a different Python) would run packages built for the old one.
# Checked rather than put in the folder's name, so the venvs made before this check stay valid.
if [[ -f "$venv/.installed" ]]; then
  made_with=$(sed -n 's/^version *= *//p' "$venv/pyvenv.cfg" 2>/dev/null)
  now=$("${python:-false}" -c 'import platform; print(platform.python_version())' 2>/dev/null || true)
  if [[ -n "$now" && "$made_with" != "$now" ]]; then
    echo "setup-python: $venv was made with Python ${made_with:-unknown}, $python is $now: making it again" >&2
    rm -f "$venv/.installed"
  fi
fi
if [[ ! -f "$venv/.installed" ]]; then
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
