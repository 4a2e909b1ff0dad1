#!/usr/bin/env bash
# Tests scripts/deploy.sh, scripts/rollback.sh and scripts/setup-env.sh without Railway: a fake `railway`
# (tests/deploy/fake-railway.sh) records every call and answers with canned JSON, a fake `curl`
# (tests/deploy/fake-curl.sh) answers the health checks, and one case checks the real curl against a real
# /health server on 127.0.0.1. The scripts run from a copy of the repository's files in a scratch directory, under
# `env -i` with a PATH made only of the tools they may use, each within a timeout. Everything is removed at exit.
#
#   bash tests/deploy/test-deploy.sh        last line: "N passed, N failed"; exit 1 if any failed
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$ROOT/tests/deploy
BASH_BIN=$(command -v bash)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/test-deploy.XXXXXX")
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

PASSED=0
FAILED=0
CASE=""
ok() { PASSED=$((PASSED + 1)); }
ko() {
  FAILED=$((FAILED + 1))
  printf '  FAIL [%s] %s\n' "$CASE" "$*"
}
begin() {
  CASE=$1
  printf -- '- %s\n' "$1"
  rm -rf "$FAKE_DIR"
  mkdir -p "$FAKE_DIR"
  : >"$FAKE_DIR/calls.log"
}
expect_rc() { # want got
  if { [ "$1" = nonzero ] && [ "$2" -ne 0 ]; } || [ "$1" = "$2" ]; then ok; else ko "exit code $2, wanted $1"; fi
}
expect_in() { # file text...: every text occurs in file
  local f=$1 t
  shift
  for t in "$@"; do
    if grep -qF -- "$t" "$f"; then ok; else ko "$(basename "$f") lacks: $t"; fi
  done
}
expect_not_in() { # file text...
  local f=$1 t
  shift
  for t in "$@"; do
    if grep -qF -- "$t" "$f"; then ko "$(basename "$f") contains: $t"; else ok; fi
  done
}
expect_order() { # file text...: the texts occur on lines in this order
  if awk -v n=$# 'BEGIN { for (i = 2; i <= n; i++) want[i - 1] = ARGV[i]; ARGC = 2; k = 1 }
      k < n && index($0, want[k]) { k++ } END { exit (k == n ? 0 : 1) }' "$@"; then
    ok
  else
    ko "$(basename "$1") does not have, in this order: ${*:2}"
  fi
}
count() { grep -cF -- "$2" "$1" || true; }
expect_count() { # file text n
  local c
  c=$(count "$1" "$2")
  if [ "$c" = "$3" ]; then ok; else ko "$(basename "$1"): '$2' $c times, wanted $3"; fi
}
show_on_failure() { # print the run's output when this case failed something
  if [ "$FAILED" -gt "$1" ]; then
    sed 's/^/    | /' "$OUT" "$ERR" "$FAKE_DIR/calls.log" | tail -n 40
  fi
}

# ---------------------------------------------------------------- the scratch repository and the tools
REPO=$WORK/repo
FAKE_DIR=$WORK/fake
mkdir -p "$REPO/scripts" "$WORK/home" "$WORK/bin" "$WORK/tools" "$WORK/tools-nocurl"
for f in deploy.sh rollback.sh setup-env.sh railway-common.sh; do
  cp "$ROOT/scripts/$f" "$REPO/scripts/$f"
done
cp "$ROOT/railway.json" "$REPO/railway.json"
echo 'FROM scratch' >"$REPO/$(jq -r '.build.dockerfilePath // "Dockerfile"' "$ROOT/railway.json")"
# Stand-ins for the test and build scripts deploy.sh runs: they only say that they ran.
for s in test.sh build-static.sh; do
  # shellcheck disable=SC2016 # $FAKE_DIR expands when the stand-in runs
  printf '#!/usr/bin/env bash\necho "ran scripts/%s" >>"$FAKE_DIR/calls.log"\n' "$s" >"$REPO/scripts/$s"
  chmod +x "$REPO/scripts/$s"
