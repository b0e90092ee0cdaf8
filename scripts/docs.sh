#!/usr/bin/env bash
# Builds the documentation site: the API reference generated from the XML documentation of every src/ project, the
# README, docs/ and the changelog, into artifacts/docs. Warnings are errors, so a broken relative link or anchor
# (InvalidFileLink, InvalidBookmark) or a bad XML doc reference fails the build. DocFX is the pinned local tool
# (.config/dotnet-tools.json).
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet tool restore >/dev/null
rm -rf artifacts/docs docs/api/*.yml docs/api/.manifest
dotnet docfx docfx.json --warningsAsErrors
echo "docs: artifacts/docs (README.html, docs/index.html, docs/api/)"
