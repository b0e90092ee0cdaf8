#!/usr/bin/env bash
# The OpenAPI contract of the sample web host, checked as its users would:
#   1. the document it serves is linted by Redocly CLI under ./redocly.yaml (the recommended rules; errors fail);
#   2. a TypeScript client is generated from it (openapi-typescript), compiled with tsc --strict together with
#      scripts/openapi-client/check.ts, and run (openapi-fetch) against the host: it calls every operation, including
#      refusals (400, 401, 403, 404) and a retraining run followed to its end, and validates each response's status,
#      content type and body against the document (Ajv); an operation it does not call fails the check.
# Needs the Release build of the sample (the test command builds it) and the npm tools (scripts/install-npm-tools.sh).
#   scripts/openapi-contract.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-npm-tools.sh
tools="$PWD/.tools/npm/node_modules"
PORT=${PORT:-5091}
KEY="openapi-contract-$RANDOM$RANDOM"
work=$(mktemp -d)
host=
trap 'kill $host 2>/dev/null || true; rm -rf "$work"' EXIT
(cd samples/Recsys.Samples.WebApi/bin/Release/net10.0 && Recsys__AdminApiKey="$KEY" exec dotnet Recsys.Samples.WebApi.dll \
    --urls "http://127.0.0.1:$PORT" --registry "$work/registry" > "$work/host.log" 2>&1) &
host=$!
for _ in $(seq 1 240); do
  curl -sf "http://127.0.0.1:$PORT/health/ready" > /dev/null && break
  sleep 0.5
done
curl -sf "http://127.0.0.1:$PORT/openapi/recsys.json" > "$work/openapi.json" || { echo "openapi-contract: the sample host did not serve its document; its log:" >&2; cat "$work/host.log" >&2; exit 1; }

"$tools/.bin/redocly" lint "$work/openapi.json" --config redocly.yaml --format=stylish

client="$work/client"
mkdir -p "$client"
cp scripts/openapi-client/check.ts scripts/openapi-client/tsconfig.json scripts/openapi-client/package.json "$client/"
ln -s "$tools" "$client/node_modules"
"$tools/.bin/openapi-typescript" "$work/openapi.json" --output "$client/recsys.d.ts" --silent
"$tools/.bin/tsc" -p "$client"
node "$client/out/check.js" "http://127.0.0.1:$PORT" "$work/openapi.json" "$KEY" || { echo "openapi-contract: the host's log:" >&2; tail -50 "$work/host.log" >&2; exit 1; }