done
ln -s "$HERE/fake-railway.sh" "$WORK/bin/railway"
ln -s "$HERE/fake-curl.sh" "$WORK/bin/curl"

# Only these tools are on the scripts' PATH: no real railway, and the real curl only where a case adds it.
for t in bash env dirname cat jq sed awk grep head tail tr date sleep git openssl mktemp rm; do
  p=$(command -v "$t") || { echo "test-deploy.sh needs '$t'"; exit 1; }
  ln -s "$p" "$WORK/tools/$t"
  ln -s "$p" "$WORK/tools-nocurl/$t"
done
ln -s "$HERE/fake-curl.sh" "$WORK/tools-nocurl/curl"

# Canned `railway deployment list --json` answers (newest first, as the CLI prints them).
list() { # name entries... ("id:STATUS")
  local name=$1 sep="" e
  shift
  {
    printf '['
    for e in "$@"; do
      printf '%s{"id":"%s","status":"%s","createdAt":"2026-01-01T00:00:00Z","meta":{}}' "$sep" "${e%%:*}" "${e#*:}"
      sep=,
    done
    printf ']\n'
  } >"$WORK/$name.json"
}
list building dep-new:BUILDING dep-old:SUCCESS
list deploying dep-new:DEPLOYING dep-old:SUCCESS
list success dep-new:SUCCESS dep-old:REMOVING
list failed dep-new:FAILED dep-old:SUCCESS
list history dep-3:SUCCESS dep-2:FAILED dep-1:REMOVED dep-0:REMOVED
list rolling dep-4:DEPLOYING dep-3:SUCCESS dep-2:FAILED dep-1:REMOVED
list rolled dep-4:SUCCESS dep-3:REMOVING dep-2:FAILED dep-1:REMOVED
list single dep-3:SUCCESS

