#!/usr/bin/env bash
# Builds the FROM scratch image's air-gapped path (Dockerfile.scratch, target `prebuilt`) with buildah,
# without any Docker engine or registry, checks its configuration and size, unpacks it and runs its
# entrypoint from the unpacked root filesystem the way a container runtime would, then tears it all down.
#
#   scripts/test-image.sh              test the image of dist/hubspot-mcp (built first if missing)
#   scripts/test-image.sh --rebuild    rebuild dist/hubspot-mcp first (what scripts/test.sh does)
#
# The binary: dist/hubspot-mcp, made by scripts/build-static.sh when that script exists, else by
#   cargo build --release --locked --target x86_64-unknown-linux-musl   (CARGO_TARGET_DIR honoured)
#
# The run, as a runtime would do it: new mount and PID namespaces with /proc mounted, the unpacked image
# as root directory, the image's user (65534:65534, so no capabilities left), its Env, Entrypoint and
# `serve --demo` (HOST=127.0.0.1, PORT=a free port). Checked from outside over 127.0.0.1: /health is
# healthy, a stateless (2026-07-28) tools/call of hubspot_list_records works; inside the container's
# namespaces and root: the image's HEALTHCHECK command exits 0; SIGTERM to PID 1 with a request in flight
# lets that request finish and exits 0 within the drain timeout.
#
# Needs root (chroot, namespaces), and: buildah, jq, curl, unshare, nsenter, chroot, gzip, timeout
# (Debian: buildah jq curl util-linux coreutils gzip). Installs nothing. Everything it creates (image
# storage, container, OCI layout) lives in one temporary directory removed on exit.
# Prints PASS / FAIL lines and `test-image.sh: N passed, N failed`; exits 1 on any failure.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

IMAGE=hubspot-mcp:test
BIN=dist/hubspot-mcp
MUSL=x86_64-unknown-linux-musl
DRAIN_MS=10000 # MCP_DRAIN_TIMEOUT_MS's default; the container is run with it
REBUILD=0
case "${1:-}" in
  "") ;;
  --rebuild) REBUILD=1 ;;
  *) echo "usage: $0 [--rebuild]" >&2; exit 2 ;;
esac

