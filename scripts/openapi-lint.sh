#!/usr/bin/env bash
# Lints the OpenAPI document the sample web host serves with Redocly CLI (from npm, pinned), under ./redocly.yaml:
# the recommended rules, errors fail. Needs the Release build of the sample (the test command builds it).
#   scripts/openapi-lint.sh
set -euo pipefail
cd "$(dirname "$0")/.."
REDOCLY_VERSION=2.77.0
PORT=${PORT:-5091}
tools=$(mktemp -d)
work=$(mktemp -d)
host=
trap 'kill $host 2>/dev/null || true; rm -rf "$tools" "$work"' EXIT
npm install --prefix "$tools" --no-audit --no-fund --loglevel=error "@redocly/cli@$REDOCLY_VERSION" > /dev/null
(cd samples/Recsys.Samples.WebApi/bin/Release/net10.0 && exec dotnet Recsys.Samples.WebApi.dll --urls "http://127.0.0.1:$PORT" \
    --registry "$work/registry" > "$work/host.log" 2>&1) &
host=$!
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$PORT/health/live" > /dev/null && break
  sleep 0.5
done
curl -sf "http://127.0.0.1:$PORT/openapi/recsys.json" > "$work/openapi.json" || { echo "openapi-lint: the sample host did not serve its document; its log:" >&2; cat "$work/host.log" >&2; exit 1; }
"$tools/node_modules/.bin/redocly" lint "$work/openapi.json" --config redocly.yaml --format=stylish
