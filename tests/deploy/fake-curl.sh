#!/usr/bin/env bash
# A stand-in for curl, put on PATH as `curl` by tests/deploy/test-deploy.sh: records its arguments in
# $FAKE_DIR/calls.log and answers a /health request from $FAKE_HEALTH, a space-separated list of answers used
# one per call (the last one repeats):
#   healthy     HTTP 200 with the server's /health JSON, status "healthy"
#   degraded    HTTP 200, status "degraded" (must not pass the deploy check)
#   pending     HTTP 200, status "healthy", HubSpot's first check still pending (must not pass either)
#   unhealthy   what `curl -f` does on the server's 503: an error on stderr, exit 22
#   down        what curl does when nothing listens: exit 7
set -euo pipefail
: "${FAKE_DIR:?FAKE_DIR must name the scratch directory of the test}"
{
  printf 'curl'
  printf ' %q' "$@"
  printf '\n'
} >>"$FAKE_DIR/calls.log"

read -r -a answers <<<"${FAKE_HEALTH:-healthy}"
n=$(cat "$FAKE_DIR/curl.count" 2>/dev/null || echo 0)
echo $((n + 1)) >"$FAKE_DIR/curl.count"
[ "$n" -lt "${#answers[@]}" ] || n=$((${#answers[@]} - 1))

body() { # status [hubspot detail]
  printf '{"status":"%s","timestamp":"2026-01-01T00:00:00Z","version":"0.1.0","environment":"production",' "$1"
  printf '"dependencies":{"hubspot":{"status":"healthy","lastChecked":null,"detail":"%s"}},' "${2:-HubSpot API reachable}"
  printf '"deployment":{"id":"%s","service":"hubspot-mcp"}}\n' "${FAKE_UP_ID:-dep-new}"
}
case ${answers[$n]} in
  healthy) body healthy ;;
  degraded) body degraded ;;
  pending) body healthy "first check pending" ;;
  unhealthy)
    echo "curl: (22) The requested URL returned error: 503" >&2
    exit 22
    ;;
  down)
    echo "curl: (7) Failed to connect: Connection refused" >&2
    exit 7
    ;;
  *)
    echo "fake curl: unknown FAKE_HEALTH answer '${answers[$n]}'" >&2
    exit 2
    ;;
esac
