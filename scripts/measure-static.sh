#!/usr/bin/env bash
# Measures one hubspot-mcp binary the way docs/performance.md's "Static binary and allocator" figures were taken:
# size; idle resident memory after start and where it goes (binary pages, thread stacks, heap), for `serve`
# and `serve --demo`; resident memory after 1,000 sessions (initialize requests); stateless tools/list
# throughput with wrk at 16 and 64 connections; SIGTERM's exit code.
#
#   scripts/measure-static.sh [BINARY] [PORT]     (default: dist/hubspot-mcp, port 39123)
#
# Needs wrk, curl and python3. Bounded: WRK_DURATION (10s) per wrk run, timeouts on every wait. Loopback
# traffic only; the server is stopped with SIGTERM at the end (and on any exit).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
BIN=${1:-dist/hubspot-mcp}
PORT=${2:-39123}
DURATION=${WRK_DURATION:-10s}
for tool in wrk curl python3; do
  command -v "$tool" >/dev/null || { echo "missing: $tool (Debian: apt-get install $tool)"; exit 1; }
done
[ -x "$BIN" ] || { echo "missing: $BIN (scripts/build-static.sh makes dist/hubspot-mcp)"; exit 1; }

LOG=$(mktemp)
PID=""
STOP_RC=""
stop() { # SIGTERM, wait up to 15 s; the exit code goes to STOP_RC
  STOP_RC=0
  kill -TERM "$PID" 2>/dev/null || true
  timeout 15 tail --pid="$PID" -f /dev/null || kill -KILL "$PID" 2>/dev/null || true
  wait "$PID" || STOP_RC=$?
  PID=""
}
cleanup() {
  [ -z "$PID" ] || stop
  rm -f "$LOG"
}
trap cleanup EXIT

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; } # utime + stime, all threads
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
mib() { awk -v k="$1" 'BEGIN {printf "%.2f MiB", k / 1024}'; }

start() { # the binary's arguments; extra environment comes from the caller
  HOST=127.0.0.1 PORT=$PORT RATE_LIMIT_MAX=100000000 LOG_LEVEL=warn "$BIN" "$@" 2>"$LOG" &
  PID=$!
  local up=0
  for _ in $(seq 1 100); do
    if curl -fsS -m 1 -o /dev/null "http://127.0.0.1:$PORT/health"; then up=1; break; fi
    sleep 0.05
  done
  [ "$up" = 1 ] || { echo "server did not answer /health:"; cat "$LOG"; exit 1; }
  sleep 1
}

# Where resident memory goes: the binary's own pages, thread stacks (the mappings holding some thread's
# stack pointer, read from /proc/PID/task/TID/syscall: stack and TLS of each thread), the rest (heap).
breakdown() {
  echo "  RSS $(mib "$(rss_kib "$1")"), threads $(awk '/^Threads:/ {print $2}' "/proc/$1/status")"
  python3 - "$1" <<'PY'
import glob, re, sys
rows, cur = [], None
for line in open(f"/proc/{sys.argv[1]}/smaps"):
    m = re.match(r"^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$", line)
    if m:
        cur = {"start": int(m[1], 16), "end": int(m[2], 16), "perm": m[3], "name": m[4].strip(), "rss": 0}
        rows.append(cur)
    elif line.startswith("Rss:") and cur is not None:
        cur["rss"] = int(line.split()[1])
sps = set()
for task in glob.glob(f"/proc/{sys.argv[1]}/task/*/syscall"):
    try:
        fields = open(task).read().split()
    except OSError:
        continue
    if len(fields) >= 3 and fields[-2].startswith("0x"):
        sps.add(int(fields[-2], 16))
groups = {}
for r in rows:
    if r["name"].startswith("/"):
        name = "binary image (file-backed)"
    elif r["name"]:
        name = r["name"]
    elif any(r["start"] <= sp < r["end"] for sp in sps):
        name = "thread stacks"
    else:
        name = "other anonymous (heap)"
    g = groups.setdefault(name, [0, 0])
    g[0] += 1
    g[1] += r["rss"]
for name, (n, rss) in sorted(groups.items(), key=lambda kv: -kv[1][1]):
    if rss >= 64:
        print(f"    {name:36s} {n:4d} mappings {rss:6d} kB")
PY
}

echo "binary: $BIN ($(stat -c %s "$BIN") bytes)"
echo "idle, serve (a HubSpot token set, nothing called):"
HUBSPOT_ACCESS_TOKEN=pat-na1-00000000-0000-0000-0000-000000000000-measure \
  HUBSPOT_API_BASE_URL=http://127.0.0.1:9 start serve
breakdown "$PID"
stop
echo "  SIGTERM: exit $STOP_RC"

echo "idle, serve --demo (the built-in sandbox runs in the same process):"
start serve --demo
breakdown "$PID"

python3 - "$PORT" <<'PY'
import http.client, json, sys
port = int(sys.argv[1])
body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
    "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "measure", "version": "1"}}})
headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
ids = set()
for _ in range(1000):
    conn.request("POST", "/mcp", body, headers)
    r = conn.getresponse()
    r.read()
    if r.status != 200:
        sys.exit(f"initialize answered {r.status}")
    ids.add(r.getheader("Mcp-Session-Id"))
conn.close()
print(f"  sessions opened: {len(ids)}")
PY
sleep 1
echo "after 1000 sessions: RSS $(mib "$(rss_kib "$PID")")"

for c in 16 64; do
  echo "wrk tools/list, $c connections, $DURATION:"
  before=$(cpu_ticks "$PID")
  out=$(wrk -t2 -c"$c" -d"$DURATION" -s scripts/wrk-tools-list.lua "http://127.0.0.1:$PORT/mcp")
  after=$(cpu_ticks "$PID")
  grep -E 'Requests/sec|Latency|errors|Socket|Non-2xx' <<<"$out" | sed 's/^/  /'
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  # Server CPU time per request: less sensitive than requests/s to other load on the machine.
  awk -v t=$((after - before)) -v n="$requests" -v hz="$(getconf CLK_TCK)" \
    'BEGIN {printf "  server CPU per request: %.0f us (%d requests)\n", t * 1e6 / hz / n, n}'
  echo "  RSS after: $(mib "$(rss_kib "$PID")")"
done
stop
echo "SIGTERM: exit $STOP_RC"