PASSED=0
FAILED=0
pass() { PASSED=$((PASSED + 1)); echo "PASS  $*"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL  $*"; }
info() { echo "      $*"; }
SUMMARIZED=0
summary() { SUMMARIZED=1; echo "test-image.sh: $PASSED passed, $FAILED failed"; }
# A failure the rest cannot go on without: report, summarize, exit (the trap cleans up).
fatal() { fail "$*"; summary; exit 1; }

# ---- prerequisites: say what is missing, install nothing ----
missing=()
for tool in buildah jq curl unshare nsenter chroot gzip timeout; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  fatal "missing: ${missing[*]} (Debian: apt-get install buildah jq curl util-linux coreutils gzip; scripts/test.sh installs them)"
fi
UNSHARE=$(command -v unshare)
NSENTER=$(command -v nsenter)
CHROOT=$(command -v chroot)
TIMEOUT=$(command -v timeout)
[ "$(id -u)" = 0 ] || fatal "needs root: the unpacked image is run with chroot in new namespaces as uid 65534"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/test-image.XXXXXX")
# Private image storage (vfs: no overlay mounts, works inside containers), removed with $TMP.
BUILDAH=(timeout 300 buildah --root "$TMP/storage" --runroot "$TMP/run" --storage-driver vfs)
CTR=""
UNSHARE_PID=""
SERVER_PID=""
INFLIGHT_PID=""
cleanup() {
  local rc=$?
  set +e
  if [ "$SUMMARIZED" = 0 ]; then # stopped by set -e or a signal, not by a check
    fail "stopped early (exit $rc): interrupted, or a command failed outside a check (see above)"
    summary
    [ "$rc" = 0 ] && rc=1
  fi
  [ -n "$INFLIGHT_PID" ] && kill "$INFLIGHT_PID" 2>/dev/null
  [ -n "$SERVER_PID" ] && kill -KILL "$SERVER_PID" 2>/dev/null
  if [ -n "$UNSHARE_PID" ]; then
    kill -KILL "$UNSHARE_PID" 2>/dev/null
    wait "$UNSHARE_PID" 2>/dev/null
  fi
  if [ -n "$CTR" ]; then
    "${BUILDAH[@]}" umount "$CTR" >/dev/null 2>&1
    "${BUILDAH[@]}" rm "$CTR" >/dev/null 2>&1
  fi
  "${BUILDAH[@]}" rmi --all --force >/dev/null 2>&1
  rm -rf "$TMP"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- the static binary ----
if [ "$REBUILD" = 1 ] || [ ! -s "$BIN" ]; then
  if [ -f scripts/build-static.sh ]; then
    echo "building $BIN with scripts/build-static.sh"
    bash scripts/build-static.sh || fatal "scripts/build-static.sh failed"
  elif command -v cargo >/dev/null; then
    echo "building $BIN with cargo (target $MUSL; no scripts/build-static.sh here)"
    cargo build --release --locked --target "$MUSL" || fatal "cargo build --target $MUSL failed (rustup target add $MUSL; apt-get install musl-tools)"
    mkdir -p dist
    cp "${CARGO_TARGET_DIR:-target}/$MUSL/release/hubspot-mcp" "$BIN" || fatal "cannot copy the musl binary to $BIN"
  else
    fatal "no $BIN, and neither scripts/build-static.sh nor cargo to build it: build the static binary into $BIN first"
  fi
fi
[ -s "$BIN" ] || fatal "$BIN is missing after the build"
BIN_SIZE=$(stat -c %s "$BIN")
if command -v readelf >/dev/null && readelf -lW "$BIN" 2>/dev/null | grep -q 'program interpreter'; then
  fatal "$BIN is dynamically linked: a FROM scratch image needs the static musl build"
fi
pass "binary $BIN ($BIN_SIZE bytes)"

# ---- build the prebuilt path ----
BUD=(bud --isolation chroot --format docker --target prebuilt -f Dockerfile.scratch -t "$IMAGE" .)
echo "buildah --root $TMP/storage --runroot $TMP/run --storage-driver vfs ${BUD[*]}"
if "${BUILDAH[@]}" "${BUD[@]}" >"$TMP/bud.log" 2>&1; then
  pass "buildah bud --target prebuilt (no Docker engine, no registry)"
else
  cat "$TMP/bud.log"
  fatal "buildah bud --target prebuilt"
fi

# ---- the image's configuration ----
"${BUILDAH[@]}" inspect --type image "$IMAGE" >"$TMP/inspect.json" || fatal "buildah inspect $IMAGE"
cfg() { jq -c "$1" "$TMP/inspect.json"; }
expect() { # description jq-filter expected-compact-json
  local got
  got=$(cfg "$2")
  if [ "$got" = "$3" ]; then pass "config: $1 = $got"; else fail "config: $1 = $got, expected $3"; fi
}
expect "User" '.Docker.config.User' '"65534:65534"'
expect "Entrypoint" '.Docker.config.Entrypoint' '["/hubspot-mcp"]'
expect "Cmd" '.Docker.config.Cmd' '["serve"]'
expect "ExposedPorts" '.Docker.config.ExposedPorts | keys' '["3000/tcp"]'
expect "Env HOST, PORT" '[.Docker.config.Env[] | select(startswith("HOST=") or startswith("PORT="))]' '["HOST=::","PORT=3000"]'
expect "Healthcheck.Test" '.Docker.config.Healthcheck.Test' '["CMD","/hubspot-mcp","healthcheck"]'
expect "Healthcheck interval/timeout/start-period/retries" \
  '.Docker.config.Healthcheck | [.Interval, .Timeout, .StartPeriod, .Retries] | map(if . > 1000 then ./1000000000 else . end)' '[30,10,5,3]'
expect "OCI config User/Entrypoint/Cmd" '.OCIv1.config | [.User, .Entrypoint, .Cmd]' '["65534:65534",["/hubspot-mcp"],["serve"]]'

# ---- size: push to an OCI layout and measure the layers ----
"${BUILDAH[@]}" push --quiet "$IMAGE" "oci:$TMP/oci:test" >/dev/null 2>&1 || fatal "buildah push oci:"
manifest=$(jq -r '.manifests[0].digest | sub("sha256:"; "")' "$TMP/oci/index.json")
layers=0
compressed=0
uncompressed=0
while read -r digest media size; do
  layers=$((layers + 1))
  compressed=$((compressed + size))
  blob=$TMP/oci/blobs/sha256/${digest#sha256:}
  case "$media" in
    *gzip) uncompressed=$((uncompressed + $(gzip -dc "$blob" | wc -c))) ;;
    *) uncompressed=$((uncompressed + $(wc -c <"$blob"))) ;;
  esac
done < <(jq -r '.layers[] | "\(.digest) \(.mediaType) \(.size)"' "$TMP/oci/blobs/sha256/$manifest")
overhead=$((uncompressed - BIN_SIZE))
info "binary $BIN_SIZE bytes; image: $layers layer(s), $uncompressed bytes uncompressed (binary + $overhead bytes of tar framing), $compressed bytes gzip-compressed (what a registry stores and a host pulls)"
if [ "$overhead" -ge 0 ] && [ "$overhead" -le 16384 ]; then
  pass "image size $uncompressed bytes = binary + $overhead bytes"
else
  fail "image size $uncompressed bytes = binary + $overhead bytes (expected at most 16 KiB over the binary)"
fi

# ---- unpack: a working container's root filesystem ----
CTR=$("${BUILDAH[@]}" from --quiet "$IMAGE") || fatal "buildah from $IMAGE"
ROOTFS=$("${BUILDAH[@]}" mount "$CTR") || fatal "buildah mount $CTR"
files=$(cd "$ROOTFS" && find . -mindepth 1 -printf '%p %m %U:%G\n')
if [ "$files" = "./hubspot-mcp 755 0:0" ]; then
  pass "root filesystem holds only /hubspot-mcp (mode 755, owner 0:0)"
else
  fail "root filesystem: expected only '/hubspot-mcp 755 0:0', found: $(echo "$files" | tr '\n' ';')"
fi
writable=$(find "$ROOTFS" \( ! -uid 0 -o ! -gid 0 -o -perm /022 \) -printf '%P ' | head -c 300)
if [ -z "$writable" ]; then
  pass "nothing in the image is writable by uid 65534 (all owned by 0:0, no group/other write)"
else
  fail "writable by non-root: $writable"
fi
if cmp -s "$ROOTFS/hubspot-mcp" "$BIN"; then pass "/hubspot-mcp is $BIN byte for byte"; else fail "/hubspot-mcp differs from $BIN"; fi

# ---- run it as a runtime would ----
USERSPEC=$(cfg '.Docker.config.User' | jq -r .)
mapfile -t ENTRYPOINT < <(jq -r '.Docker.config.Entrypoint[]' "$TMP/inspect.json")
mapfile -t IMAGE_ENV < <(jq -r '.Docker.config.Env[]' "$TMP/inspect.json")
mapfile -t HEALTHCHECK < <(jq -r '.Docker.config.Healthcheck.Test | if .[0] == "CMD" then .[1:][] else empty end' "$TMP/inspect.json")
[ ${#ENTRYPOINT[@]} -gt 0 ] || fatal "no Entrypoint to run"
[ ${#HEALTHCHECK[@]} -gt 0 ] || fatal "no exec-form (CMD) Healthcheck to run"

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
PORT=""
for _ in $(seq 1 50); do
  candidate=$((20000 + RANDOM % 40000))
  if ! port_in_use "$candidate"; then PORT=$candidate; break; fi
done
[ -n "$PORT" ] || fatal "no free port found"
RUN_ENV=("${IMAGE_ENV[@]}" HOST=127.0.0.1 "PORT=$PORT" "MCP_DRAIN_TIMEOUT_MS=$DRAIN_MS")

mkdir -p "$ROOTFS/proc" # the mount point a runtime creates
LOG=$TMP/server.log
env -i "${RUN_ENV[@]}" "$UNSHARE" --mount --pid --fork --mount-proc="$ROOTFS/proc" \
  "$CHROOT" --userspec="$USERSPEC" "$ROOTFS" "${ENTRYPOINT[@]}" serve --demo 2>"$LOG" &
UNSHARE_PID=$!
info "running: ${ENTRYPOINT[*]} serve --demo as $USERSPEC in $ROOTFS, HOST=127.0.0.1 PORT=$PORT"

# The server is unshare's child: PID 1 of the new PID namespace, as in a container.
for _ in $(seq 1 100); do
  SERVER_PID=$(tr -d ' \n' <"/proc/$UNSHARE_PID/task/$UNSHARE_PID/children" 2>/dev/null || true)
  [ -n "$SERVER_PID" ] && grep -q '"msg":"listening"' "$LOG" && break
  kill -0 "$UNSHARE_PID" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$SERVER_PID" ] || ! grep -q '"msg":"listening"' "$LOG"; then
  cat "$LOG"
  fatal "the entrypoint did not start listening within 10 s"
fi
addr=$(sed -n 's/.*"addr":"\([^"]*\)".*"msg":"listening".*/\1/p' "$LOG" | head -n1)
pass "entrypoint started in the unpacked root, listening on $addr"

status=$(grep -E '^(Uid|Gid|Groups|CapEff):' "/proc/$SERVER_PID/status" | tr -s '\t ' ' ' | tr '\n' ';')
if echo "$status" | grep -q '^Uid: 65534 65534 65534 65534;Gid: 65534 65534 65534 65534;Groups: \(65534 \)\?;CapEff: 0000000000000000;$'; then
  pass "process runs as uid/gid 65534 (no other groups), no capabilities"
else
  fail "process credentials: $status"
fi
if [ "$(readlink "/proc/$SERVER_PID/root")" = "$ROOTFS" ]; then
  pass "process root is the unpacked image"
else
  fail "process root is $(readlink "/proc/$SERVER_PID/root")"
fi

# /health from outside.
code=$(curl -sS -m 5 -o "$TMP/health.json" -w '%{http_code}' "http://127.0.0.1:$PORT/health" || true)
hstatus=$(jq -r '.status' "$TMP/health.json" 2>/dev/null || true)
if [ "$code" = 200 ] && [ "$hstatus" = healthy ]; then
  pass "GET /health over 127.0.0.1: 200, status healthy"
else
  fail "GET /health over 127.0.0.1: HTTP $code, status '$hstatus'"
fi

# A stateless (2026-07-28) tools/call.
mcp_call() { # tool arguments-json out-file
  curl -sS -m 20 -o "$3" -w '%{http_code}' "http://127.0.0.1:$PORT/mcp" \
    -H 'Content-Type: application/json' \
    -H 'Accept: application/json, text/event-stream' \
    -H 'MCP-Protocol-Version: 2026-07-28' \
    -H 'Mcp-Method: tools/call' \
    -H "Mcp-Name: $1" \
    --data "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"$1\",\"arguments\":$2,\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\",\"io.modelcontextprotocol/clientCapabilities\":{}}}}"
}
code=$(mcp_call hubspot_list_records '{"objectType":"contacts","limit":2}' "$TMP/call.json" || true)
ids=$(jq -c '[.result.structuredContent.results[]?.id]' "$TMP/call.json" 2>/dev/null || true)
iserr=$(jq -r '.result.isError' "$TMP/call.json" 2>/dev/null || true)
if [ "$code" = 200 ] && [ "$iserr" = false ] && [ "$ids" = '["101","102"]' ]; then
  pass "tools/call hubspot_list_records (stateless 2026-07-28): 200, contacts $ids"
else
  fail "tools/call hubspot_list_records: HTTP $code, isError '$iserr', ids '$ids': $(head -c 400 "$TMP/call.json" 2>/dev/null)"
fi

# The image's HEALTHCHECK, exec'd the way `docker exec` does: the container's namespaces, root, user, env.
run_in_container() { # env-overrides... -- cmd...
  local envs=()
  while [ "$1" != -- ]; do envs+=("$1"); shift; done
  shift
  env -i "${RUN_ENV[@]}" "${envs[@]}" "$TIMEOUT" 15 "$NSENTER" --target "$SERVER_PID" --mount --pid --root --wd \
    --setuid "${USERSPEC%%:*}" --setgid "${USERSPEC##*:}" "$@"
}
if out=$(run_in_container -- "${HEALTHCHECK[@]}" 2>&1); then
  pass "HEALTHCHECK (${HEALTHCHECK[*]}) inside the container: exit 0 ($out)"
else
  fail "HEALTHCHECK (${HEALTHCHECK[*]}) inside the container: exit $? ($out)"
fi
# ... and it does fail when nothing answers (a probe that is always 0 would prove nothing).
if out=$(run_in_container PORT=1 -- "${HEALTHCHECK[@]}" 2>&1); then
  fail "HEALTHCHECK with PORT=1 exited 0 ($out)"
else
  pass "HEALTHCHECK with nothing listening (PORT=1): exit $? ($out)"
fi

# SIGTERM to PID 1 with a request in flight: the request completes, the process exits 0 within the drain timeout.
mcp_call echo '{"text":"drained","delayMs":1500}' "$TMP/inflight.json" >"$TMP/inflight.code" 2>&1 &
INFLIGHT_PID=$!
sleep 0.5 # well inside the call's 1.5 s
t0=$(date +%s%N)
kill -TERM "$SERVER_PID"
deadline=$(( $(date +%s%N) + (DRAIN_MS + 5000) * 1000000 ))
while kill -0 "$UNSHARE_PID" 2>/dev/null && [ "$(date +%s%N)" -lt "$deadline" ]; do sleep 0.05; done
if kill -0 "$UNSHARE_PID" 2>/dev/null; then
  fail "SIGTERM: still running $((DRAIN_MS + 5000)) ms later"
else
  rc=0
  wait "$UNSHARE_PID" || rc=$?
  elapsed=$(( ($(date +%s%N) - t0) / 1000000 ))
  UNSHARE_PID=""
  SERVER_PID=""
  if [ "$rc" = 0 ] && [ "$elapsed" -le "$DRAIN_MS" ]; then
    pass "SIGTERM to PID 1: exit 0 after $elapsed ms (drain timeout $DRAIN_MS ms)"
  else
    fail "SIGTERM to PID 1: exit $rc after $elapsed ms (drain timeout $DRAIN_MS ms)"
  fi
fi
wait "$INFLIGHT_PID" 2>/dev/null || true
INFLIGHT_PID=""
text=$(jq -r '.result.structuredContent.text' "$TMP/inflight.json" 2>/dev/null || true)
if [ "$(cat "$TMP/inflight.code")" = 200 ] && [ "$text" = drained ]; then
  pass "the request in flight at SIGTERM completed (200, echo \"drained\")"
else
  fail "the request in flight at SIGTERM: HTTP $(cat "$TMP/inflight.code"), text '$text'"
fi
if grep -q '"msg":"stopped"' "$LOG"; then
  info "$(grep '"msg":"stopped"' "$LOG")"
else
  fail "no \"stopped\" log line after SIGTERM"
  tail -n 20 "$LOG"
fi

summary
[ "$FAILED" -eq 0 ]
