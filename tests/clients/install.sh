#!/usr/bin/env bash
# Installs the MCP client drivers and their official SDKs into TARGET_DIR. Idempotent: a component
# whose lock/requirements file is unchanged since its last successful install is skipped.
#
# Usage: install.sh TARGET_DIR
# Env:   MCP_CLIENTS   components to install (default: "ts ts-v2 py py-v1")
#          ts     TARGET/ts     node client.mjs  with @modelcontextprotocol/sdk 1.x   (npm ci)
#          ts-v2  TARGET/ts-v2  node client.mjs  with @modelcontextprotocol/client 2.x (npm ci)
#          py     TARGET/py/.venv     python client.py with mcp 2.x (python3 -m venv + pip)
#          py-v1  TARGET/py/.venv-v1  python client.py with mcp 1.x
#        PYTHON  interpreter for the venvs (default python3, >= 3.10)
#        NPM     npm binary (default npm; Node >= 20)
#
# Sources (client scripts, package.json + package-lock.json, requirements*.txt) are taken from
# the directory this script lives in and copied into TARGET_DIR when it is another directory.
# Needs the npm registry and PyPI; nothing else is downloaded.
set -euo pipefail

usage() { echo "usage: $0 TARGET_DIR" >&2; exit 2; }
[ $# -eq 1 ] || usage
SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mkdir -p "$1"
DEST="$(cd "$1" && pwd)"
COMPONENTS="${MCP_CLIENTS:-ts ts-v2 py py-v1}"
PYTHON="${PYTHON:-python3}"
NPM="${NPM:-npm}"

log() { echo "[install.sh] $*" >&2; }
hash_of() { cat "$@" | sha256sum | cut -d' ' -f1; }

# copy FILE... from $SRC/SUB to $DEST/SUB, only where contents differ
sync_files() {
  local sub="$1"; shift
  mkdir -p "$DEST/$sub"
  [ "$SRC" = "$DEST" ] && return 0
  for f in "$@"; do
    if ! cmp -s "$SRC/$sub/$f" "$DEST/$sub/$f"; then
      cp "$SRC/$sub/$f" "$DEST/$sub/$f"
    fi
  done
}

install_node() {  # install_node SUBDIR PACKAGE
  local sub="$1" pkg="$2" dir="$DEST/$1"
  sync_files "$sub" package.json package-lock.json client.mjs sdk.mjs
  # One OAuth driver and one approval driver for both SDK lines (each directory's sdk.mjs says which it is).
  local shared
  for shared in oauth.mjs approve.mjs; do
    if [ "$SRC" != "$DEST" ] && ! cmp -s "$SRC/ts/$shared" "$dir/$shared"; then
      cp "$SRC/ts/$shared" "$dir/$shared"
    fi
  done
  local want stamp="$dir/node_modules/.mcp-install-stamp"
  want="$(hash_of "$dir/package-lock.json")-$(node --version)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -f "$dir/node_modules/$pkg/package.json" ]; then
    log "$sub: up to date ($pkg), skipping"
    return 0
  fi
  log "$sub: npm ci ($pkg)"
  (cd "$dir" && "$NPM" ci --no-audit --no-fund --loglevel=error) >&2
  (cd "$dir" && node -e "require('fs').readFileSync('node_modules/$pkg/package.json')") \
    || { log "$sub: $pkg missing after npm ci"; exit 1; }
  echo "$want" > "$stamp"
}

install_py() {  # install_py VENV_NAME REQUIREMENTS_FILE
  local venv="$DEST/py/$1" req="$2"
  sync_files py client.py oauth.py approve.py "$req"
  local want stamp="$venv/.mcp-install-stamp"
  want="$(hash_of "$DEST/py/$req")-$("$PYTHON" -c 'import sys; print(sys.version.split()[0])')"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && "$venv/bin/python" -c 'import mcp' 2>/dev/null; then
    log "py/$1: up to date ($req), skipping"
    return 0
  fi
  log "py/$1: creating venv and installing $req"
  [ -x "$venv/bin/python" ] || "$PYTHON" -m venv "$venv"
  "$venv/bin/python" -m pip install --disable-pip-version-check --no-input -q -r "$DEST/py/$req" >&2
  "$venv/bin/python" -c 'from importlib.metadata import version; import mcp.client.streamable_http; print("mcp", version("mcp"))' >&2
  echo "$want" > "$stamp"
}

for c in $COMPONENTS; do
  case "$c" in
    ts)    install_node ts @modelcontextprotocol/sdk ;;
    ts-v2) install_node ts-v2 @modelcontextprotocol/client ;;
    py)    install_py .venv requirements.txt ;;
    py-v1) install_py .venv-v1 requirements-v1.txt ;;
    *)     log "unknown component '$c' (expected ts, ts-v2, py, py-v1)"; exit 2 ;;
  esac
done
log "done: $DEST"
