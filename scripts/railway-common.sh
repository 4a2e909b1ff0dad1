# shellcheck shell=bash
# Helpers shared by scripts/deploy.sh, scripts/rollback.sh and scripts/setup-env.sh: sourced, never run.
#
# Railway CLI commands used here, as documented for railway 5.x (checked against the source of
# railwayapp 5.71.0 and docs.railway.com/cli):
#   railway deployment list --json --limit N --environment E [--service S]   -> [{id,status,createdAt,meta}], newest first
#   railway status --json --environment E      -> the project, its environment's service instances and their domains
# Nothing here prints a variable's value, a token or a secret, and nothing turns on `set -x`.

say() { printf '%s\n' "$*"; }
step() { printf '\n==> %s\n' "$*"; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

# The token is only tested for presence: its value is never printed.
require_token() {
  if [ -z "${RAILWAY_TOKEN:-}" ]; then
    die "RAILWAY_TOKEN is not set. Create a project token (Railway dashboard > your project > Settings > Tokens,
       for the environment you deploy to) and export it: export RAILWAY_TOKEN=...   (it is never printed)"
  fi
}

require_railway_cli() {
  command -v railway >/dev/null 2>&1 ||
    die "the Railway CLI ('railway') is not on PATH. Install it: npm i -g @railway/cli  (or: brew install railway),
       then check with: railway --version"
}

warn_no_service() {
  [ -n "${RAILWAY_SERVICE:-}" ] ||
    say "   RAILWAY_SERVICE is not set: the railway CLI uses the service linked to this directory"
}

require_cmd() { # name why
  command -v "$1" >/dev/null 2>&1 || die "'$1' is not on PATH: $2"
}

# Environment name: first argument, else $RAILWAY_ENVIRONMENT, else production.
resolve_environment() {
  local env=${1:-${RAILWAY_ENVIRONMENT:-production}}
  case $env in
    '' | -*) die "bad environment name: '$env'" ;;
  esac
  printf '%s' "$env"
}

# --service flag when RAILWAY_SERVICE names one. Without it the CLI uses the service linked to this directory
# (`railway service link`), and stops when there is none and its output is not a terminal.
SERVICE_ARGS=()
if [ -n "${RAILWAY_SERVICE:-}" ]; then
  SERVICE_ARGS=(--service "$RAILWAY_SERVICE")
fi

# Bounds, overridable (the tests set the intervals to 0).
DEPLOY_TIMEOUT=${DEPLOY_TIMEOUT:-900}   # seconds to wait for a deployment to reach SUCCESS
POLL_INTERVAL=${POLL_INTERVAL:-10}      # seconds between two `railway deployment list` calls
HEALTH_TIMEOUT=${HEALTH_TIMEOUT:-10}    # curl --max-time for one /health request
HEALTH_ATTEMPTS=${HEALTH_ATTEMPTS:-6}   # /health requests before giving up
HEALTH_INTERVAL=${HEALTH_INTERVAL:-5}   # seconds between two /health requests
for bound in DEPLOY_TIMEOUT POLL_INTERVAL HEALTH_TIMEOUT HEALTH_ATTEMPTS HEALTH_INTERVAL; do
  [[ ${!bound} =~ ^[0-9]+$ ]] || die "$bound must be a whole number of seconds (or attempts), not '${!bound}'"
done
[ "$HEALTH_ATTEMPTS" -ge 1 ] || die "HEALTH_ATTEMPTS must be at least 1"

# -h / --help: the calling script's header comment.
usage_if_asked() {
  case ${1:-} in
    -h | --help)
      sed -n '2,/^set -euo pipefail/{/^set -euo/d;s/^# \{0,1\}//;p}' "scripts/${0##*/}"
      exit 0
      ;;
  esac
}

deployments_json() { # env -> JSON array, newest first
  railway deployment list --json --limit 20 --environment "$1" "${SERVICE_ARGS[@]}"
}

