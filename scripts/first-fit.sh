#!/usr/bin/env bash
# The cold start of a fit: for every algorithm of the README's table, `recsys evaluate --repeat 3` on the fixed
# MovieLens split in one fresh process; the first fit compiles the code (cold), the other two do not (warm).
# Prints each algorithm's cold fit, the mean of the warm ones and their ratio.
# Usage: scripts/first-fit.sh [path/to/ml-latest-small]   (RECSYS=path/to/recsys to measure another build)
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-${RECSYS_MOVIELENS_DIR:-../shared/data/ml-latest-small}}
if [ -z "${RECSYS:-}" ]; then
  dotnet build -c Release samples/Recsys.Cli >/dev/null
  RECSYS=samples/Recsys.Cli/bin/Release/net10.0/recsys
fi
echo "| algorithm | first fit (s) | later fits (s) | first / later |"
echo "|---|---:|---:|---:|"
for name in global-mean baseline popularity popularity-positive biased-mf svdpp als als-implicit truncated-svd nmf nmf-mu \
            nmf-masked hybrid knn-baseline item-knn ease blend; do
  "$RECSYS" evaluate --train "$data/splits/train-80.csv" --test "$data/splits/test-20.csv" --algorithm "$name" --repeat 3 --json 2>/dev/null |
    python3 -c '
import json, sys
runs = json.load(sys.stdin)["runs"]
cold = runs[0]["fit_seconds"]; warm = sum(r["fit_seconds"] for r in runs[1:]) / (len(runs) - 1)
print("| %s | %.3f | %.3f | %.2f |" % (sys.argv[1], cold, warm, cold / warm))' "$name"
done
