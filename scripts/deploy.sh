#!/usr/bin/env bash
# Deploys hubspot-mcp to Railway and proves it healthy: the original design's deploy.sh (section 8.1)
# for the static Rust binary.
#
#   scripts/deploy.sh [environment]      environment: the argument, else $RAILWAY_ENVIRONMENT, else production
#
# Steps: checks (RAILWAY_TOKEN, railway, jq, curl, railway.json's Dockerfile) -> scripts/test.sh
# (SKIP_TESTS=1 skips) -> scripts/build-static.sh if present (SKIP_BUILD=1 skips) -> `railway up --detach
# --json` -> wait for that deployment (bounded poll of `railway deployment list --json`) -> GET /health on the
# public URL, which must answer "status": "healthy". Exits non-zero at the first failure, saying how to roll back.
#
# Environment: RAILWAY_TOKEN (required, a project token; never printed), RAILWAY_SERVICE (service name, when the
# project has several), DEPLOY_URL (public base URL; default: the service's domain from `railway status --json`),
# DEPLOY_TIMEOUT (900 s), POLL_INTERVAL (10 s), HEALTH_ATTEMPTS (6), HEALTH_INTERVAL (5 s), HEALTH_TIMEOUT (10 s).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/railway-common.sh
. scripts/railway-common.sh
usage_if_asked "${1:-}"

ENVIRONMENT=$(resolve_environment "${1:-}")

step "[1/6] checks (environment: $ENVIRONMENT${RAILWAY_SERVICE:+, service: $RAILWAY_SERVICE})"
require_token
require_railway_cli
warn_no_service
require_cmd jq "install it (apt-get install jq, brew install jq): the Railway CLI's JSON is read with it"
require_cmd curl "install it (apt-get install curl): the health check uses it"
[ -f railway.json ] || die "railway.json is missing: Railway would not know how to build the image"
DOCKERFILE=$(jq -r '.build.dockerfilePath // "Dockerfile"' railway.json)
[ -f "$DOCKERFILE" ] || die "railway.json builds with $DOCKERFILE, which is not in $(pwd)"
say "   railway CLI: $(railway --version 2>/dev/null || echo unknown)"
say "   builds with $DOCKERFILE (railway.json); token: set"

step "[2/6] tests"
if [ "${SKIP_TESTS:-0}" = 1 ]; then
  say "   skipped (SKIP_TESTS=1): deploying without running scripts/test.sh"
else
  scripts/test.sh
fi

step "[3/6] build"
if [ "${SKIP_BUILD:-0}" = 1 ]; then
  say "   skipped (SKIP_BUILD=1): Railway still builds $DOCKERFILE itself"
elif [ -x scripts/build-static.sh ]; then
  scripts/build-static.sh
else
  say "   scripts/build-static.sh not found: no local build; Railway builds $DOCKERFILE itself"
fi

step "[4/6] railway up (environment $ENVIRONMENT)"
MESSAGE="deploy.sh"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  MESSAGE="deploy.sh $(git rev-parse --short HEAD 2>/dev/null || echo '(no commit)')"
  git diff --quiet HEAD 2>/dev/null || MESSAGE="$MESSAGE + uncommitted changes"
fi
UP_OUT=$(railway up --detach --json --environment "$ENVIRONMENT" "${SERVICE_ARGS[@]}" --message "$MESSAGE") ||
  die "railway up failed (see above). Nothing was deployed."
# --detach --json prints {"deploymentId": ..., "logsUrl": ...}; other lines, if any, are not JSON objects.
up_field() { sed -n 's/^[[:space:]]*\({.*}\)[[:space:]]*$/\1/p' <<<"$UP_OUT" | jq -r ".$1 // empty" 2>/dev/null | tail -n1; }
NEW_ID=$(up_field deploymentId || true)
[ -n "$NEW_ID" ] || die "railway up did not print a deploymentId (an old railway CLI? update it: npm i -g @railway/cli); it printed:
$UP_OUT"
LOGS_URL=$(up_field logsUrl || true)
say "   deployment $NEW_ID uploaded; build logs: ${LOGS_URL:-railway logs --build $NEW_ID}"

rollback_hint() {
  say ""
  say "To return to the previous deployment: scripts/rollback.sh $ENVIRONMENT"
  say "(or in the Railway dashboard: the service > Deployments > the previous deployment > Rollback)"
}

step "[5/6] wait for deployment $NEW_ID (at most ${DEPLOY_TIMEOUT}s, every ${POLL_INTERVAL}s)"
# shellcheck disable=SC2016 # a jq program: $id is jq's, not the shell's
if ! wait_for_deployment "$ENVIRONMENT" 'map(select(.id == $id)) | first' "$NEW_ID"; then
  rollback_hint
  die "deployment $NEW_ID did not become active"
fi

step "[6/6] health check"
URL=$(resolve_url "$ENVIRONMENT") ||
  die "no public URL for the service: generate one (railway domain) or set DEPLOY_URL=https://your.domain"
if ! health_check "$URL"; then
  rollback_hint
  die "health check failed: $URL/health did not answer \"status\": \"healthy\""
fi

say ""
say "deployed $NEW_ID to $ENVIRONMENT: $URL/health is healthy (MCP endpoint: $URL/mcp)"
