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
DATA=${DATA:-$(realpath ../shared/data/ml-latest-small)}
HOST_DIR=${HOST_DIR:-samples/Recsys.Samples.WebApi/bin/Release/net10.0}
LOAD=$(realpath benchmarks/Recsys.LoadTest/bin/Release/net10.0/recsys-loadtest.dll)
work=$(mktemp -d)
trap 'kill $host 2>/dev/null || true; rm -rf "$work"' EXIT
cat > "$work/recs.lua" <<'LUA'
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", "/users/" .. ((n * 7919) % 610 + 1) .. "/recommendations?num_recommendations=10")
end
LUA
(cd "$HOST_DIR" && exec env Recsys__CacheDuration=00:00:00 dotnet Recsys.Samples.WebApi.dll --urls "http://127.0.0.1:$PORT" \
    --registry "$work" --data "$DATA/ratings.csv" --movies "$DATA/movies.csv" > "$work/host.log" 2>&1) &
host=$!
dotnet "$LOAD" --url "http://127.0.0.1:$PORT" --wait-ready 5m --warmup 0 --duration 1s --rate 10 --data "$DATA/ratings.csv" > /dev/null
pid=$(pgrep -f "Recsys.Samples.WebApi.dll --urls http://127.0.0.1:$PORT" | head -1)
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
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
    if [ "$client" = wrk ]; then
      result="$(awk '/Requests\/sec/{print $2}' "$work/out.txt") req/s p99 $(awk '$1=="99%"{print $2}' "$work/out.txt")"
    else
      result="$(grep '^| all' "$work/out.txt" | awk -F'|' '{print $6 " req/s p99 " $11 " ms"}')"
    fi
    echo "$round $client: $result; host $(echo "scale=2; ($h1 - $h0) / $hz / 10" | bc) cores, client $(echo "scale=2; ($c1 - $c0) / $hz / 10" | bc) cores"
  done
done
