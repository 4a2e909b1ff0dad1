#!/usr/bin/env bash
# Sets the service variables of one Railway environment: the original design's setup script (section 3.1),
# with this server's names (docs/configuration.md) and values.
#
#   JWT_ISSUER=https://auth.example.com scripts/setup-env.sh [environment]
#       environment: the argument, else $RAILWAY_ENVIRONMENT, else production
#
# Secrets are read from standard input, without echo (`read -rs`), one per line, in this order:
#   1. HUBSPOT_ACCESS_TOKEN   the HubSpot private app token (at least 40 characters)
#   2. JWT_SECRET             HS256 secret, at least 32 characters; an empty line generates one with openssl
#                             (shown nowhere; JWT_SECRET_FILE=path saves it, mode 600, for your token issuer)
# They reach Railway through `railway variable set KEY --stdin`, so they are in no command line, no output and no
# log. The Railway CLI cannot seal a variable (railway 5.x has no such option): the script ends by saying how to
# seal them in the dashboard.
#
# Every other value has the default below; set the same name in the environment to change it (NODE_ENV follows
# the Railway environment: production -> production, anything else -> staging). Values without a sensible
# default come from the environment: JWT_ISSUER (required in production), and, if set, JWKS_URI, MCP_PUBLIC_URL,
# MCP_ALLOWED_HOSTS. Variables are set with --skip-deploys: run scripts/deploy.sh afterwards.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/railway-common.sh
. scripts/railway-common.sh
usage_if_asked "${1:-}"

ENVIRONMENT=$(resolve_environment "${1:-}")
case $ENVIRONMENT in
  production) NODE_ENV_VALUE=production DEFAULT_LOG_LEVEL=info ;;
  *) NODE_ENV_VALUE=staging DEFAULT_LOG_LEVEL=debug ;;
esac

step "[1/4] checks (environment: $ENVIRONMENT, NODE_ENV=$NODE_ENV_VALUE${RAILWAY_SERVICE:+, service: $RAILWAY_SERVICE})"
require_token
require_railway_cli
warn_no_service

# Plain variables, in the original design's order. HOST "::" listens on IPv4 and IPv6 (Railway's private network
# is IPv6); MCP_TRUST_PROXY_HOPS=1 takes the client address from the X-Forwarded-For Railway's proxy appends.
PLAIN=(
  "NODE_ENV=$NODE_ENV_VALUE"
  "PORT=${PORT:-3000}"
  "HOST=${HOST:-::}"
  "MCP_TRUST_PROXY_HOPS=${MCP_TRUST_PROXY_HOPS:-1}"
  "JWT_AUDIENCE=${JWT_AUDIENCE:-hubspot-mcp-server}"
  "JWKS_CACHE_TTL=${JWKS_CACHE_TTL:-3600}"
  "HUBSPOT_API_BASE_URL=${HUBSPOT_API_BASE_URL:-https://api.hubapi.com}"
  "HUBSPOT_RATE_LIMIT=${HUBSPOT_RATE_LIMIT:-10}"
  "CORS_ORIGIN=${CORS_ORIGIN:-https://claude.ai,https://cursor.sh}"
  "RATE_LIMIT_WINDOW_MS=${RATE_LIMIT_WINDOW_MS:-900000}"
  "RATE_LIMIT_MAX=${RATE_LIMIT_MAX:-1000}"
  "SESSION_MAX_AGE=${SESSION_MAX_AGE:-1800000}"
  "SESSION_CLEANUP_INTERVAL=${SESSION_CLEANUP_INTERVAL:-300000}"
  "LOG_LEVEL=${LOG_LEVEL:-$DEFAULT_LOG_LEVEL}"
  "METRICS_ENABLED=${METRICS_ENABLED:-true}"
  "HEALTH_CHECK_ENABLED=${HEALTH_CHECK_ENABLED:-true}"
)
for name in JWT_ISSUER JWKS_URI MCP_PUBLIC_URL MCP_ALLOWED_HOSTS; do
  if [ -n "${!name:-}" ]; then PLAIN+=("$name=${!name}"); fi
done

