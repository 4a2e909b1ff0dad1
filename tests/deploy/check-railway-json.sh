#!/usr/bin/env bash
# Checks railway.json: valid JSON, and only keys Railway's config-as-code schema defines, with values of the
# right kind. Railway's schema (https://railway.com/railway.schema.json) is not shipped by any package registry
# this project can reach (npm's @railway/cli installs a prebuilt binary; crates.io's railwayapp 5.71.0, the CLI's
# source, has no copy), so the check is an explicit allowlist, taken from:
#   - Railway's config-as-code reference (docs.railway.com/config-as-code/reference; railwayapp/docs,
#     content/docs/config-as-code/reference.md): builder, watchPatterns, buildCommand, dockerfilePath,
#     railpackVersion, nixpacksConfigPath, nixpacksPlan, nixpacksVersion; startCommand, preDeployCommand,
#     multiRegionConfig, healthcheckPath, healthcheckTimeout, restartPolicyType, restartPolicyMaxRetries,
#     cronSchedule, overlapSeconds, drainingSeconds; and environments.<name> holding build / deploy overrides;
#   - the same settings' types in the Railway API schema bundled with the CLI (railwayapp 5.71.0,
#     src/gql/schema.json, ServiceInstance: healthcheckTimeout, restartPolicyMaxRetries, drainingSeconds and
#     overlapSeconds are Int; restartPolicyType is ON_FAILURE, ALWAYS or NEVER).
# Deliberately absent: the original design's deploy.healthcheckInterval and environments.<name>.variables, which
# neither source defines (Railway variables are set with `railway variable set`: scripts/setup-env.sh).
#
#   bash tests/deploy/check-railway-json.sh [railway.json]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
FILE=${1:-railway.json}

[ -f "$FILE" ] || { echo "railway.json check: $FILE not found"; exit 1; }
jq -e . "$FILE" >/dev/null || { echo "railway.json check: $FILE is not valid JSON"; exit 1; }

PROBLEMS=$(jq -r '
  def allowed($what; $keys): keys_unsorted[] | select(. as $k | $keys | index($k) | not) | "\($what): unknown key \(.)";
  def int($what): select(. != null and ((type != "number") or (. != floor) or (. < 0))) | "\($what): not a whole number";
  def build($at):
    (allowed($at; ["builder", "watchPatterns", "buildCommand", "dockerfilePath", "railpackVersion",
                   "nixpacksConfigPath", "nixpacksPlan", "nixpacksVersion"])),
    (.builder | select(. != null and (["RAILPACK", "DOCKERFILE", "NIXPACKS"] | index(.) | not))
      | "\($at).builder: \(.) is not RAILPACK, DOCKERFILE or NIXPACKS"),
    (.dockerfilePath | select(. != null and type != "string") | "\($at).dockerfilePath: not a string"),
    (.watchPatterns | select(. != null and (type != "array" or any(.[]; type != "string")))
      | "\($at).watchPatterns: not an array of strings");
  def deploy($at):
    (allowed($at; ["startCommand", "preDeployCommand", "multiRegionConfig", "healthcheckPath",
                   "healthcheckTimeout", "restartPolicyType", "restartPolicyMaxRetries", "cronSchedule",
                   "overlapSeconds", "drainingSeconds"])),
    (.healthcheckPath | select(. != null and ((type != "string") or (startswith("/") | not)))
      | "\($at).healthcheckPath: not a path starting with /"),
    (.restartPolicyType | select(. != null and (["ON_FAILURE", "ALWAYS", "NEVER"] | index(.) | not))
      | "\($at).restartPolicyType: \(.) is not ON_FAILURE, ALWAYS or NEVER"),
    (.healthcheckTimeout | int("\($at).healthcheckTimeout")),
    (.restartPolicyMaxRetries | int("\($at).restartPolicyMaxRetries")),
    (.overlapSeconds | int("\($at).overlapSeconds")),
    (.drainingSeconds | int("\($at).drainingSeconds"));
  def section($at; f): if . == null then empty elif type != "object" then "\($at): not an object" else f end;
  if type != "object" then "top level: not an object" else
    (allowed("top level"; ["$schema", "build", "deploy", "environments"])),
    (.["$schema"] | select(. != "https://railway.com/railway.schema.json")
      | "$schema: \(.) (want https://railway.com/railway.schema.json)"),
    (.build | section("build"; build("build"))),
    (.deploy | section("deploy"; deploy("deploy"))),
    (.environments | section("environments"; to_entries[] | .key as $e | .value
      | section("environments.\($e)"; allowed("environments.\($e)"; ["build", "deploy"]),
          (.build | section("environments.\($e).build"; build("environments.\($e).build"))),
          (.deploy | section("environments.\($e).deploy"; deploy("environments.\($e).deploy"))))))
  end' "$FILE")

if [ -n "$PROBLEMS" ]; then
  echo "railway.json check: $FILE has keys or values Railway's schema does not define:"
  printf '  %s\n' "${PROBLEMS//$'\n'/$'\n'  }"
  exit 1
fi
DOCKERFILE=$(jq -r '.build.dockerfilePath // empty' "$FILE")
if [ -n "$DOCKERFILE" ] && [ ! -f "$DOCKERFILE" ]; then
  echo "warning: $FILE builds with $DOCKERFILE, which is not in this tree (scripts/deploy.sh refuses to deploy without it)"
fi
echo "railway.json check: $FILE ok ($(jq -r '[paths(scalars)] | length' "$FILE") settings, all defined by Railway's schema)"
