#!/usr/bin/env bash
# Prints the algorithm table of docs/algorithms.md: every algorithm evaluated on the fixed MovieLens latest-small split with
# `recsys evaluate --json`. Usage: scripts/evaluate-all.sh [path/to/ml-latest-small]
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-${RECSYS_MOVIELENS_DIR:-../shared/data/ml-latest-small}}
dotnet build -c Release samples/Recsys.Cli >/dev/null
recsys=samples/Recsys.Cli/bin/Release/net10.0/recsys
echo "| algorithm | command options | RMSE | MAE | P@10 | R@10 | NDCG@10 | MAP@10 | coverage | fit (s) |"
echo "|---|---|---|---|---|---|---|---|---|---|"
while read -r name options; do
  # shellcheck disable=SC2086
  "$recsys" evaluate --train "$data/splits/train-80.csv" --test "$data/splits/test-20.csv" --algorithm "$name" $options --json 2>/dev/null |
    python3 -c '
import json, sys
d = json.load(sys.stdin)
f = lambda k: "%.4f" % d[k]
print("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %.3f |" % (d["algorithm"], sys.argv[1] or "(defaults)", f("rmse"), f("mae"),
      f("precision_at_k"), f("recall_at_k"), f("ndcg_at_k"), f("map_at_k"), f("coverage"), d["fit_seconds"]))' "$options"
done <<'LIST'
global-mean
baseline
popularity
popularity-positive
biased-mf
svdpp
als
als-implicit
truncated-svd --rank 50
truncated-svd --rank 10
truncated-svd-centered --rank 10
nmf
nmf-mu
nmf-masked
knn-baseline
item-knn
ease
blend
LIST
