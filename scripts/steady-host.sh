#!/usr/bin/env bash
# One sample web host (response cache off), measured again and again: ROUNDS closed-loop runs of the load generator
# (100 users, 3 s warm-up, 12 s measured), each line with the time, requests/s, p99, the host's resident memory and the
# cores it kept busy. A host that slowed with uptime would show it here; constant CPU with moving throughput is the
# machine's speed moving, not the host's.
#   dotnet build -c Release samples/Recsys.Samples.WebApi && dotnet build -c Release benchmarks/Recsys.LoadTest
#   scripts/steady-host.sh          # ROUNDS=6
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-6}
PORT=${PORT:-5090}
. scripts/lib/computed-host.sh
start_computed_host "$HOST_DIR" "$PORT" "$work"
for round in $(seq 1 "$ROUNDS"); do
  t0=$(ticks "$host_pid")
  dotnet "$LOAD" --url "http://127.0.0.1:$PORT" --mix recommendations=1 --users 100 --warmup 3s --duration 12s \
      --data "$DATA/ratings.csv" > "$work/load.txt"
  t1=$(ticks "$host_pid")
  echo "$round $(date +%T): $(load_result "$work/load.txt"); host RSS $(awk '/VmRSS/{printf "%.0f", $2 / 1024}' "/proc/$host_pid/status") MiB, $(cores "$t0" "$t1" 15) cores"
done
