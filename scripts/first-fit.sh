#!/usr/bin/env bash
# The cold start of a fit: for every algorithm of docs/algorithms.md's table, `recsys evaluate --repeat 3` on the fixed
# MovieLens split in one fresh process; the first fit is the process's first (cold), the other two are warm.
# Prints each algorithm's first fit, the mean of the later ones, their ratio and the whole process's wall clock
# (start to exit: reading, the three fits, their evaluation), so that time moved out of the fit shows there.
# Usage: scripts/first-fit.sh [path/to/ml-latest-small]   (RECSYS=path/to/recsys to measure another build)
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-${RECSYS_MOVIELENS_DIR:-../shared/data/ml-latest-small}}
if [ -z "${RECSYS:-}" ]; then
  dotnet build -c Release samples/Recsys.Cli >/dev/null
  RECSYS=samples/Recsys.Cli/bin/Release/net10.0/recsys
fi
out=$(mktemp)
trap 'rm -f "$out"' EXIT
echo "| algorithm | first fit (s) | later fits (s) | first / later | process (s) |"
echo "|---|---:|---:|---:|---:|"
for name in global-mean baseline popularity popularity-positive biased-mf svdpp als als-implicit truncated-svd nmf nmf-mu \
            nmf-masked hybrid knn-baseline item-knn ease blend; do
  start=$(date +%s%N)
  "$RECSYS" evaluate --train "$data/splits/train-80.csv" --test "$data/splits/test-20.csv" --algorithm "$name" --repeat 3 --json \
    2>/dev/null >"$out"
  end=$(date +%s%N)
  python3 -c '
import json, sys
runs = json.load(open(sys.argv[2]))["runs"]
cold = runs[0]["fit_seconds"]; warm = sum(r["fit_seconds"] for r in runs[1:]) / (len(runs) - 1)
ratio = "%.2f" % (cold / warm) if warm >= 0.0005 else "—"
print("| %s | %.3f | %.3f | %s | %.2f |" % (sys.argv[1], cold, warm, ratio, int(sys.argv[3]) / 1e9))' "$name" "$out" $((end - start))
done
