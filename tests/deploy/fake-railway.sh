#!/usr/bin/env bash
# A stand-in for the Railway CLI, put first on PATH as `railway` by tests/deploy/test-deploy.sh.
# Records every invocation (its arguments, shell-quoted) as one line of $FAKE_DIR/calls.log and answers with
# canned output shaped like railway 5.71.0's:
#   --version                         railway 5.71.0 (fake)
#   up ...                            {"deploymentId": $FAKE_UP_ID, "logsUrl": ...}; exit 1 if FAKE_UP_FAIL=1
#   deployment list ...               the next file of $FAKE_LISTS (space-separated; the last one repeats)
#   status --json ...                 $FAKE_STATUS (a file) or a project whose production and staging services
#                                     have the domains hubspot-mcp-<env>.up.railway.app
#   variable set KEY --stdin ...      stores standard input in $FAKE_DIR/stdin.KEY (it never reaches calls.log)
#   variable set K=V ...              nothing to do
#   api ...                           $FAKE_API_RESPONSE, default {"data":{"deploymentRollback":true}};
#                                     then exit $FAKE_API_EXIT if set (as the CLI does on GraphQL errors)
set -euo pipefail
: "${FAKE_DIR:?FAKE_DIR must name the scratch directory of the test}"
{
  printf 'railway'
  printf ' %q' "$@"
  printf '\n'
} >>"$FAKE_DIR/calls.log"

case "${1:-} ${2:-}" in
  "--version "*)
    echo "railway 5.71.0 (fake)"
    ;;
  "up "*)
    if [ "${FAKE_UP_FAIL:-0}" = 1 ]; then
      echo "Failed to upload code with status code 500 (fake)" >&2
      exit 1
    fi
    id=${FAKE_UP_ID:-dep-new}
    printf '{"deploymentId":"%s","logsUrl":"https://railway.com/project/p-1/service/s-1?id=%s"}\n' "$id" "$id"
    ;;
  "deployment list" | "deployments list")
    read -r -a lists <<<"${FAKE_LISTS:?FAKE_LISTS must name the canned deployment lists}"
    n=$(cat "$FAKE_DIR/list.count" 2>/dev/null || echo 0)
    echo $((n + 1)) >"$FAKE_DIR/list.count"
    [ "$n" -lt "${#lists[@]}" ] || n=$((${#lists[@]} - 1))
    cat "${lists[$n]}"
    ;;
  "status "*)
    if [ -n "${FAKE_STATUS:-}" ]; then
      cat "$FAKE_STATUS"
    else
      cat <<'JSON'
{
  "id": "p-1", "name": "hubspot-mcp",
  "environments": { "edges": [
    { "node": { "id": "e-prod", "name": "production", "serviceInstances": { "edges": [
      { "node": { "serviceId": "s-1", "serviceName": "hubspot-mcp",
                  "domains": { "serviceDomains": [ { "domain": "hubspot-mcp-production.up.railway.app" } ],
                               "customDomains": [] } } } ] } } },
    { "node": { "id": "e-stg", "name": "staging", "serviceInstances": { "edges": [
      { "node": { "serviceId": "s-1", "serviceName": "hubspot-mcp",
                  "domains": { "serviceDomains": [ { "domain": "hubspot-mcp-staging.up.railway.app" } ],
                               "customDomains": [] } } } ] } } } ] },
  "services": { "edges": [ { "node": { "id": "s-1", "name": "hubspot-mcp" } } ] }
}
JSON
    fi
    ;;
  "variable set" | "variables set")
    shift 2
    key=""
    stdin=0
    for a in "$@"; do
      case $a in
        --stdin) stdin=1 ;;
        -*) ;;
        *) [ -n "$key" ] || key=$a ;;
      esac
    done
    if [ "$stdin" = 1 ]; then
      cat >"$FAKE_DIR/stdin.$key"
    fi
    echo "Set variables (fake)"
    ;;
  "api "*)
    default='{"data":{"deploymentRollback":true}}'
    echo "${FAKE_API_RESPONSE:-$default}"
    if [ -n "${FAKE_API_EXIT:-}" ]; then
      echo "Error: Railway API returned 1 GraphQL error(s)" >&2
      exit "$FAKE_API_EXIT"
    fi
    ;;
  *)
    echo "fake railway: unexpected command: $*" >&2
    exit 2
    ;;
esac
