#!/usr/bin/env bash
# Acceptance test of the static binary: it must work with NOTHING around it.
#
#   scripts/test-static.sh                    build (scripts/build-static.sh), then test dist/hubspot-mcp
#   STATIC_BIN=path scripts/test-static.sh    test that binary instead (no build)
#
# Needs root (unshare, chroot, nsenter from util-linux/coreutils) and curl. The binary is copied ALONE into
# an empty directory, which becomes the root of a process in fresh mount, PID, IPC and UTS namespaces,
# running as uid/gid 65534: no /etc, no /lib, no /proc, no certificates, no shell. The network namespace
# is the host's, so the server is probed from outside over 127.0.0.1. Checks:
#   1. static: no program interpreter, no dynamic section (so no shared library), file(1) agrees
#   2. the root holds the binary and nothing else; the server runs as 65534:65534 inside it
#   3. GET /health answers 200 "healthy"
#   4. serve --demo answers a stateless tools/call of hubspot_list_records {contacts, limit 2} end to end
#   5. `hubspot-mcp healthcheck`, run in the same namespaces and root, exits 0
#   6. SIGTERM: the server exits 0 within the drain timeout
#   7. the code idle servers run is linked first (.text.hot, from scripts/hot-text.ld through build.rs)
# Every wait has a timeout; the namespaces, the process and the directory are removed on any exit.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

DRAIN_MS=5000
PASSES=0
FAILS=0
pass() { PASSES=$((PASSES + 1)); echo "PASS  $*"; }
fail() { FAILS=$((FAILS + 1)); echo "FAIL  $*"; }
die() { fail "$*"; finish; }

ROOTDIR=""
LOG=""
UPID=""
SPID=""
cleanup() {
  if [ -n "$UPID" ] && kill -0 "$UPID" 2>/dev/null; then
    [ -z "$SPID" ] || kill -KILL "$SPID" 2>/dev/null || true
    kill -KILL "$UPID" 2>/dev/null || true
    wait "$UPID" 2>/dev/null || true
  fi
  if [ -n "$LOG" ] && [ -f "$LOG" ]; then
    if [ "$FAILS" -gt 0 ]; then echo "---- server log"; tail -n 40 "$LOG"; echo "----"; fi
    rm -f "$LOG"
  fi
  [ -z "$ROOTDIR" ] || rm -rf "$ROOTDIR"
}
finish() {
  cleanup
  trap - EXIT
  if [ "$FAILS" -eq 0 ]; then
    echo "test-static: all $PASSES checks passed"
    exit 0
  fi
  echo "test-static: $FAILS of $((PASSES + FAILS)) checks FAILED"
  exit 1
}
trap 'FAILS=$((FAILS + 1)); echo "FAIL  interrupted or unexpected error"; finish' EXIT

# ---- prerequisites
[ "$(id -u)" = 0 ] || die "must run as root (unshare, chroot and nsenter need it)"
for tool in unshare chroot nsenter curl timeout readelf file; do
  command -v "$tool" >/dev/null || die "missing: $tool (Debian: util-linux, coreutils, curl, binutils, file)"
done
UNSHARE=$(command -v unshare)
CHROOT=$(command -v chroot)
NSENTER=$(command -v nsenter)

# ---- the binary
if [ -n "${STATIC_BIN:-}" ]; then
  BIN=$STATIC_BIN
else
  timeout 1800 scripts/build-static.sh || die "scripts/build-static.sh failed"
  BIN=dist/hubspot-mcp
fi
[ -x "$BIN" ] || die "no executable at $BIN"

# ---- 1. static
headers=$(readelf -lW "$BIN")
dynamic=$(readelf -dW "$BIN" 2>&1 || true)
if grep -q INTERP <<<"$headers"; then
  fail "static: $BIN asks for a program interpreter"
elif ! grep -q "There is no dynamic section" <<<"$dynamic"; then
  fail "static: $BIN has a dynamic section: $(head -c 300 <<<"$dynamic" | tr '\n' ' ')"
elif ! file -b "$BIN" | grep -q "statically linked"; then
  fail "static: file(1) does not call $BIN statically linked: $(file -b "$BIN")"
else
  pass "static: no interpreter, no dynamic section ($(file -b "$BIN" | tr , "\n" | grep linked | sed "s/^ //"))"
fi

