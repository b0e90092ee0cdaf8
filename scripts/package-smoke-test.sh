#!/usr/bin/env bash
# Consumes the packages the way a stranger would: a fresh `dotnet new web` project in a temporary directory,
# `dotnet add package Recsys.AspNetCore --prerelease` from the folder scripts/pack.sh wrote (dependencies from nuget.org),
# whose closure must not carry training, data readers or database drivers; then Recsys.Registry.Sqlite and
# Recsys.Retraining (the bootstrap), services.AddRecommender().UseSqlite(dir) + AddRecsysBootstrap() +
# app.MapRecommender("/api") + the ready probe, build, run (bootstrap on: trains and promotes a first model on the
# built-in synthetic data) and one recommendation over HTTP.
#   scripts/package-smoke-test.sh <packages-dir>
set -euo pipefail
packages="$(cd "${1:?usage: package-smoke-test.sh <packages-dir>}" && pwd)"
work="$(mktemp -d)"
app_pid=""
cleanup() { [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
# A private package cache: the packages under test, never a stale copy of the same version.
export NUGET_PACKAGES="$work/nuget-packages" DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

cd "$work"
cat > nuget.config <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="recsys-local" value="$packages" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
  </packageSources>
</configuration>
XML
dotnet new web -o shop --no-restore >/dev/null
cd shop
# --prerelease: the packages are 0.1.0-preview.1.
dotnet add package Recsys.AspNetCore --prerelease
# Serving does not carry training: the web package's closure has no retraining flow (Polly, Cronos), no data readers
# (Parquet.Net) and no database driver (SQLite, Npgsql).
closure="$(dotnet list package --include-transitive)"
for forbidden in Polly.Core Cronos Parquet.Net Microsoft.Data.Sqlite Npgsql Recsys.Retraining Recsys.Data Recsys.Registry Recsys.Registry.Sqlite Recsys.Registry.PostgreSql; do
  if grep -qE "> $forbidden( |$)" <<<"$closure"; then
    echo "$closure" >&2; echo "smoke: Recsys.AspNetCore brings $forbidden" >&2; exit 1
  fi
done
echo "smoke: Recsys.AspNetCore's closure has no Polly, Cronos, Parquet.Net, SQLite, Npgsql or retraining"
# The SQLite backend (Recsys.Registry.Sqlite) and the bootstrap that trains a first version (Recsys.Retraining).
dotnet add package Recsys.Registry.Sqlite --prerelease
dotnet add package Recsys.Retraining --prerelease
cat > Program.cs <<'CS'
using Recsys.AspNetCore;
using Recsys.Retraining;
using Recsys.Serving;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddRecommender().UseSqlite("recsys-registry");
builder.Services.AddRecsysBootstrap();
var app = builder.Build();
app.MapRecommender("/api");
app.MapHealthChecks("/health/ready", new() { Predicate = check => check.Tags.Contains(RecsysHealthChecks.ReadyTag) });
app.Run();
CS
dotnet build -c Release --nologo -v quiet

port=$(( 20000 + RANDOM % 20000 ))
Recsys__Bootstrap__Enabled=true ASPNETCORE_URLS="http://127.0.0.1:$port" \
  dotnet bin/Release/net10.0/shop.dll > "$work/app.log" 2>&1 &
app_pid=$!
for _ in $(seq 1 120); do
  if curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$app_pid" 2>/dev/null; then cat "$work/app.log" >&2; echo "smoke: the app exited" >&2; exit 1; fi
  sleep 1
done
response="$(curl -fsS "http://127.0.0.1:$port/api/users/1/recommendations?num_recommendations=5")" || {
  cat "$work/app.log" >&2; echo "smoke: no recommendation over HTTP" >&2; exit 1; }
echo "smoke: GET /api/users/1/recommendations -> $response"
count="$(grep -o '"item_id"' <<<"$response" | wc -l)"
if [ "$count" -ne 5 ] || grep -q '"fallback"' <<<"$response"; then
  echo "smoke: expected 5 personalized recommendations, got $count (response above)" >&2
  exit 1
fi
echo "smoke: a fresh web project using the Recsys.AspNetCore package served 5 recommendations"