# Polls `railway deployment list` until the deployment chosen by JQ_PICK reaches a final state.
# JQ_PICK is a jq expression over the list (with $id, $pre and $target bound) yielding one deployment object.
# Returns 0 on SUCCESS/SLEEPING, 1 on a failed state, 2 on timeout. Prints each status change, and leaves the id
# of the deployment it followed in DEPLOYMENT_ID (read by rollback.sh).
DEPLOYMENT_ID=""
# shellcheck disable=SC2034 # DEPLOYMENT_ID is the callers'
wait_for_deployment() { # env jq_pick id pre target
  local env=$1 pick=$2 id=${3:-} pre=${4:-} target=${5:-}
  local start now last="" line dep_id status list
  start=$(date +%s)
  while :; do
    if list=$(deployments_json "$env" 2>/dev/null) &&
      line=$(jq -r --arg id "$id" --arg pre "$pre" --arg target "$target" \
        "($pick) // empty | \"\(.id) \(.status)\"" <<<"$list" 2>/dev/null) && [ -n "$line" ]; then
      dep_id=${line%% *}
      status=${line#* }
      if [ "$line" != "$last" ]; then
        say "   deployment $dep_id: $status"
        last=$line
      fi
      case $status in
        SUCCESS | SLEEPING)
          DEPLOYMENT_ID=$dep_id
          return 0
          ;;
        FAILED | CRASHED | REMOVED | REMOVING | SKIPPED)
          DEPLOYMENT_ID=$dep_id
          warn "deployment $dep_id ended $status. Build logs: railway logs --build $dep_id   Deploy logs: railway logs $dep_id"
          return 1
          ;;
        NEEDS_APPROVAL)
          DEPLOYMENT_ID=$dep_id
          warn "deployment $dep_id waits for an approval in the Railway dashboard"
          return 1
          ;;
      esac
    fi
    now=$(date +%s)
    if [ $((now - start)) -ge "$DEPLOY_TIMEOUT" ]; then
      warn "gave up waiting after ${DEPLOY_TIMEOUT}s (DEPLOY_TIMEOUT); last seen: ${last:-nothing}"
      return 2
    fi
    sleep "$POLL_INTERVAL"
  done
}

# Public base URL of the service: $DEPLOY_URL, else the first custom then Railway domain of the service
# instance in `railway status --json` (the service named by RAILWAY_SERVICE, or any service of the environment).
resolve_url() { # env
  if [ -n "${DEPLOY_URL:-}" ]; then
    printf '%s' "${DEPLOY_URL%/}"
    return 0
  fi
  local status domain
  status=$(railway status --json --environment "$1") || return 1
  domain=$(jq -r --arg env "$1" --arg svc "${RAILWAY_SERVICE:-}" '
    [ .environments.edges[]?.node | select(.name == $env)
      | .serviceInstances.edges[]?.node | select($svc == "" or .serviceName == $svc)
      | (.domains.customDomains[]?.domain, .domains.serviceDomains[]?.domain) ]
    | map(select(. != null and . != "")) | first // empty' <<<"$status") || return 1
  [ -n "$domain" ] || return 1
  printf 'https://%s' "$domain"
}

# GET $1/health until it answers 200 with "status": "healthy" and no dependency still waiting for its first
# check (HEALTH_ATTEMPTS tries, HEALTH_TIMEOUT each). The server starts its dependency checks 1 s after it
# starts and says "first check pending" until then (src/health/probes.rs): a healthy answer in that second
# says nothing yet about the HubSpot token.
HEALTH_READY='.status == "healthy" and ([.dependencies[]? | (.detail? // "") | strings
  | select(startswith("first check pending"))] | length == 0)'
HEALTH_SAYS='if .status == "healthy" then "healthy, first dependency check pending" else .status // empty end'
health_check() { # base_url
  local url="$1/health" body attempt=1
  while :; do
    if body=$(curl -fsS --max-time "$HEALTH_TIMEOUT" -H 'Accept: application/json' "$url") &&
      jq -e "$HEALTH_READY" >/dev/null 2>&1 <<<"$body"; then
      say "   $url: healthy (version $(jq -r '.version // "?"' <<<"$body"), deployment $(jq -r '.deployment.id // "?"' <<<"$body"))"
      return 0
    fi
    say "   $url: not healthy yet (attempt $attempt/$HEALTH_ATTEMPTS)${body:+: $(jq -r "$HEALTH_SAYS" <<<"$body" 2>/dev/null)}"
    [ "$attempt" -ge "$HEALTH_ATTEMPTS" ] && return 1
    attempt=$((attempt + 1))
    body=""
    sleep "$HEALTH_INTERVAL"
  done
}
