#!/usr/bin/env bash
# Records the current public API of every src/ project in its PublicAPI.Unshipped.txt:
# adds symbols the analyzer reports as undeclared (RS0016) and drops declared ones that are gone (RS0017).
# Run after changing a public surface, then review the diff of PublicAPI.*.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
for _ in 1 2 3 4 5; do
  log=$(dotnet build Recsys.sln -c Debug --no-incremental 2>&1 || true)
  changes=$(printf '%s\n' "$log" | python3 -c '
import re, sys, collections, os
add = collections.defaultdict(set); remove = collections.defaultdict(set)
for line in sys.stdin:
    m = re.search(r"error (RS0016|RS0017): Symbol \x27(.*)\x27 is .*\[(.*\.csproj)\]", line)
    if not m: continue
    path = os.path.join(os.path.dirname(m.group(3)), "PublicAPI.Unshipped.txt")
    (add if m.group(1) == "RS0016" else remove)[path].add(m.group(2))
n = 0
for path in set(add) | set(remove):
    lines = [l.rstrip("\n") for l in open(path)] if os.path.exists(path) else ["#nullable enable"]
    body = [l for l in lines[1:] if l and l not in remove[path]]
    body = sorted(set(body) | add[path], key=str.lower)
    open(path, "w").write("\n".join(["#nullable enable"] + body) + "\n")
    n += len(add[path]) + len(remove[path])
print(n)')
  echo "public API entries changed: $changes"
  [ "$changes" = "0" ] && break
done
