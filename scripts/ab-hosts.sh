#!/usr/bin/env bash
# A/B of two builds of the sample web host on the computed path (response cache off): alternates A, B, A, B …, each
# run a fresh host (fresh registry, warm-up included), then wrk closed loop (100 connections, 5 s warm-up, 15 s) and
# the load generator closed loop (100 users, 5 s warm-up, 15 s). Prints requests/s, p99 and the host's CPU (cores).
# This VM's speed moves by 20 % within an hour, so only alternated comparisons count.
#   git worktree add /tmp/before <commit> && (cd /tmp/before && dotnet build -c Release samples/Recsys.Samples.WebApi)
#   dotnet build -c Release samples/Recsys.Samples.WebApi && dotnet build -c Release benchmarks/Recsys.LoadTest
#   scripts/ab-hosts.sh /tmp/before/samples/Recsys.Samples.WebApi/bin/Release/net10.0 \
#                       samples/Recsys.Samples.WebApi/bin/Release/net10.0        # ROUNDS=2
set -euo pipefail
cd "$(dirname "$0")/.."
A=$(realpath "$1"); B=$(realpath "$2")
ROUNDS=${ROUNDS:-2}
PORT=${PORT:-5082}
. scripts/lib/computed-host.sh
write_recommendations_lua "$work/recs.lua"
for round in $(seq 1 "$ROUNDS"); do
  for build in A B; do
    dir=$A; [ $build = B ] && dir=$B
    rm -rf "$work/registry"; mkdir -p "$work/registry"
    start_computed_host "$dir" "$PORT" "$work/registry"
    pid=$host_pid
    line="$round $build:"
    if command -v wrk > /dev/null; then
      wrk -t1 -c100 -d5s -s "$work/recs.lua" "http://127.0.0.1:$PORT" > /dev/null
      h0=$(ticks "$pid")
      wrk -t1 -c100 -d15s --latency -s "$work/recs.lua" "http://127.0.0.1:$PORT" > "$work/wrk.txt"
      h1=$(ticks "$pid")
      line="$line wrk $(wrk_result "$work/wrk.txt") host $(cores "$h0" "$h1" 15) cores;"
    fi
    dotnet "$LOAD" --url "http://127.0.0.1:$PORT" --mix recommendations=1 --users 100 --warmup 5s --duration 15s \
        --data "$DATA/ratings.csv" > "$work/load.txt"
    echo "$line load generator $(load_result "$work/load.txt")"
    kill "$host"; wait "$host" 2>/dev/null || true
  done
done
