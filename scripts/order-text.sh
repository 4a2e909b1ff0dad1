#!/usr/bin/env bash
# Regenerates scripts/hot-text.ld, the linker script that puts the code a server runs at start-up and
# idle first in the static binary's text, then the code of the common requests, then everything else.
#
# Why: the kernel maps a binary's code into a process 64 KiB around each page it faults in (fault-around),
# and that counts as resident memory. Linked in the default order, the few hundred KiB of functions
# `serve` runs at start-up are spread over the whole 3.3 MB of text, so an idle server had about 3.6 MB
# of its binary resident. Put together at the front, the same functions take a fifth of that
# (docs/performance.md, "Idle memory: the binary's code in order").
#
#   scripts/order-text.sh        (needs valgrind, python3, curl; a few minutes)
#
# How: the static release build (target/order-text, stripped as shipped: its link map names the code)
# runs `serve` under valgrind's callgrind against the built-in sandbox (`hubspot-mcp sandbox`, loopback
# only), three times: start-up, /health and 3 s idle while HubSpot refuses the token; the same while it
# accepts it; the same, then an MCP session's tools/list and tool calls. scripts/order-text.py finds the
# input section of every executed instruction in the link map and lists those sections as patterns, the
# idle runs' first, in the order the traces first name them. Build hashes in the names become `*`, so the
# script keeps matching as the code changes; a function renamed or added since is linked in the default
# place until the next run. build.rs passes the script to the linker for the static musl build only.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
TARGET=x86_64-unknown-linux-musl
OUT=scripts/hot-text.ld
for tool in valgrind python3 curl; do
  command -v "$tool" >/dev/null || { echo "order-text: missing $tool (Debian: apt-get install valgrind binutils python3 curl)" >&2; exit 1; }
done
DIR=target/order-text
mkdir -p "$DIR"
echo "order-text: the static release build (stripped, as shipped) in $DIR, with a link map"
cargo rustc --release --locked --target "$TARGET" --target-dir "$DIR/build" \
  --bin hubspot-mcp -- -C "link-arg=-Wl,-Map,$PWD/$DIR/link.map"
BIN=$DIR/build/$TARGET/release/hubspot-mcp
TOKEN=pat-na1-00000000-0000-4000-8000-000000000000
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
SBX_PORT=$(free_port)
MCP_PORT=$(free_port)
SBX=""
VG=""
cleanup() {
  [ -z "$VG" ] || kill -INT "$VG" 2>/dev/null || true
  [ -z "$SBX" ] || kill "$SBX" 2>/dev/null || true
}
trap cleanup EXIT
"$BIN" sandbox --port "$SBX_PORT" --token "$TOKEN" 2>"$DIR/sandbox.log" &
SBX=$!
rm -f "$DIR"/callgrind.*
mcp() { # method, params[, tool name]
  curl -sf -o /dev/null "http://127.0.0.1:$MCP_PORT/mcp" -H 'Content-Type: application/json' \
    -H 'Accept: application/json, text/event-stream' -H 'MCP-Protocol-Version: 2026-07-28' -H "Mcp-Method: $1" \
    ${3:+-H "Mcp-Name: $3"} --data "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$1\",\"params\":$2}"
}
META='"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}'
# One run under callgrind: start-up, /health, 3 s idle; with "requests", then an MCP session's calls.
# "idle-refused" has HubSpot refuse the token, so the health check's error path counts as idle too.
traced() {
  local token=$TOKEN
  [ "$1" != idle-refused ] || token=pat-na1-00000000-0000-4000-8000-00000000dead
  HOST=127.0.0.1 PORT=$MCP_PORT HUBSPOT_API_BASE_URL=http://127.0.0.1:$SBX_PORT HUBSPOT_ACCESS_TOKEN=$token \
    valgrind --tool=callgrind --dump-instr=yes --callgrind-out-file="$DIR/callgrind.$1" \
    "$BIN" serve 2>"$DIR/serve-$1.log" &
  VG=$!
  local up=""
  for _ in $(seq 1 300); do
    # Any answer (503 while HubSpot refuses the token) means it is up.
    if [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$MCP_PORT/health")" != 000 ]; then up=1; break; fi
    sleep 0.2
  done
  [ -n "$up" ] || { echo "order-text: the server did not answer /health under valgrind; see $DIR/serve-$1.log" >&2; exit 1; }
  sleep 3
  if [ "$1" = requests ]; then
    for _ in 1 2; do
      mcp tools/list "{$META}"
      mcp tools/call "{$META,\"name\":\"hubspot_list_records\",\"arguments\":{\"objectType\":\"contacts\",\"limit\":10}}" hubspot_list_records
      mcp tools/call "{$META,\"name\":\"hubspot_search_records\",\"arguments\":{\"objectType\":\"deals\",\"query\":\"a\"}}" hubspot_search_records
      mcp tools/call "{$META,\"name\":\"hubspot_get_record\",\"arguments\":{\"objectType\":\"contacts\",\"id\":\"101\"}}" hubspot_get_record
    done
  fi
  kill -INT "$VG"
  wait "$VG" 2>/dev/null || true
  VG=""
}
traced idle-refused
traced idle
traced requests
python3 scripts/order-text.py "$DIR" "$OUT"
