#!/usr/bin/env bash
# Measures the computed path of the sample web host: the response cache off (Recsys__CacheDuration=00:00:00), so every
# request scores the catalog. One host (started once, warm-up included), then recommendations only:
#   - closed loop, wrk with 100 connections (ROUNDS times, 5 s warm-up then 15 s each): requests/s and p99;
#   - the load generator closed loop (100 users), then open-loop at each of RATES requests/s (5 s warm-up, 20 s
#     measured each): requests/s and percentiles.
# The host's and the client's CPU over each closed-loop run are printed from /proc (cores busy on average). The load
# generator sends over its own HTTP/1.1 connections (add --http-client to its lines to compare with HttpClient).
#   scripts/computed-path.sh                  # ROUNDS=3 RATES="8000 12000"
#   apt-get install -y wrk                    # wrk is a Debian package; without it the closed loop is skipped
# Needs Release builds: dotnet build samples/Recsys.Samples.WebApi -c Release && dotnet build benchmarks/Recsys.LoadTest -c Release
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
RATES=${RATES:-8000 12000}
PORT=${PORT:-5078}
. scripts/lib/computed-host.sh
registry=$work
script=$work/recs.lua
write_recommendations_lua "$script"
start_computed_host "$HOST_DIR" "$PORT" "$registry"
pid=$host_pid
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
if command -v wrk > /dev/null; then
  for round in $(seq 1 "$ROUNDS"); do
    wrk -t1 -c100 -d5s -s "$script" "http://127.0.0.1:$PORT" > /dev/null
    wrk -t1 -c100 -d15s --latency -s "$script" "http://127.0.0.1:$PORT" > "$registry/wrk.txt" &
    client=$!
    sleep 1
    wrk_pid=$(pgrep -P "$client" -x wrk || pgrep -n -x wrk)
    h0=$(ticks "$pid"); c0=$(ticks "$wrk_pid")
    sleep 12
    h1=$(ticks "$pid"); c1=$(ticks "$wrk_pid")
    wait "$client"
    echo "closed loop $round: $(wrk_result "$registry/wrk.txt"); host $(cores "$h0" "$h1" 12) cores, wrk $(cores "$c0" "$c1" 12) cores"
  done
else
  echo "closed loop: skipped (no wrk; apt-get install -y wrk)"
fi
echo "== closed loop, 100 users (load generator)"
dotnet "$LOAD" --url "http://127.0.0.1:$PORT" --mix recommendations=1 --users 100 --warmup 5s --duration 20s \
    --data "$DATA/ratings.csv" > "$registry/load.txt" &
client=$!
sleep 8
load_pid=$(pgrep -f "recsys-loadtest.dll --url http://127.0.0.1:$PORT --mix" | head -1)
h0=$(ticks "$pid"); c0=$(ticks "$load_pid")
sleep 15
h1=$(ticks "$pid"); c1=$(ticks "$load_pid")
wait "$client"
grep -E "closed|^\| (all|recommendations)" "$registry/load.txt"
echo "host $(cores "$h0" "$h1" 15) cores, load generator $(cores "$c0" "$c1" 15) cores"
for rate in $RATES; do
  echo "== fixed rate $rate/s (load generator)"
  dotnet "$LOAD" --url "http://127.0.0.1:$PORT" --mix recommendations=1 --rate "$rate" --warmup 5s --duration 20s \
      --data "$DATA/ratings.csv" | grep -E "fixed|^\| (all|recommendations)"
done
