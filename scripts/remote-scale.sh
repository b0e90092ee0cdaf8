#!/usr/bin/env bash
# The object-storage scale figure (docs/performance.md): `recsys train` of N synthetic ratings (default 30 M: 300 k
# users, 40 k items) from one Snappy Parquet file on local disk and from the same file in Azure Blob Storage (Azurite
# on loopback), biased MF rank 64 x 20 epochs, whole process: wall clock and peak RSS from /usr/bin/time -v,
# alternating local and remote for ROUNDS rounds (default 2). Not part of CI (minutes and gigabytes).
# LATENCY_MS=20 puts a round trip of 20 ms between the trainer and Azurite (scripts/latency-proxy.js), as over a
# network; CLI=path/to/recsys.dll measures another build (an older commit's, for a before/after).
#   bash scripts/remote-scale.sh [ratings] [users] [items]
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-30000000}"; U="${2:-300000}"; I="${3:-40000}"; ROUNDS="${ROUNDS:-2}"
WORK="${WORK:-/tmp/recsys-remote-scale}"
mkdir -p "$WORK"
bash scripts/start-services.sh >/dev/null
dotnet build -c Release --nologo -v quiet samples/Recsys.Cli >/dev/null
recsys=(dotnet "${CLI:-samples/Recsys.Cli/bin/Release/net10.0/recsys.dll}")
file="$WORK/g$N.parquet"
[ -f "$file" ] || "${recsys[@]}" generate --users "$U" --items "$I" --ratings "$N" --out "$file" >/dev/null
export AZURE_STORAGE_CONNECTION_STRING="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;"
# The upload uses Microsoft's JavaScript SDK (npm, pinned), installed beside the data, not in the repository.
[ -d "$WORK/node/node_modules/@azure/storage-blob" ] || npm install --silent --prefix "$WORK/node" @azure/storage-blob@12.34.0 >/dev/null
NODE_PATH="$WORK/node/node_modules" node -e '
const { BlobServiceClient } = require("@azure/storage-blob");
(async () => {
  const container = BlobServiceClient.fromConnectionString(process.env.AZURE_STORAGE_CONNECTION_STRING).getContainerClient("scale");
  await container.createIfNotExists();
  await container.getBlockBlobClient(process.argv[2]).uploadFile(process.argv[1], { blockSize: 8 << 20, concurrency: 4 });
})().catch(e => { console.error(e.message); process.exit(1); });' "$file" "g$N/part-0.parquet"
remote="az://scale/g$N"
if [ -n "${LATENCY_MS:-}" ]; then
  node scripts/latency-proxy.js 10010 10000 "$LATENCY_MS" & proxy=$!
  trap 'kill $proxy' EXIT
  export AZURE_STORAGE_CONNECTION_STRING="${AZURE_STORAGE_CONNECTION_STRING/127.0.0.1:10000/127.0.0.1:10010}"
  sleep 1
fi
echo "source,round,wall_s,peak_rss_mib"
for round in $(seq "$ROUNDS"); do
  for source in "$file" "$remote"; do
    /usr/bin/time -v "${recsys[@]}" train --data "$source" --algorithm biased-mf --rank 64 --epochs 20 --out "$WORK/m.bin" \
      > "$WORK/train.out" 2> "$WORK/time.txt" || { cat "$WORK/train.out" "$WORK/time.txt" >&2; exit 1; }
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/{n=split($2,p,":"); s=0; for(i=1;i<=n;i++) s=s*60+p[i]; print s}' "$WORK/time.txt")
    rss=$(awk -F': ' '/Maximum resident set size/{printf "%.0f", $2/1024}' "$WORK/time.txt")
    echo "$([ "$source" = "$file" ] && echo local || echo azurite),$round,$wall,$rss"
  done
done
