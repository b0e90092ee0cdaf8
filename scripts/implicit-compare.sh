#!/usr/bin/env bash
# implicit ALS side by side with the `implicit` library (docs/performance.md): Recsys `recsys train --algorithm
# als-implicit` (64 factors, 15 iterations, regularization 20, confidence 1 + 5 for ratings of 4 or more, 2 threads)
# and implicit 0.7.3's AlternatingLeastSquares with the same settings (scripts/peers/implicit-als.py), built from
# source: its Cython modules compiled here against Debian's numpy and scipy (g++ -O3 -march=native -fopenmp), the
# source from IMPLICIT_SRC (a git directory of github.com/benfred/implicit). On ml-latest-small and on a synthetic
# 10 M-rating set (recsys generate --users 100000 --items 20000), ROUNDS alternating rounds (default 2): whole process
# (wall clock and peak RSS from /usr/bin/time -v) and the fit alone (each program's own timer). Not part of CI.
#   IMPLICIT_SRC=/path/to/implicit.git bash scripts/implicit-compare.sh
set -euo pipefail
cd "$(dirname "$0")/.."
WORK="${WORK:-/tmp/recsys-implicit}"; ROUNDS="${ROUNDS:-2}"
: "${IMPLICIT_SRC:?set IMPLICIT_SRC to a git directory of github.com/benfred/implicit}"
mkdir -p "$WORK"
dpkg -s cython3 python3-scipy python3-dev g++ >/dev/null 2>&1 || apt-get install -y -q cython3 python3-scipy python3-dev g++ >/dev/null
if [ ! -d "$WORK/implicit" ]; then
  mkdir -p "$WORK/implicit" && git --git-dir="$IMPLICIT_SRC" archive HEAD | tar -x -C "$WORK/implicit"
  (cd "$WORK/implicit"
   inc="$(python3-config --includes) -I$(/usr/bin/python3 -c 'import numpy; print(numpy.get_include())') -I."
   for pyx in implicit/_nearest_neighbours.pyx implicit/evaluation.pyx implicit/cpu/_als.pyx implicit/cpu/bpr.pyx implicit/cpu/topk.pyx implicit/cpu/lmf.pyx; do
     cython3 -3 --cplus --directive always_allow_keywords=True,binding=True,embedsignature=True,language_level=3 "$pyx" -o "${pyx%.pyx}.cxx" 2>/dev/null
     g++ -O3 -march=native -fopenmp -shared -fPIC $inc "${pyx%.pyx}.cxx" -o "${pyx%.pyx}$(python3-config --extension-suffix)"
   done)
fi
dotnet build -c Release --nologo -v quiet samples/Recsys.Cli >/dev/null
recsys=(dotnet samples/Recsys.Cli/bin/Release/net10.0/recsys.dll)
[ -f "$WORK/g10m.csv" ] || "${recsys[@]}" generate --users 100000 --items 20000 --ratings 10000000 --out "$WORK/g10m.csv" >/dev/null
measure() { # label command…: one line with wall clock, peak RSS and the fit time the program printed
  /usr/bin/time -v "${@:2}" > "$WORK/out.txt" 2> "$WORK/time.txt" || { cat "$WORK/out.txt" "$WORK/time.txt" >&2; exit 1; }
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/{n=split($2,p,":"); s=0; for(i=1;i<=n;i++) s=s*60+p[i]; print s}' "$WORK/time.txt")
  rss=$(awk -F': ' '/Maximum resident set size/{printf "%.0f", $2/1024}' "$WORK/time.txt")
  fit=$(grep -hoE '(fit|in) [0-9.]+ s' "$WORK/out.txt" "$WORK/time.txt" | tail -1 | grep -oE '[0-9.]+')
  echo "$1,$wall,$rss,$fit"
}
echo "program,data,round,wall_s,peak_rss_mib,fit_s"
for data in ../shared/data/ml-latest-small/ratings.csv "$WORK/g10m.csv"; do
  name=$(basename "$data" .csv)
  for round in $(seq "$ROUNDS"); do
    measure "recsys,$name,$round" "${recsys[@]}" train --data "$data" --format csv --scale any --algorithm als-implicit --out "$WORK/m.bin"
    measure "implicit,$name,$round" env PYTHONPATH="$WORK/implicit" OPENBLAS_NUM_THREADS=1 /usr/bin/python3 scripts/peers/implicit-als.py "$data"
  done
done
