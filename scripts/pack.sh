#!/usr/bin/env bash
# Packs every project in src/ (nupkg + snupkg) from a clean clone of HEAD into the folder given (default
# ./artifacts/packages), with deterministic CI paths and SourceLink to the public repository, then packs again from a
# second clone at another path and checks that every assembly is byte-for-byte the same (deterministic build).
#   scripts/pack.sh [out-dir]        RECSYS_REPOSITORY_URL overrides the repository URL recorded in the packages.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
out="$(mkdir -p "${1:-$repo/artifacts/packages}" && cd "${1:-$repo/artifacts/packages}" && pwd)"
url="${RECSYS_REPOSITORY_URL:-https://github.com/recsys-dotnet/recsys}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if [ -n "$(git -C "$repo" status --porcelain -- src Directory.Build.props Directory.Packages.props)" ]; then
  echo "pack: warning: uncommitted changes under src/ are not packed (packing HEAD $(git -C "$repo" rev-parse --short HEAD))" >&2
fi

pack() { # clone HEAD to $1, pack into $2
  git clone --quiet --no-local "$repo" "$1"
  # SourceLink maps sources through the origin remote; a local-path origin has no public URL.
  git -C "$1" remote set-url origin "$url"
  for project in "$1"/src/*/*.csproj; do
    dotnet pack "$project" -c Release -o "$2" -p:ContinuousIntegrationBuild=true --nologo -v quiet
  done
}

pack "$work/a" "$work/out-a"
pack "$work/b/other/path" "$work/out-b"

status=0
for package in "$work"/out-a/*.nupkg; do
  name="$(basename "$package")"
  mkdir -p "$work/x/a/$name" "$work/x/b/$name"
  unzip -q "$package" 'lib/*' -d "$work/x/a/$name"
  unzip -q "$work/out-b/$name" 'lib/*' -d "$work/x/b/$name"
  if ! diff -r "$work/x/a/$name" "$work/x/b/$name" >/dev/null; then
    echo "pack: $name differs between two clean builds of the same commit (not deterministic)" >&2
    status=1
  fi
  # SourceLink: the PDB in the symbol package must map the sources to the repository at this commit.
  symbols="$work/out-a/${name%.nupkg}.snupkg"
  unzip -q -o "$symbols" '*.pdb' -d "$work/x/pdb-$name"
  if ! grep -aq "raw.githubusercontent.com" -r "$work/x/pdb-$name"; then
    echo "pack: $(basename "$symbols") has no SourceLink map" >&2
    status=1
  fi
done
[ "$status" -eq 0 ] || exit "$status"

cp "$work"/out-a/*.nupkg "$work"/out-a/*.snupkg "$out"/
echo "pack: $(ls "$work"/out-a/*.nupkg | wc -l) packages (+ symbols) in $out; assemblies identical across two clean builds; SourceLink to $url"
