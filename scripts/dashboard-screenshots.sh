#!/usr/bin/env bash
# Screenshots of the dashboard for docs/operations.md, from the running sample web host: it starts the sample on a fresh
# registry (the built-in synthetic data, or --data FILE), runs the retraining flow twice through the API, sends some
# recommendation requests, then has Debian's headless Chromium photograph every page a reader can open (models,
# versions, comparison, a promotion's confirmation, runs, a run's timeline, audit, live) at 1400 px, and the versions
# and run pages at a phone's 390 px, into docs/images/. Needs chromium (apt-get install -y chromium) and a free port
# 5000. (The signed-in action buttons are not photographed: the Chromium command line cannot sign in.)
#   bash scripts/dashboard-screenshots.sh [--data ../shared/data/ml-latest-small/ratings.csv]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work=$(mktemp -d)
out="$root/docs/images"
mkdir -p "$out"
url=http://127.0.0.1:5000
key=screenshot-key

dotnet build samples/Recsys.Samples.WebApi -c Release -v q -nologo >/dev/null
(cd samples/Recsys.Samples.WebApi && Recsys__AdminApiKey=$key exec dotnet bin/Release/net10.0/Recsys.Samples.WebApi.dll \
  --urls $url --registry "$work/registry" "$@" >"$work/host.log" 2>&1) &
host=$!
trap 'kill $host 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 120); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' $url/health/ready)" = 200 ] && break
  sleep 1
done
[ "$(curl -s -o /dev/null -w '%{http_code}' $url/health/ready)" = 200 ] || { echo "the sample host did not become ready:"; tail -20 "$work/host.log"; exit 1; }

retrain() {
  local run
  run=$(curl -sf -X POST -H "X-Api-Key: $key" $url/models/retrain | sed 's/.*"run_id":"\([^"]*\)".*/\1/')
  for _ in $(seq 1 300); do
    curl -sf -H "X-Api-Key: $key" "$url/runs/$run" | grep -q '"state":"Running"' || break
    sleep 1
  done
  echo "$run"
}
retrain >/dev/null
# Users rate more between the runs, so the second run trains on new data and registers new versions.
body=$(for i in $(seq 1 200); do printf '{"user_id":"%d","item_id":"%d","rating":4,"timestamp":%d},' $(( i % 50 + 1 )) $(( (i * 7) % 1500 + 1 )) $(( 2000000000 + i )); done)
curl -sf -o /dev/null -H 'Content-Type: application/json' -d "[${body%,}]" $url/interactions
run=$(retrain)
for i in $(seq 1 400); do curl -s -o /dev/null "$url/users/$(( i % 60 + 1 ))/recommendations"; done

versions=$(curl -sf "$url/stats" | sed 's/.*"version":\([0-9]*\).*/\1/')
shoot() { # name path [width height]
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --user-data-dir="$work/chromium-$1" --hide-scrollbars \
    --window-size="${3:-1400},${4:-1100}" --virtual-time-budget=3000 --screenshot="$out/dashboard-$1.png" "$url$2" 2>/dev/null
  echo "wrote docs/images/dashboard-$1.png ($url$2)"
}
shoot models /dashboard 1400 500
shoot versions /dashboard/models/movies
shoot compare "/dashboard/models/movies/compare?a=1&b=$(( versions > 1 ? versions : 2 ))"
shoot confirm "/dashboard/models/movies/confirm?action=promote&version=1" 1400 600
shoot runs /dashboard/runs 1400 600
shoot run "/dashboard/runs/$run"
shoot audit /dashboard/audit 1400 800
shoot versions-390 /dashboard/models/movies 390 1400
shoot run-390 "/dashboard/runs/$run" 390 1400
for i in $(seq 1 300); do curl -s -o /dev/null "$url/users/$(( i % 90 + 1 ))/recommendations"; done
shoot live /dashboard/live
