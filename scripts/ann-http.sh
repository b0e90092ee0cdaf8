#!/usr/bin/env bash
# The million-item serving figure (docs/performance.md): the model of scripts/ann-compare.sh (biased MF, rank 64,
# 997,410 items, its item index inside) registered in a fresh registry, the sample web host on it with the response
# cache off, and the load generator at a fixed 2,000 requests/s over random users (1 … 300,000), 5 s warm-up, 30 s
# measured, ROUNDS times (default 2). Run scripts/ann-compare.sh first (it trains the model). Not part of CI.
#   bash scripts/ann-http.sh            WORK=/tmp/recsys-ann ROUNDS=2 PORT=5095
set -euo pipefail
cd "$(dirname "$0")/.."
WORK="${WORK:-/tmp/recsys-ann}"; ROUNDS="${ROUNDS:-2}"; PORT="${PORT:-5095}"
[ -f "$WORK/m.bin" ] || { echo "no $WORK/m.bin: run scripts/ann-compare.sh first" >&2; exit 2; }
dotnet build -c Release --nologo -v quiet samples/Recsys.Cli >/dev/null
dotnet build -c Release --nologo -v quiet samples/Recsys.Samples.WebApi >/dev/null
dotnet build -c Release --nologo -v quiet benchmarks/Recsys.LoadTest >/dev/null
recsys=(dotnet samples/Recsys.Cli/bin/Release/net10.0/recsys.dll)
load=(dotnet benchmarks/Recsys.LoadTest/bin/Release/net10.0/recsys-loadtest.dll --url "http://127.0.0.1:$PORT")
registry="$WORK/registry"
rm -rf "$registry"
"${recsys[@]}" registry --registry "$registry" register movies --file "$WORK/m.bin" >/dev/null
"${recsys[@]}" registry --registry "$registry" transition movies 1 Production >/dev/null
(cd samples/Recsys.Samples.WebApi/bin/Release/net10.0 && exec env Recsys__CacheDuration=00:00:00 dotnet Recsys.Samples.WebApi.dll \
    --urls "http://127.0.0.1:$PORT" --registry "$registry" > "$WORK/host.log" 2>&1) &
host=$!
trap 'kill $host 2>/dev/null || true' EXIT
"${load[@]}" --wait-ready 10m --warmup 0 --duration 1s --rate 10 --user-range 1-300000 --mix recommendations=1 >/dev/null
for round in $(seq "$ROUNDS"); do
  "${load[@]}" --rate 2000 --users 100 --warmup 5s --duration 30s --user-range 1-300000 --mix recommendations=1 > "$WORK/load.txt"
  echo "round $round: $(grep '^| all' "$WORK/load.txt")"
done
