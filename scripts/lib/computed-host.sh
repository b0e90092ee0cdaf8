# Sourced, from the repository root, by the scripts that measure the sample web host's computed path
# (computed-path.sh, load-clients.sh, ab-hosts.sh, steady-host.sh): the host started with the response cache off, the
# wrk script, /proc CPU and the result lines. Sourcing it sets DATA (ml-latest-small, unless set), HOST_DIR (the
# Release build, unless set) and LOAD (the load generator), makes a scratch directory $work and a trap that stops the
# host ($host) and removes $work on exit.
DATA=${DATA:-$(realpath ../shared/data/ml-latest-small)}
HOST_DIR=${HOST_DIR:-samples/Recsys.Samples.WebApi/bin/Release/net10.0}
LOAD=$(realpath benchmarks/Recsys.LoadTest/bin/Release/net10.0/recsys-loadtest.dll)
work=$(mktemp -d)
host=
trap 'kill $host 2>/dev/null || true; rm -rf "$work"' EXIT

# Writes the wrk script to $1: GET /users/{id}/recommendations for the users of ml-latest-small (1 … 610) in a fixed,
# scattered order.
write_recommendations_lua() {
  cat > "$1" <<'LUA'
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", "/users/" .. ((n * 7919) % 610 + 1) .. "/recommendations?num_recommendations=10")
end
LUA
}

# start_computed_host HOST_DIR PORT REGISTRY: starts the host built in HOST_DIR with the response cache off on a
# registry directory (its log in REGISTRY/host.log), waits until it reports ready (warm-up included) and sets
# host (the background job, to kill) and host_pid (the dotnet process, to measure).
start_computed_host() {
  (cd "$1" && exec env Recsys__CacheDuration=00:00:00 dotnet Recsys.Samples.WebApi.dll --urls "http://127.0.0.1:$2" \
      --registry "$3" --data "$DATA/ratings.csv" --movies "$DATA/movies.csv" > "$3/host.log" 2>&1) &
  host=$!
  dotnet "$LOAD" --url "http://127.0.0.1:$2" --wait-ready 5m --warmup 0 --duration 1s --rate 10 --data "$DATA/ratings.csv" > /dev/null
  host_pid=$(pgrep -f "Recsys.Samples.WebApi.dll --urls http://127.0.0.1:$2" | head -1)
}

# CPU time of a process so far, in clock ticks (user + system).
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# cores T0 T1 SECONDS: the cores a process kept busy on average between two ticks readings SECONDS apart.
cores() { echo "scale=2; ($2 - $1) / $(getconf CLK_TCK) / $3" | bc; }

# "N req/s p99 X" from wrk's --latency output, and the same from the load generator's table.
wrk_result() { echo "$(awk '/Requests\/sec/{print $2}' "$1") req/s p99 $(awk '$1=="99%"{print $2}' "$1")"; }
load_result() { grep '^| all' "$1" | awk -F'|' '{print $6 " req/s p99 " $11 " ms"}'; }