# The server's own production rules (hubspot-mcp check-config), checked before anything is changed.
if [ "$NODE_ENV_VALUE" = production ]; then
  [ -n "${JWT_ISSUER:-}" ] ||
    die "JWT_ISSUER is required in production (the issuer your tokens carry in 'iss'), for example:
       JWT_ISSUER=https://auth.example.com scripts/setup-env.sh $ENVIRONMENT"
  case ${LOG_LEVEL:-$DEFAULT_LOG_LEVEL} in
    debug | trace) die "LOG_LEVEL must not be debug or trace in production" ;;
  esac
  case ${CORS_ORIGIN:-} in
    *'*'*) die "CORS_ORIGIN must not contain a wildcard in production" ;;
  esac
fi

step "[2/4] secrets (read from standard input, not echoed)"
read_secret() { # prompt -> REPLY, without echo; a missing final newline is fine
  REPLY=""
  IFS= read -rs -p "$1" REPLY || true
  if [ -t 0 ]; then printf '\n' >&2; fi
}
read_secret "HubSpot private app token (HUBSPOT_ACCESS_TOKEN): "
HUBSPOT_SECRET=$REPLY
[ -n "$HUBSPOT_SECRET" ] || die "no HUBSPOT_ACCESS_TOKEN given on standard input"
[ "${#HUBSPOT_SECRET}" -ge 40 ] ||
  die "the HubSpot token given is ${#HUBSPOT_SECRET} characters long; a private app token has at least 40"
read_secret "JWT_SECRET (at least 32 characters; empty line: generate one): "
JWT_SECRET_VALUE=$REPLY
REPLY=""
if [ -z "$JWT_SECRET_VALUE" ]; then
  require_cmd openssl "install it (apt-get install openssl) to generate JWT_SECRET, or give one on standard input"
  JWT_SECRET_VALUE=$(openssl rand -base64 48 | tr -d '\n')
  if [ -n "${JWT_SECRET_FILE:-}" ]; then
    [ ! -e "$JWT_SECRET_FILE" ] || die "JWT_SECRET_FILE $JWT_SECRET_FILE exists already: not overwritten"
    (umask 077 && printf '%s\n' "$JWT_SECRET_VALUE" >"$JWT_SECRET_FILE") || die "cannot write $JWT_SECRET_FILE"
    say "   JWT_SECRET: generated (openssl rand, 64 characters), written to $JWT_SECRET_FILE (mode 600) for your token issuer"
  else
    say "   JWT_SECRET: generated (openssl rand, 64 characters), shown nowhere: HS256 tokens need it, so either give"
    say "   your issuer's secret on standard input instead, or set JWT_SECRET_FILE=path to have it saved; with JWKS_URI"
    say "   (RS256/ES256 keys) no one needs to know it"
  fi
fi
[ "${#JWT_SECRET_VALUE}" -ge 32 ] ||
  die "the JWT_SECRET given is ${#JWT_SECRET_VALUE} characters long; at least 32 are required"

step "[3/4] set ${#PLAIN[@]} variables on Railway (--skip-deploys)"
for kv in "${PLAIN[@]}"; do say "   ${kv}"; done
railway variable set "${PLAIN[@]}" --environment "$ENVIRONMENT" "${SERVICE_ARGS[@]}" --skip-deploys >/dev/null ||
  die "railway variable set failed (see above)"

step "[4/4] set the secrets through standard input"
set_secret() { # name value: the value goes through a pipe, never onto a command line
  printf '%s' "$2" | railway variable set "$1" --stdin --environment "$ENVIRONMENT" "${SERVICE_ARGS[@]}" \
    --skip-deploys >/dev/null || die "railway variable set $1 --stdin failed (see above)"
  say "   $1 (value not shown)"
}
set_secret HUBSPOT_ACCESS_TOKEN "$HUBSPOT_SECRET"
set_secret JWT_SECRET "$JWT_SECRET_VALUE"
unset HUBSPOT_SECRET JWT_SECRET_VALUE

say ""
say "Done. Now seal the two secrets (the Railway CLI cannot): Railway dashboard > the service > Variables >"
say "the ... menu of HUBSPOT_ACCESS_TOKEN > Seal, then the same for JWT_SECRET. A sealed value is never shown"
say "again, not even to you, and is not copied into new environments. Then deploy: scripts/deploy.sh $ENVIRONMENT"
