#!/usr/bin/env bash
# What each load client costs the box it shares with the host: one sample web host (response cache off), then, alternated
# ROUNDS times, wrk (1 thread, 100 connections), the load generator on its own connections, and the load generator
# through HttpClient (--http-client), each closed loop for 15 s after 5 s; prints requests/s, p99 and the CPU (cores)
# of the host and of the client over 10 s of each run.
#   dotnet build -c Release samples/Recsys.Samples.WebApi && dotnet build -c Release benchmarks/Recsys.LoadTest
#   scripts/load-clients.sh          # ROUNDS=2
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-2}
PORT=${PORT:-5079}
. scripts/lib/computed-host.sh
write_recommendations_lua "$work/recs.lua"
start_computed_host "$HOST_DIR" "$PORT" "$work"
pid=$host_pid
clients="own http-client"; command -v wrk > /dev/null && clients="wrk $clients"
for round in $(seq 1 "$ROUNDS"); do
  for client in $clients; do
    if [ "$client" = wrk ]; then
      wrk -t1 -c100 -d5s -s "$work/recs.lua" "http://127.0.0.1:$PORT" > /dev/null
      wrk -t1 -c100 -d15s --latency -s "$work/recs.lua" "http://127.0.0.1:$PORT" > "$work/out.txt" &
      c=$!; sleep 1; cpid=$(pgrep -n -x wrk)
    else
      extra=; [ "$client" = http-client ] && extra=--http-client
      dotnet "$LOAD" --url "http://127.0.0.1:$PORT" --mix recommendations=1 --users 100 --warmup 5s --duration 15s \
          --data "$DATA/ratings.csv" $extra > "$work/out.txt" &
      c=$!; sleep 6; cpid=$(pgrep -f "recsys-loadtest.dll --url http://127.0.0.1:$PORT --mix" | head -1)
    fi
    h0=$(ticks "$pid"); c0=$(ticks "$cpid"); sleep 10; h1=$(ticks "$pid"); c1=$(ticks "$cpid")
    wait "$c"
    if [ "$client" = wrk ]; then result=$(wrk_result "$work/out.txt"); else result=$(load_result "$work/out.txt"); fi
    echo "$round $client: $result; host $(cores "$h0" "$h1" 10) cores, client $(cores "$c0" "$c1" 10) cores"
  done
done
