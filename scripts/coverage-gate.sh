#!/usr/bin/env bash
# Merges the coverlet Cobertura reports of every test project (dotnet test ... --coverlet, see docs/development.md) into one
# line-coverage figure for the assemblies built from src/ and fails when it is below the threshold.
#   scripts/coverage-gate.sh <results-dir> [minimum-percent, default 80]
# Writes <results-dir>/report/Summary.txt (per assembly and class) and prints the total.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
results="${1:?usage: coverage-gate.sh <results-dir> [minimum-percent]}"
minimum="${2:-80}"
shopt -s nullglob
reports=("$results"/*.cobertura*.xml "$results"/*/*.cobertura*.xml)
if [ "${#reports[@]}" -eq 0 ]; then
  echo "coverage: no Cobertura reports in $results (run dotnet test with --coverlet --coverlet-output-format cobertura)" >&2
  exit 1
fi
# Only the packages: every project folder under src/.
# (src/Shared holds linked source files, not a project.)
filters="$(cd "$repo/src" && for d in */; do if [ -f "$d${d%/}.csproj" ]; then printf '+%s;' "${d%/}"; fi; done)"
cd "$repo"
dotnet tool restore >/dev/null
dotnet tool run reportgenerator "-reports:$(IFS=';'; echo "${reports[*]}")" "-targetdir:$results/report" \
  "-reporttypes:TextSummary" "-assemblyfilters:${filters%;}" "-verbosity:Error"
summary="$results/report/Summary.txt"
covered="$(sed -n 's/^ *Covered lines: *\([0-9]*\).*/\1/p' "$summary")"
coverable="$(sed -n 's/^ *Coverable lines: *\([0-9]*\).*/\1/p' "$summary")"
sed -n '/^Recsys\./p' "$summary"
awk -v c="$covered" -v t="$coverable" -v m="$minimum" 'BEGIN {
  p = 100 * c / t
  printf "coverage: %.1f%% of src/ lines (%d of %d) covered; minimum %s%%\n", p, c, t, m
  exit (p + 1e-9 < m) ? 1 : 0
}' || { echo "coverage: below the minimum" >&2; exit 1; }
