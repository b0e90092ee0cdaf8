#!/usr/bin/env bash
# Measures the sample web host from a cold start: a fresh process (and, unless REUSE_REGISTRY=1, a fresh registry, so
# the bootstrap trains first), the load generator polling /health/ready and sending the default mix open-loop at
# RATE requests/s for DURATION from the moment the host answers ready. Runs RUNS cold starts and prints each report.
#   scripts/cold-start.sh            # 5 runs, 5000 req/s, 30 s
#   RUNS=3 RATE=8000 scripts/cold-start.sh
# Needs Release builds: dotnet build samples/Recsys.Samples.WebApi -c Release && dotnet build benchmarks/Recsys.LoadTest -c Release
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
RATE=${RATE:-5000}
DURATION=${DURATION:-30s}
PORT=${PORT:-5077}
DATA=${DATA:-$(realpath ../shared/data/ml-latest-small)}
HOST_DIR=samples/Recsys.Samples.WebApi/bin/Release/net10.0
LOAD=benchmarks/Recsys.LoadTest/bin/Release/net10.0/recsys-loadtest.dll
registry=$(mktemp -d)
trap 'kill $host 2>/dev/null || true; rm -rf "$registry"' EXIT
for run in $(seq 1 "$RUNS"); do
  [ "${REUSE_REGISTRY:-0}" = 1 ] || { rm -rf "$registry"; mkdir -p "$registry"; }
  (cd "$HOST_DIR" && exec dotnet Recsys.Samples.WebApi.dll --urls "http://127.0.0.1:$PORT" --registry "$registry" \
      --data "$DATA/ratings.csv" --movies "$DATA/movies.csv" > "$registry/../host-$run.log" 2>&1) &
  host=$!
  echo "== cold start $run"
  env ${LOAD_ENV:-} dotnet "$LOAD" --url "http://127.0.0.1:$PORT" --wait-ready 5m --warmup 0 --rate "$RATE" --duration "$DURATION" \
      --data "$DATA/ratings.csv" ${LOAD_ARGS:-} || true
  kill "$host"; wait "$host" 2>/dev/null || true
done