OUT=$WORK/out
ERR=$WORK/err
TOKEN=rw-fake-token-0123456789abcdef
# run [NAME=VALUE...] script args...: runs a copied script in a clean environment; sets RC.
run() {
  local vars=()
  while [ $# -gt 0 ] && [[ $1 == *=* ]]; do
    vars+=("$1")
    shift
  done
  local script=$1
  shift
  timeout 60 env -i HOME="$WORK/home" PATH="$WORK/bin:$WORK/tools" FAKE_DIR="$FAKE_DIR" \
    POLL_INTERVAL=0 HEALTH_INTERVAL=0 HEALTH_ATTEMPTS=3 DEPLOY_TIMEOUT=30 \
    "${vars[@]}" "$BASH_BIN" "$REPO/scripts/$script" "$@" >"$OUT" 2>"$ERR" <"${STDIN:-/dev/null}"
  RC=$?
}

# ---------------------------------------------------------------- (a) deploy, the happy path
begin "deploy: checks, tests and build skipped, railway up, bounded wait, health check, exit 0"
f0=$FAILED
run RAILWAY_TOKEN=$TOKEN SKIP_TESTS=1 SKIP_BUILD=1 FAKE_LISTS="$WORK/building.json $WORK/deploying.json $WORK/success.json" deploy.sh
expect_rc 0 "$RC"
expect_in "$OUT" "skipped (SKIP_TESTS=1)" "skipped (SKIP_BUILD=1)" "deployment dep-new: BUILDING" \
  "deployment dep-new: SUCCESS" "https://hubspot-mcp-production.up.railway.app/health: healthy" \
  "deployed dep-new to production"
expect_not_in "$FAKE_DIR/calls.log" "ran scripts/test.sh" "ran scripts/build-static.sh"
expect_order "$FAKE_DIR/calls.log" "railway --version" \
  "railway up --detach --json --environment production --message deploy.sh" \
  "railway deployment list --json --limit 20 --environment production" \
  "railway status --json --environment production" \
  "curl -fsS --max-time 10 -H Accept:\ application/json https://hubspot-mcp-production.up.railway.app/health"
expect_count "$FAKE_DIR/calls.log" "railway deployment list" 3
expect_count "$FAKE_DIR/calls.log" "railway up" 1
expect_not_in "$OUT" "$TOKEN"
expect_not_in "$ERR" "$TOKEN"
show_on_failure "$f0"

begin "deploy: runs scripts/test.sh then scripts/build-static.sh first; RAILWAY_ENVIRONMENT, RAILWAY_SERVICE, DEPLOY_URL"
f0=$FAILED
run RAILWAY_TOKEN=$TOKEN RAILWAY_ENVIRONMENT=staging RAILWAY_SERVICE=mcp DEPLOY_URL=https://mcp.example.test/ \
  FAKE_LISTS="$WORK/success.json" deploy.sh
expect_rc 0 "$RC"
expect_order "$FAKE_DIR/calls.log" "ran scripts/test.sh" "ran scripts/build-static.sh" \
  "railway up --detach --json --environment staging --service mcp" \
  "railway deployment list --json --limit 20 --environment staging --service mcp" \
  "curl -fsS --max-time 10 -H Accept:\ application/json https://mcp.example.test/health"
expect_not_in "$FAKE_DIR/calls.log" "railway status"
show_on_failure "$f0"

begin "deploy: the environment argument wins over RAILWAY_ENVIRONMENT"
f0=$FAILED
run RAILWAY_TOKEN=$TOKEN RAILWAY_ENVIRONMENT=production SKIP_TESTS=1 SKIP_BUILD=1 FAKE_LISTS="$WORK/success.json" \
  deploy.sh staging
expect_rc 0 "$RC"
expect_in "$FAKE_DIR/calls.log" "railway up --detach --json --environment staging" \
  "curl -fsS --max-time 10 -H Accept:\ application/json https://hubspot-mcp-staging.up.railway.app/health"
show_on_failure "$f0"

begin "deploy: a health check that recovers within HEALTH_ATTEMPTS passes"
f0=$FAILED
run RAILWAY_TOKEN=$TOKEN SKIP_TESTS=1 SKIP_BUILD=1 FAKE_LISTS="$WORK/success.json" FAKE_HEALTH="down unhealthy healthy" \
  deploy.sh
expect_rc 0 "$RC"
expect_count "$FAKE_DIR/calls.log" "curl " 3
show_on_failure "$f0"

begin "deploy: healthy with HubSpot's first check still pending is not healthy yet"
f0=$FAILED
run RAILWAY_TOKEN=$TOKEN SKIP_TESTS=1 SKIP_BUILD=1 FAKE_LISTS="$WORK/success.json" FAKE_HEALTH="pending pending healthy" \
  deploy.sh
expect_rc 0 "$RC"
expect_count "$FAKE_DIR/calls.log" "curl " 3
expect_in "$OUT" "first dependency check pending"
show_on_failure "$f0"

begin "deploy: a first check that never comes fails the deploy"
f0=$FAILED
run RAILWAY_TOKEN=$TOKEN SKIP_TESTS=1 SKIP_BUILD=1 FAKE_LISTS="$WORK/success.json" FAKE_HEALTH=pending deploy.sh
expect_rc nonzero "$RC"
expect_in "$ERR" "health check failed"
show_on_failure "$f0"

# ---------------------------------------------------------------- (b) failures stop the run
begin "deploy: a failed health check exits non-zero, says how to roll back, and does nothing after it"
f0=$FAILED
run RAILWAY_TOKEN=$TOKEN SKIP_TESTS=1 SKIP_BUILD=1 FAKE_LISTS="$WORK/success.json" FAKE_HEALTH=unhealthy deploy.sh
expect_rc nonzero "$RC"
expect_in "$ERR" "health check failed"
expect_in "$OUT" "scripts/rollback.sh production"
expect_not_in "$OUT" "deployed dep-new"
expect_count "$FAKE_DIR/calls.log" "curl " 3
if [ "$(tail -n1 "$FAKE_DIR/calls.log" | cut -c1-5)" = "curl " ]; then ok; else ko "a call followed the failed health check"; fi
expect_not_in "$FAKE_DIR/calls.log" "railway api"
show_on_failure "$f0"

begin "deploy: \"degraded\" is not healthy"
f0=$FAILED
run RAILWAY_TOKEN=$TOKEN SKIP_TESTS=1 SKIP_BUILD=1 FAKE_LISTS="$WORK/success.json" FAKE_HEALTH=degraded deploy.sh
expect_rc nonzero "$RC"
expect_in "$ERR" "health check failed"
show_on_failure "$f0"

begin "deploy: a FAILED deployment stops before the health check"
f0=$FAILED
run RAILWAY_TOKEN=$TOKEN SKIP_TESTS=1 SKIP_BUILD=1 FAKE_LISTS="$WORK/building.json $WORK/failed.json" deploy.sh
expect_rc nonzero "$RC"
expect_in "$ERR" "railway logs --build dep-new" "did not become active"
expect_in "$OUT" "scripts/rollback.sh production"
expect_not_in "$FAKE_DIR/calls.log" "curl " "railway status"
show_on_failure "$f0"

begin "deploy: the wait is bounded (DEPLOY_TIMEOUT)"
f0=$FAILED
run RAILWAY_TOKEN=$TOKEN SKIP_TESTS=1 SKIP_BUILD=1 DEPLOY_TIMEOUT=0 FAKE_LISTS="$WORK/building.json" deploy.sh
expect_rc nonzero "$RC"
expect_in "$ERR" "gave up waiting after 0s"
expect_not_in "$FAKE_DIR/calls.log" "curl "
show_on_failure "$f0"

begin "deploy: a failed railway up stops the run"
f0=$FAILED
run RAILWAY_TOKEN=$TOKEN SKIP_TESTS=1 SKIP_BUILD=1 FAKE_UP_FAIL=1 FAKE_LISTS="$WORK/success.json" deploy.sh
expect_rc nonzero "$RC"
expect_in "$ERR" "railway up failed"
expect_not_in "$FAKE_DIR/calls.log" "railway deployment list" "curl "
show_on_failure "$f0"

# ---------------------------------------------------------------- (c) no RAILWAY_TOKEN, (d) no railway CLI
for script in deploy.sh rollback.sh setup-env.sh; do
  begin "$script without RAILWAY_TOKEN: refuses, and railway is never called"
  f0=$FAILED
  STDIN=/dev/null run FAKE_LISTS="$WORK/success.json" JWT_ISSUER=https://auth.example.test "$script"
  expect_rc nonzero "$RC"
  expect_in "$ERR" "RAILWAY_TOKEN is not set"
  if [ -s "$FAKE_DIR/calls.log" ]; then ko "something was called: $(head -n1 "$FAKE_DIR/calls.log")"; else ok; fi
  show_on_failure "$f0"

  begin "$script without the railway CLI on PATH: refuses clearly"
  f0=$FAILED
  timeout 60 env -i HOME="$WORK/home" PATH="$WORK/tools-nocurl" FAKE_DIR="$FAKE_DIR" RAILWAY_TOKEN=$TOKEN \
    JWT_ISSUER=https://auth.example.test "$BASH_BIN" "$REPO/scripts/$script" >"$OUT" 2>"$ERR" </dev/null
  RC=$?
  expect_rc nonzero "$RC"
  expect_in "$ERR" "the Railway CLI ('railway') is not on PATH" "npm i -g @railway/cli"
  expect_not_in "$ERR" "$TOKEN"
  show_on_failure "$f0"
done

begin "--help prints the script's usage and calls nothing"
f0=$FAILED
for script in deploy.sh rollback.sh setup-env.sh; do
  run "$script" --help
  expect_rc 0 "$RC"
  expect_in "$OUT" "scripts/$script ["
done
if [ -s "$FAKE_DIR/calls.log" ]; then ko "something was called: $(head -n1 "$FAKE_DIR/calls.log")"; else ok; fi
show_on_failure "$f0"

begin "a bound that is not a number is refused (the waits stay bounded)"
f0=$FAILED
run RAILWAY_TOKEN=$TOKEN DEPLOY_TIMEOUT=soon FAKE_LISTS="$WORK/success.json" deploy.sh
expect_rc nonzero "$RC"
expect_in "$ERR" "DEPLOY_TIMEOUT must be a whole number"
show_on_failure "$f0"

# ---------------------------------------------------------------- (e) rollback
begin "rollback: picks the previous good deployment, rolls back with railway api, waits, health-checks"
f0=$FAILED
run RAILWAY_TOKEN=$TOKEN FAKE_UP_ID=dep-4 FAKE_LISTS="$WORK/history.json $WORK/rolling.json $WORK/rolled.json" \
  rollback.sh
expect_rc 0 "$RC"
expect_in "$OUT" "live: dep-3; rolling back to: dep-1" "deployment dep-4: SUCCESS" \
  "rolled back production to dep-1 (now running as dep-4)"
expect_order "$FAKE_DIR/calls.log" \
  "railway deployment list --json --limit 20 --environment production" \
  "railway api mutation\ rollback\(\\\$id:\ String\!\)\ \{\ deploymentRollback\(id:\ \\\$id\)\ \} --raw-var id=dep-1" \
  "railway deployment list --json --limit 20 --environment production" \
  "railway status --json --environment production" \
  "curl -fsS --max-time 10"
expect_count "$FAKE_DIR/calls.log" "railway api" 1
expect_not_in "$FAKE_DIR/calls.log" "railway up" "railway redeploy"
show_on_failure "$f0"

begin "rollback: an explicit deployment id and environment"
f0=$FAILED
run RAILWAY_TOKEN=$TOKEN FAKE_LISTS="$WORK/history.json $WORK/rolled.json" rollback.sh staging dep-0
expect_rc 0 "$RC"
expect_in "$FAKE_DIR/calls.log" "--raw-var id=dep-0" "railway deployment list --json --limit 20 --environment staging"
show_on_failure "$f0"

begin "rollback: nothing older than the live deployment: refuses, no mutation"
f0=$FAILED
run RAILWAY_TOKEN=$TOKEN FAKE_LISTS="$WORK/single.json" rollback.sh
expect_rc nonzero "$RC"
expect_in "$ERR" "no previous successful deployment"
expect_not_in "$FAKE_DIR/calls.log" "railway api"
show_on_failure "$f0"

begin "rollback: Railway refusing the mutation stops before waiting"
f0=$FAILED
run RAILWAY_TOKEN=$TOKEN FAKE_API_RESPONSE='{"data":{"deploymentRollback":false}}' \
  FAKE_LISTS="$WORK/history.json $WORK/rolled.json" rollback.sh
expect_rc nonzero "$RC"
expect_in "$ERR" "did not confirm the rollback of dep-1"
expect_count "$FAKE_DIR/calls.log" "railway deployment list" 1
expect_not_in "$FAKE_DIR/calls.log" "curl "
show_on_failure "$f0"

begin "rollback: a failing railway api says how to roll back by hand"
f0=$FAILED
run RAILWAY_TOKEN=$TOKEN FAKE_API_EXIT=1 FAKE_API_RESPONSE='{"errors":[{"message":"Not Authorized"}]}' \
  FAKE_LISTS="$WORK/history.json $WORK/rolled.json" rollback.sh
expect_rc nonzero "$RC"
expect_in "$ERR" "Not Authorized" "Deployments > dep-1 > Rollback"
expect_not_in "$FAKE_DIR/calls.log" "curl "
show_on_failure "$f0"

begin "rollback: an unhealthy result exits non-zero"
f0=$FAILED
run RAILWAY_TOKEN=$TOKEN FAKE_HEALTH=unhealthy FAKE_LISTS="$WORK/history.json $WORK/rolled.json" rollback.sh
expect_rc nonzero "$RC"
expect_in "$ERR" "does not answer \"status\": \"healthy\""
show_on_failure "$f0"

# ---------------------------------------------------------------- (f) setup-env.sh and secrets
HS_SECRET=pat-na1-11111111-2222-3333-4444-555555555555-fake
JWT_GIVEN=jwt-secret-given-on-stdin-0123456789-abcdefghij
printf '%s\n%s\n' "$HS_SECRET" "$JWT_GIVEN" >"$WORK/secrets.in"
printf '%s\n\n' "$HS_SECRET" >"$WORK/secrets-generate.in"
printf 'too-short\n\n' >"$WORK/secrets-short.in"

begin "setup-env: every variable set, secrets only through --stdin, never printed or on a command line"
f0=$FAILED
STDIN=$WORK/secrets.in run RAILWAY_TOKEN=$TOKEN JWT_ISSUER=https://auth.example.test setup-env.sh
expect_rc 0 "$RC"
for kv in NODE_ENV=production PORT=3000 HOST=:: MCP_TRUST_PROXY_HOPS=1 JWT_ISSUER=https://auth.example.test \
  JWT_AUDIENCE=hubspot-mcp-server JWKS_CACHE_TTL=3600 HUBSPOT_API_BASE_URL=https://api.hubapi.com \
  HUBSPOT_RATE_LIMIT=10 'CORS_ORIGIN=https://claude.ai\,https://cursor.sh' RATE_LIMIT_WINDOW_MS=900000 \
  RATE_LIMIT_MAX=1000 SESSION_MAX_AGE=1800000 SESSION_CLEANUP_INTERVAL=300000 LOG_LEVEL=info \
  METRICS_ENABLED=true HEALTH_CHECK_ENABLED=true; do
  expect_in "$FAKE_DIR/calls.log" " $kv "
done
expect_in "$FAKE_DIR/calls.log" "--environment production --skip-deploys" \
  "railway variable set HUBSPOT_ACCESS_TOKEN --stdin --environment production --skip-deploys" \
  "railway variable set JWT_SECRET --stdin --environment production --skip-deploys"
for f in "$OUT" "$ERR" "$FAKE_DIR/calls.log"; do
  expect_not_in "$f" "$HS_SECRET" "$JWT_GIVEN" "$TOKEN"
done
if [ "$(cat "$FAKE_DIR/stdin.HUBSPOT_ACCESS_TOKEN" 2>/dev/null)" = "$HS_SECRET" ]; then ok; else ko "HUBSPOT_ACCESS_TOKEN did not reach railway's stdin intact"; fi
if [ "$(cat "$FAKE_DIR/stdin.JWT_SECRET" 2>/dev/null)" = "$JWT_GIVEN" ]; then ok; else ko "JWT_SECRET did not reach railway's stdin intact"; fi
expect_in "$OUT" "Seal" "HUBSPOT_ACCESS_TOKEN (value not shown)"
show_on_failure "$f0"

begin "setup-env: an empty JWT_SECRET line generates one with openssl, shown nowhere; staging defaults"
f0=$FAILED
STDIN=$WORK/secrets-generate.in run RAILWAY_TOKEN=$TOKEN RAILWAY_SERVICE=mcp JWT_SECRET_FILE="$WORK/jwt.secret" \
  setup-env.sh staging
expect_rc 0 "$RC"
GENERATED=$(cat "$FAKE_DIR/stdin.JWT_SECRET" 2>/dev/null)
if [ "${#GENERATED}" -ge 32 ]; then ok; else ko "generated JWT_SECRET is ${#GENERATED} characters"; fi
if [ "$(cat "$WORK/jwt.secret" 2>/dev/null)" = "$GENERATED" ]; then ok; else ko "JWT_SECRET_FILE does not hold the secret set"; fi
if [ "$(stat -c %a "$WORK/jwt.secret" 2>/dev/null)" = 600 ]; then ok; else ko "JWT_SECRET_FILE is not mode 600"; fi
if [ -n "$GENERATED" ]; then
  for f in "$OUT" "$ERR" "$FAKE_DIR/calls.log"; do expect_not_in "$f" "$GENERATED" "$HS_SECRET"; done
fi
expect_in "$FAKE_DIR/calls.log" " NODE_ENV=staging " " LOG_LEVEL=debug " "--environment staging --service mcp --skip-deploys"
expect_not_in "$FAKE_DIR/calls.log" "JWT_ISSUER="
show_on_failure "$f0"

begin "setup-env: production without JWT_ISSUER refuses before changing anything"
f0=$FAILED
STDIN=$WORK/secrets.in run RAILWAY_TOKEN=$TOKEN setup-env.sh production
expect_rc nonzero "$RC"
expect_in "$ERR" "JWT_ISSUER is required in production"
expect_not_in "$FAKE_DIR/calls.log" "railway variable"
show_on_failure "$f0"

begin "setup-env: a token too short to be a HubSpot token is refused without being echoed"
f0=$FAILED
STDIN=$WORK/secrets-short.in run RAILWAY_TOKEN=$TOKEN JWT_ISSUER=https://auth.example.test setup-env.sh
expect_rc nonzero "$RC"
expect_in "$ERR" "is 9 characters long"
expect_not_in "$ERR" "too-short"
expect_not_in "$OUT" "too-short"
expect_not_in "$FAKE_DIR/calls.log" "railway variable"
show_on_failure "$f0"

# ---------------------------------------------------------------- (g) the real curl against a real /health
if command -v python3 >/dev/null 2>&1 && command -v curl >/dev/null 2>&1; then
  mkdir -p "$WORK/tools-realcurl"
  for t in "$WORK"/tools/*; do ln -s "$(readlink "$t")" "$WORK/tools-realcurl/$(basename "$t")"; done
  ln -s "$(command -v curl)" "$WORK/tools-realcurl/curl"
  ln -s "$HERE/fake-railway.sh" "$WORK/tools-realcurl/railway"
  echo healthy >"$WORK/health.mode"
  # /health answers as the server does: 200 {"status":"healthy"} or 503 {"status":"unhealthy"}.
  # Loopback only; the server exits by itself after 120 s whatever happens.
  timeout 120 python3 -c '
import http.server, sys
mode_file, port_file = sys.argv[1], sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        mode = open(mode_file).read().strip()
        body = ("{\"status\":\"%s\",\"version\":\"0.1.0\",\"deployment\":{\"id\":\"dep-new\"}}" % mode).encode()
        self.send_response(200 if mode == "healthy" and self.path == "/health" else 503)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
open(port_file, "w").write(str(s.server_address[1]))
s.serve_forever()
' "$WORK/health.mode" "$WORK/health.port" &
  SERVER_PID=$!
  for _ in $(seq 1 100); do [ -s "$WORK/health.port" ] && break; sleep 0.05; done
  PORT=$(cat "$WORK/health.port" 2>/dev/null || true)

  for mode in healthy unhealthy; do
    begin "deploy with the real curl against a $mode /health on 127.0.0.1"
    f0=$FAILED
    echo "$mode" >"$WORK/health.mode"
    timeout 60 env -i HOME="$WORK/home" PATH="$WORK/tools-realcurl" FAKE_DIR="$FAKE_DIR" RAILWAY_TOKEN=$TOKEN \
      SKIP_TESTS=1 SKIP_BUILD=1 FAKE_LISTS="$WORK/success.json" DEPLOY_URL="http://127.0.0.1:${PORT:-1}" \
      POLL_INTERVAL=0 HEALTH_INTERVAL=0 HEALTH_ATTEMPTS=2 HEALTH_TIMEOUT=5 \
      "$BASH_BIN" "$REPO/scripts/deploy.sh" >"$OUT" 2>"$ERR" </dev/null
    RC=$?
    if [ "$mode" = healthy ]; then
      expect_rc 0 "$RC"
      expect_in "$OUT" "http://127.0.0.1:${PORT:-1}/health: healthy (version 0.1.0, deployment dep-new)"
    else
      expect_rc nonzero "$RC"
      expect_in "$ERR" "health check failed"
    fi
    show_on_failure "$f0"
  done
else
  begin "real curl against a real /health"
  ko "python3 and curl are needed for this case"
fi

echo
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
