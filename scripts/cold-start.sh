#!/usr/bin/env bash
# Measures the sample web host from a cold start: a fresh process (and, unless REUSE_REGISTRY=1, a fresh registry, so
# the bootstrap trains first), the load generator polling /health/ready and sending the default mix open-loop at
# RATE requests/s for DURATION from the moment the host answers ready. Runs RUNS cold starts and prints each report,
# then the machine's CPU over the measured window from `vmstat 1`: the seconds the hypervisor took ("steal": CPU this
# VM was owed and did not get) and the least idle second, so that a queue can be laid beside what the box was doing.
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
      --data "$DATA/ratings.csv" ${LOAD_ARGS:-} > "$registry/../load-$run.txt" &
  load=$!
  # vmstat from the moment the host reports ready (the load generator's first request) to the end of the run.
  until curl -sf "http://127.0.0.1:$PORT/health/ready" > /dev/null 2>&1; do sleep 0.2; done
  vmstat -n 1 > "$registry/../vmstat-$run.txt" &
  vm=$!
  wait "$load" || true
  kill "$vm"; wait "$vm" 2>/dev/null || true
  cat "$registry/../load-$run.txt"
  # vmstat columns: … us sy id wa st (13–17); the first line is the average since boot.
  awk 'NR > 3 { n++; st += $17; if ($17 > maxst) maxst = $17; if (min == "" || $15 < min) min = $15 }
       END { printf "machine over the run (vmstat, %d s): steal mean %.1f %%, steal max %d %% in a second, least idle second %d %%\n", n, st / n, maxst, min }' \
      "$registry/../vmstat-$run.txt"
  kill "$host"; wait "$host" 2>/dev/null || true
done
