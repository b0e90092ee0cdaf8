#!/usr/bin/env bash
# Biased MF side by side with LIBMF (docs/performance.md, "Scale"): the same synthetic ratings, a seeded held-out
# share, each program's defaults but rank and iterations, 2 threads. Recsys reads the training ratings as Parquet
# (`recsys generate --out train.parquet --test-out test.parquet`); LIBMF reads the same split as text ("user item
# rating" lines: the same generator writing CSV through a pipe, so the 1 B-rating text is never beside a CSV copy).
# LIBMF 2.x is built from LIBMF_SRC (a git directory of github.com/cjlin1/libmf) with its Makefile (-O3 -march=native,
# SSE, OpenMP). Whole processes with /usr/bin/time -v (wall clock, peak RSS), ROUNDS alternating rounds (default 1),
# and each model's RMSE on the held-out ratings (`recsys train --test`, LIBMF's `mf-predict -e 0`). Not part of CI.
#   LIBMF_SRC=/path/to/libmf.git bash scripts/libmf-compare.sh                      # 30 M: 300 k users, 40 k items, k64 × 20
#   LIBMF_SRC=… N=1000000000 U=10000000 I=1000000 RANK=32 EPOCHS=10 bash scripts/libmf-compare.sh   # 1 B (needs ~45 GB of disk)
set -euo pipefail
cd "$(dirname "$0")/.."
N="${N:-30000000}"; U="${U:-300000}"; I="${I:-40000}"; RANK="${RANK:-64}"; EPOCHS="${EPOCHS:-20}"
ROUNDS="${ROUNDS:-1}"; FRACTION="${FRACTION:-0.01}"; WORK="${WORK:-/tmp/recsys-libmf}"
: "${LIBMF_SRC:?set LIBMF_SRC to a git directory of github.com/cjlin1/libmf}"
mkdir -p "$WORK"
if [ ! -x "$WORK/libmf/mf-train" ]; then
  mkdir -p "$WORK/libmf" && git --git-dir="$LIBMF_SRC" archive HEAD | tar -x -C "$WORK/libmf"
  make -C "$WORK/libmf" -j2 >/dev/null
fi
dotnet build -c Release --nologo -v quiet samples/Recsys.Cli >/dev/null
recsys=(dotnet samples/Recsys.Cli/bin/Release/net10.0/recsys.dll)
shape=(--users "$U" --items "$I" --ratings "$N" --test-fraction "$FRACTION")
data="$WORK/g$N"
if [ ! -f "$data-train.parquet" ]; then
  "${recsys[@]}" generate "${shape[@]}" --out "$data-train.parquet" --test-out "$data-test.parquet" 2>/dev/null
fi
if [ ! -f "$data-train.txt" ]; then
  rm -f "$WORK/train.fifo" "$WORK/test.fifo" && mkfifo "$WORK/train.fifo" "$WORK/test.fifo"
  (tail -n +2 "$WORK/train.fifo" | cut -d, -f1-3 | tr ',' ' ' > "$data-train.txt") &
  (tail -n +2 "$WORK/test.fifo" | cut -d, -f1-3 | tr ',' ' ' > "$data-test.txt") &
  "${recsys[@]}" generate "${shape[@]}" --out "$WORK/train.fifo" --test-out "$WORK/test.fifo" 2>/dev/null
  wait
  rm -f "$WORK/train.fifo" "$WORK/test.fifo"
fi
train_rows=$(( $(wc -l < "$data-train.txt") ))
measure() { # label command…: wall clock (s), peak RSS (MiB), bytes a training rating
  /usr/bin/time -v "${@:2}" > "$WORK/out.txt" 2> "$WORK/time.txt" || { tail -5 "$WORK/out.txt" "$WORK/time.txt" >&2; exit 1; }
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/{n=split($2,p,":"); s=0; for(i=1;i<=n;i++) s=s*60+p[i]; print s}' "$WORK/time.txt")
  kib=$(awk -F': ' '/Maximum resident set size/{print $2}' "$WORK/time.txt")
  printf '%s,%s,%.0f,%.1f' "$1" "$wall" "$((kib / 1024))" "$(echo "$kib * 1024 / $train_rows" | bc -l)"
}
echo "program,round,wall_s,peak_rss_mib,bytes_per_rating,test_rmse"
for round in $(seq "$ROUNDS"); do
  measure "recsys,$round" "${recsys[@]}" train --data "$data-train.parquet" --test "$data-test.parquet" --algorithm biased-mf --rank "$RANK" --epochs "$EPOCHS" --out "$WORK/m.bin"
  echo ",$(grep -oE 'RMSE [0-9.]+' "$WORK/out.txt" | grep -oE '[0-9.]+')"
  measure "libmf,$round" "$WORK/libmf/mf-train" -k "$RANK" -t "$EPOCHS" -s 2 "$data-train.txt" "$WORK/m.libmf"
  "$WORK/libmf/mf-predict" -e 0 "$data-test.txt" "$WORK/m.libmf" "$WORK/predictions.txt" > "$WORK/predict.txt"
  echo ",$(grep -oE 'RMSE = [0-9.]+' "$WORK/predict.txt" | grep -oE '[0-9.]+')"
done
