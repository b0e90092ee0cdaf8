#!/usr/bin/env bash
# Measures real-time fold-in over HTTP: the sample web host (ml-latest-small, its default als-implicit model) with the
# response cache off, where every request is for a user with fresh interactions, so every answer is folded in:
#   1. known users 1 … 610, each with 10 new 4–5 star ratings posted through POST /interactions;
#   2. 1,000 new users 100001 … 101000 the model never saw, each with 20 ratings (answered "fallback":"fold-in").
# For each: the load generator at each of RATES requests/s (5 s warm-up, 20 s measured), recommendations only.
#   scripts/fold-in-path.sh                  # RATES="2000"
# Needs Release builds: dotnet build samples/Recsys.Samples.WebApi -c Release && dotnet build benchmarks/Recsys.LoadTest -c Release
set -euo pipefail
cd "$(dirname "$0")/.."
RATES=${RATES:-2000}
PORT=${PORT:-5079}
. scripts/lib/computed-host.sh
registry=$work
start_computed_host "$HOST_DIR" "$PORT" "$registry"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"

# The fresh interactions, posted in batches of 1,000 (items each user has not rated, drawn with a fixed seed).
python3 - "$DATA/ratings.csv" "http://127.0.0.1:$PORT" <<'PY'
import csv, json, random, sys, urllib.request
ratings, url = sys.argv[1], sys.argv[2]
seen, items = {}, set()
with open(ratings) as f:
    for row in csv.DictReader(f):
        seen.setdefault(row["userId"], set()).add(row["movieId"])
        items.add(row["movieId"])
items = sorted(items)
rng = random.Random(7)
rows = []
for user in range(1, 611):
    fresh = [i for i in rng.sample(items, 40) if i not in seen[str(user)]][:10]
    rows += [{"user_id": str(user), "item_id": i, "rating": rng.choice([4.0, 4.5, 5.0])} for i in fresh]
for user in range(100001, 101001):
    rows += [{"user_id": str(user), "item_id": i, "rating": rng.choice([3.0, 4.0, 4.5, 5.0])} for i in rng.sample(items[:2000], 20)]
for start in range(0, len(rows), 1000):
    request = urllib.request.Request(url + "/interactions", json.dumps(rows[start:start + 1000]).encode(), {"Content-Type": "application/json"})
    urllib.request.urlopen(request).read()
print(f"posted {len(rows)} interactions")
one = json.load(urllib.request.urlopen(url + "/users/100001/recommendations?num_recommendations=10"))
print(f"user 100001: fallback {one.get('fallback')}, algorithm {one['algorithm_used']}")
PY

for range in 1-610 100001-101000; do
  for rate in $RATES; do
    echo "== users $range, fixed rate $rate/s (load generator), response cache off, every user with fresh interactions"
    dotnet "$LOAD" --url "http://127.0.0.1:$PORT" --mix recommendations=1 --rate "$rate" --warmup 5s --duration 20s \
        --user-range "$range" | grep -E "fixed|^\| (all|recommendations)|failed"
  done
done
