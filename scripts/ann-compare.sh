#!/usr/bin/env bash
# The item-index comparison (docs/performance.md): a biased-MF model of about a million items (recsys generate
# --users 300000 --items 1000000 --ratings 30000000, rank 64, 10 epochs), its item vectors and 2,000 of its users as
# queries, the exact top 10 of each; then Recsys' index (FactorIndex: IVF, probe swept, and the served path at the
# calibrated probe) and the peers on the same vectors: FAISS IVF-Flat (inner product, the same number of lists),
# FAISS HNSW-Flat and hnswlib (M 16, efConstruction 100, on the MIPS-to-NN transform). Queries on one thread;
# builds on every core. Not part of CI (minutes and gigabytes).
#   bash scripts/ann-compare.sh            WORK=/tmp/recsys-ann QUERIES=2000
set -euo pipefail
cd "$(dirname "$0")/.."
WORK="${WORK:-/tmp/recsys-ann}"; QUERIES="${QUERIES:-2000}"
mkdir -p "$WORK"
if ! /usr/bin/python3 -c 'import faiss, hnswlib' 2>/dev/null; then
  apt-get install -y -q python3-faiss python3-hnswlib >/dev/null
fi
dotnet build -c Release --nologo -v quiet samples/Recsys.Cli >/dev/null
dotnet build -c Release --nologo -v quiet benchmarks/Recsys.Benchmarks >/dev/null
recsys=(dotnet samples/Recsys.Cli/bin/Release/net10.0/recsys.dll)
[ -f "$WORK/g.parquet" ] || "${recsys[@]}" generate --users 300000 --items 1000000 --ratings 30000000 --out "$WORK/g.parquet" >/dev/null
if [ ! -f "$WORK/m.bin" ]; then
  "${recsys[@]}" train --data "$WORK/g.parquet" --algorithm biased-mf --rank 64 --epochs 10 --out "$WORK/m.bin" | tail -1
fi
dotnet benchmarks/Recsys.Benchmarks/bin/Release/net10.0/Recsys.Benchmarks.dll ann "$WORK/m.bin" "$WORK/vectors" "$QUERIES"
/usr/bin/python3 scripts/peers/ann-faiss-hnswlib.py "$WORK/vectors" | tail -n +1
