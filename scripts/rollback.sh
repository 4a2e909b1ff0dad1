#!/usr/bin/env bash
# Rolls the Railway service back to its previous good deployment and proves it healthy: the original design's
# rollback.sh (section 8.2) with today's Railway CLI.
#
#   scripts/rollback.sh [environment] [deployment-id]
#       environment: the argument, else $RAILWAY_ENVIRONMENT, else production
#       deployment-id: the deployment to return to; default: the newest deployment older than the live one
#                      that ran successfully (status SUCCESS, SLEEPING, or REMOVED once replaced)
#
# The original's `railway deployments list` and `railway rollback` do not exist in the Railway CLI (5.x has
# `railway deployment list`, and `railway redeploy` only redeploys the latest deployment). The rollback is
# Railway's own, the one behind the dashboard's Rollback button: the public API mutation
# deploymentRollback(id: String!): Boolean!, sent with the CLI's authenticated `railway api` command.
# Then, as deploy.sh: a bounded wait for the rolled-back deployment and GET /health requiring "healthy".
#
# Environment: RAILWAY_TOKEN (required; never printed), RAILWAY_SERVICE, DEPLOY_URL, DEPLOY_TIMEOUT,
# POLL_INTERVAL, HEALTH_ATTEMPTS, HEALTH_INTERVAL, HEALTH_TIMEOUT (see scripts/deploy.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/railway-common.sh
. scripts/railway-common.sh
usage_if_asked "${1:-}"

ENVIRONMENT=$(resolve_environment "${1:-}")
TARGET=${2:-}

step "[1/4] checks (environment: $ENVIRONMENT${RAILWAY_SERVICE:+, service: $RAILWAY_SERVICE})"
require_token
require_railway_cli
warn_no_service
require_cmd jq "install it (apt-get install jq, brew install jq): the Railway CLI's JSON is read with it"
require_cmd curl "install it (apt-get install curl): the health check uses it"
say "   railway CLI: $(railway --version 2>/dev/null || echo unknown); token: set"

step "[2/4] find the deployment to return to"
LIST=$(deployments_json "$ENVIRONMENT") || die "railway deployment list failed (see above)"
jq -e 'type == "array"' >/dev/null 2>&1 <<<"$LIST" || die "railway deployment list --json did not print a JSON array"
say "   recent deployments (newest first):"
jq -r '.[:6][] | "     \(.id)  \(.status)  \(.createdAt // "")"' <<<"$LIST"
NEWEST=$(jq -r '.[0].id // empty' <<<"$LIST")
LIVE=$(jq -r 'map(select(.status == "SUCCESS" or .status == "SLEEPING")) | first | .id // empty' <<<"$LIST")
if [ -z "$TARGET" ]; then
  TARGET=$(jq -r '
    (to_entries | map(select(.value.status == "SUCCESS" or .value.status == "SLEEPING")) | first | .key) as $live
    | (if $live == null then . else .[($live + 1):] end)
    | map(select(.status == "SUCCESS" or .status == "SLEEPING" or .status == "REMOVED")) | first | .id // empty' <<<"$LIST")
  [ -n "$TARGET" ] || die "no previous successful deployment in the last 20: nothing to roll back to"
fi
[ "$TARGET" != "$LIVE" ] || die "deployment $TARGET is the live one already"
say "   live: ${LIVE:-none}; rolling back to: $TARGET"

step "[3/4] roll back to $TARGET"
# shellcheck disable=SC2016 # GraphQL and jq below: $id, $pre, $target are theirs, not the shell's
RESULT=$(railway api 'mutation rollback($id: String!) { deploymentRollback(id: $id) }' --raw-var "id=$TARGET") ||
  die "railway api deploymentRollback failed${RESULT:+: $RESULT} (\`railway api\` needs a current CLI:
       npm i -g @railway/cli). By hand: the Railway dashboard > the service > Deployments > $TARGET > Rollback."
jq -e '.data.deploymentRollback == true' >/dev/null 2>&1 <<<"$RESULT" ||
  die "Railway did not confirm the rollback of $TARGET: $RESULT"
say "   Railway accepted the rollback"

# Railway starts a new deployment from $TARGET's image and variables (or revives $TARGET itself):
# follow whichever shows up first.
step "[4/4] wait (at most ${DEPLOY_TIMEOUT}s, every ${POLL_INTERVAL}s), then health check"
# shellcheck disable=SC2016
PICK='if (.[0].id // "") != $pre then .[0]
      else map(select(.id == $target and (.status == "SUCCESS" or .status == "SLEEPING"))) | first end'
if ! wait_for_deployment "$ENVIRONMENT" "$PICK" "" "$NEWEST" "$TARGET"; then
  die "the rollback to $TARGET did not become active: see the Railway dashboard (the service > Deployments)"
fi
URL=$(resolve_url "$ENVIRONMENT") ||
  die "no public URL for the service: generate one (railway domain) or set DEPLOY_URL=https://your.domain"
health_check "$URL" || die "after the rollback, $URL/health does not answer \"status\": \"healthy\""

say ""
say "rolled back $ENVIRONMENT to $TARGET (now running as $DEPLOYMENT_ID): $URL/health is healthy"
