#!/usr/bin/env bash
# A/B of two builds of the recsys CLI as a user runs it: for each algorithm, ROUNDS alternations of one
# `recsys evaluate --train …/train-80.csv --test …/test-20.csv --algorithm A --json` per fresh process, A then B;
# prints each build's median wall clock of the whole process and median fit time. This VM's speed moves by 20 % and
# more within an hour, so only alternated comparisons count.
#   git worktree add /tmp/before <commit> && (cd /tmp/before && dotnet build -c Release samples/Recsys.Cli)
#   dotnet build -c Release samples/Recsys.Cli
#   scripts/ab-cli.sh /tmp/before/samples/Recsys.Cli/bin/Release/net10.0/recsys samples/Recsys.Cli/bin/Release/net10.0/recsys
#   ALGS="biased-mf ease" ROUNDS=5 scripts/ab-cli.sh A B
set -euo pipefail
A=$(realpath "$1"); B=$(realpath "$2")
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-5}
ALGS=${ALGS:-global-mean baseline biased-mf als-implicit truncated-svd nmf-mu item-knn ease hybrid knn-baseline blend}
DATA=${DATA:-$(realpath ../shared/data/ml-latest-small)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for name in $ALGS; do
  for round in $(seq 1 "$ROUNDS"); do
    for build in A B; do
      recsys=$A; [ $build = B ] && recsys=$B
      start=$(date +%s%N)
      "$recsys" evaluate --train "$DATA/splits/train-80.csv" --test "$DATA/splits/test-20.csv" --algorithm "$name" --json \
          2>/dev/null > "$work/out.json"
      end=$(date +%s%N)
      python3 -c 'import json, sys; print(sys.argv[1], (int(sys.argv[2])) / 1e9, json.load(open(sys.argv[3]))["fit_seconds"])' \
          "$build" $((end - start)) "$work/out.json" >> "$work/$name.txt"
    done
  done
  python3 - "$name" "$work/$name.txt" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[2])]
m = lambda build, col: statistics.median(float(r[col]) for r in rows if r[0] == build)
print("%-22s process A %.3f s, B %.3f s (%+.3f); fit A %.3f s, B %.3f s" % (sys.argv[1], m("A", 1), m("B", 1), m("B", 1) - m("A", 1), m("A", 2), m("B", 2)))
PY
done
