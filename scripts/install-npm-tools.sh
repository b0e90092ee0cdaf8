#!/usr/bin/env bash
# Installs the npm tools the tests and CI use, pinned, into .tools/npm (git-ignored):
#   @redocly/cli        lints the OpenAPI document (scripts/openapi-contract.sh)
#   axe-core            injected by Playwright into every dashboard page (DashboardAccessibilityTests)
#   openapi-typescript, typescript, openapi-fetch, ajv, ajv-formats, @types/node
#                       the generated TypeScript client (scripts/openapi-contract.sh)
# Idempotent: a second run with the same pins installs nothing.
#   scripts/install-npm-tools.sh
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=.tools/npm
packages=(axe-core@4.14.1 @redocly/cli@2.77.0 openapi-typescript@7.13.0 typescript@5.9.3 openapi-fetch@0.17.0 ajv@8.20.0 ajv-formats@3.0.1 @types/node@20.19.43)
stamp="$prefix/.installed"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "${packages[*]}" ]; then
  exit 0
fi
mkdir -p "$prefix"
npm install --prefix "$prefix" --no-audit --no-fund --loglevel=error --no-save "${packages[@]}" > /dev/null
echo "${packages[*]}" > "$stamp"
echo "npm tools: ${packages[*]} in $prefix"
