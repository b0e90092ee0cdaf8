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
DATA=${DATA:-$(realpath ../shared/data/ml-latest-small)}
LOAD=$(realpath benchmarks/Recsys.LoadTest/bin/Release/net10.0/recsys-loadtest.dll)
work=$(mktemp -d)
host=
trap 'kill $host 2>/dev/null || true; rm -rf "$work"' EXIT
cat > "$work/recs.lua" <<'LUA'
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", "/users/" .. ((n * 7919) % 610 + 1) .. "/recommendations?num_recommendations=10")
end
LUA
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
for round in $(seq 1 "$ROUNDS"); do
  for build in A B; do
    dir=$A; [ $build = B ] && dir=$B
    rm -rf "$work/registry"; mkdir -p "$work/registry"
    (cd "$dir" && exec env Recsys__CacheDuration=00:00:00 dotnet Recsys.Samples.WebApi.dll --urls "http://127.0.0.1:$PORT" \
        --registry "$work/registry" --data "$DATA/ratings.csv" --movies "$DATA/movies.csv" > "$work/host.log" 2>&1) &
    host=$!
    dotnet "$LOAD" --url "http://127.0.0.1:$PORT" --wait-ready 5m --warmup 0 --duration 1s --rate 10 --data "$DATA/ratings.csv" > /dev/null
    pid=$(pgrep -f "Recsys.Samples.WebApi.dll --urls http://127.0.0.1:$PORT" | head -1)
    line="$round $build:"
    if command -v wrk > /dev/null; then
      wrk -t1 -c100 -d5s -s "$work/recs.lua" "http://127.0.0.1:$PORT" > /dev/null
      h0=$(ticks "$pid")
      wrk -t1 -c100 -d15s --latency -s "$work/recs.lua" "http://127.0.0.1:$PORT" > "$work/wrk.txt"
      h1=$(ticks "$pid")
      line="$line wrk $(awk '/Requests\/sec/{print $2}' "$work/wrk.txt") req/s p99 $(awk '$1=="99%"{print $2}' "$work/wrk.txt") host $(echo "scale=2; ($h1 - $h0) / $hz / 15" | bc) cores;"
    fi
    dotnet "$LOAD" --url "http://127.0.0.1:$PORT" --mix recommendations=1 --users 100 --warmup 5s --duration 15s \
        --data "$DATA/ratings.csv" > "$work/load.txt"
    echo "$line load generator $(grep '^| all' "$work/load.txt" | awk -F'|' '{print $6 " req/s p99 " $11 " ms"}')"
    kill "$host"; wait "$host" 2>/dev/null || true
  done
done