# ---- 7. the text in order (checked here, with the other properties of the file)
hot=$(readelf -SW "$BIN" | awk '{for (i = 1; i < NF; i++) if ($i == ".text.hot") print $(i + 4)}')
[ -z "$hot" ] || hot=$((16#$hot))
if [ -n "$hot" ] && [ "$hot" -ge 262144 ]; then
  pass "text order: .text.hot holds $hot bytes (scripts/hot-text.ld applied)"
else
  fail "text order: no .text.hot of 256 KiB or more (${hot:-none}): build.rs did not pass scripts/hot-text.ld"
fi

# ---- 2. the empty root
ROOTDIR=$(mktemp -d /tmp/hubspot-mcp-static-root.XXXXXX)
LOG=$(mktemp /tmp/hubspot-mcp-static-log.XXXXXX)
cp "$BIN" "$ROOTDIR/hubspot-mcp"
chmod 0555 "$ROOTDIR/hubspot-mcp" "$ROOTDIR"

# PORT=0: the kernel picks a free port, the server logs it (stderr goes to $LOG, outside the root).
env -i HOST=127.0.0.1 PORT=0 LOG_LEVEL=info MCP_DRAIN_TIMEOUT_MS=$DRAIN_MS \
  "$UNSHARE" --mount --pid --ipc --uts --fork --kill-child \
  "$CHROOT" --userspec=65534:65534 "$ROOTDIR" /hubspot-mcp serve --demo 2>"$LOG" &
UPID=$!

addr=""
for _ in $(seq 1 100); do # 10 s
  addr=$(sed -n 's/.*"addr":"\([^"]*\)".*"msg":"listening".*/\1/p' "$LOG" | head -n1)
  [ -n "$addr" ] && break
  kill -0 "$UPID" 2>/dev/null || break
  sleep 0.1
done
[ -n "$addr" ] || die "the server did not log \"listening\" within 10 s"
SPID=$(cut -d' ' -f1 "/proc/$UPID/task/$UPID/children" 2>/dev/null || true)
[ -n "$SPID" ] || die "no server process under unshare ($UPID)"

root_entries=$(find "/proc/$SPID/root/" -mindepth 1 -maxdepth 1 -printf '%f ' 2>/dev/null || echo "?")
ids=$(awk '/^Uid:|^Gid:/ {printf "%s%s", sep, $2; sep=":"}' "/proc/$SPID/status")
if [ "$root_entries" = "hubspot-mcp " ] && [ "$ids" = "65534:65534" ]; then
  pass "empty root: the server (pid $SPID) runs as $ids in a root holding only: $root_entries"
else
  fail "empty root: root holds [$root_entries], uid:gid $ids (want [hubspot-mcp ], 65534:65534)"
fi

# ---- 3. /health from outside
health=$(curl -sS -m 5 -w '\n%{http_code}' "http://$addr/health" 2>&1 || true)
code=${health##*$'\n'}
if [ "$code" = 200 ] && grep -q '"status":"healthy"' <<<"$health"; then
  pass "/health: 200 healthy (memory figures: $(grep -o '"memory":{[^}]*}' <<<"$health"))"
else
  fail "/health: want 200 healthy, got $code: ${health:0:300}"
fi

# ---- 4. a tools/call end to end (the server calls its built-in sandbox over loopback)
body='{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"hubspot_list_records",'
body+='"arguments":{"objectType":"contacts","limit":2},"_meta":{"io.modelcontextprotocol/protocolVersion":'
body+='"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}'
call=$(curl -sS -m 10 -w '\n%{http_code}' "http://$addr/mcp" \
  -H 'Content-Type: application/json' \
  -H 'Accept: application/json, text/event-stream' \
  -H 'MCP-Protocol-Version: 2026-07-28' \
  -H 'Mcp-Method: tools/call' \
  -H 'Mcp-Name: hubspot_list_records' \
  --data-binary "$body" 2>&1 || true)
code=${call##*$'\n'}
records=$(grep -o '"hs_object_id":"[0-9]*"' <<<"$call" | wc -l)
if [ "$code" = 200 ] && grep -q '"isError":false' <<<"$call" && [ "$records" = 2 ]; then
  pass "tools/call hubspot_list_records {contacts, limit 2}: 200, 2 records"
else
  fail "tools/call: want 200, isError false, 2 records; got $code, $records records: ${call:0:400}"
fi

# ---- 5. healthcheck inside the same root and namespaces
port=${addr##*:}
if hc=$(env -i PORT="$port" timeout 10 "$NSENTER" --target "$SPID" --mount --pid --ipc --uts --root --wd \
  --setuid 65534 --setgid 65534 /hubspot-mcp healthcheck 2>&1); then
  pass "healthcheck inside the empty root: exit 0 ($hc)"
else
  fail "healthcheck inside the empty root: exit $? ($hc)"
fi

# ---- 6. SIGTERM
kill -TERM "$SPID"
limit=$((DRAIN_MS / 100 + 50)) # the drain timeout plus 5 s, in 0.1 s steps
for _ in $(seq 1 "$limit"); do
  kill -0 "$UPID" 2>/dev/null || break
  sleep 0.1
done
if kill -0 "$UPID" 2>/dev/null; then
  fail "SIGTERM: still running $((limit / 10)) s later"
else
  rc=0
  wait "$UPID" || rc=$?
  UPID=""
  if [ "$rc" = 0 ] && grep -q '"msg":"stopped"' "$LOG"; then
    pass "SIGTERM: exit 0, drained (\"stopped\" logged)"
  else
    fail "SIGTERM: exit $rc (want 0)"
  fi
fi

finish
