#!/usr/bin/env bash
# Installs (Debian packages, when missing) and starts the servers the tests use, on loopback only:
#   PostgreSQL 15 on a throwaway data directory, port 5433, user postgres, trust authentication, database recsys_test;
#   Redis 7 on port 6379.
# It also installs what the browser and Prometheus tests run: chromium, and prometheus (with promtool).
# The tests find PostgreSQL through RECSYS_POSTGRES; its default matches what this script starts:
#   RECSYS_POSTGRES="Host=127.0.0.1;Port=5433;Username=postgres;Database=recsys_test"
#   Azurite (Microsoft's Azure Storage emulator, npm package azurite, pinned below) blob service on port 10000, the
#   well-known development account; the tests find it through RECSYS_AZURITE (a connection string; the default
#   matches what this script starts).
#   s3rver (npm package s3rver, pinned below: an S3-compatible server; no S3 server is packaged by Debian, NuGet offers
#   none, and the npm registry's minio package is a client) on port 4569, accepting any well-formed signature; the
#   tests find it through RECSYS_S3 (an endpoint URL; the default matches what this script starts).
# The Redis tests start their own redis-server (from the package installed here) on a free port; the one started
# here on 6379 is for the sample host (--redis 127.0.0.1:6379).
# Safe to run again: servers already answering are left alone. What this run started is listed in
# $RECSYS_SERVICES_STARTED (default /tmp/recsys-services.started) for scripts/stop-services.sh, which stops only those.
set -euo pipefail
STARTED="${RECSYS_SERVICES_STARTED:-/tmp/recsys-services.started}"

PG_PORT="${RECSYS_PG_PORT:-5433}"
PG_DATA="${RECSYS_PG_DATA:-/tmp/recsys-pg}"
REDIS_PORT="${RECSYS_REDIS_PORT:-6379}"

need=()
[ -x /usr/lib/postgresql/15/bin/initdb ] || need+=(postgresql)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
# The dashboard's browser tests drive Debian's Chromium; the alert rules are checked with promtool, and a test
# scrapes a running host with a real Prometheus (both from the prometheus package).
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1 || need+=(prometheus)
if [ ${#need[@]} -gt 0 ]; then
  echo "services: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi

PG_BIN=/usr/lib/postgresql/15/bin
if "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; then
  echo "services: PostgreSQL already answers on 127.0.0.1:$PG_PORT"
else
  as_pg=()
  if [ "$(id -u)" = 0 ]; then as_pg=(runuser -u postgres --); fi
  if [ ! -f "$PG_DATA/PG_VERSION" ]; then
    rm -rf "$PG_DATA"
    mkdir -p "$PG_DATA"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$PG_DATA"
    "${as_pg[@]}" "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  fi
  # Sockets in the data directory: /var/run/postgresql may not exist or not be writable.
  "${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_DATA/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DATA -c fsync=on -c max_connections=200" start >/dev/null
  echo "postgresql $PG_DATA" >> "$STARTED"
  echo "services: PostgreSQL 15 started on 127.0.0.1:$PG_PORT (data $PG_DATA)"
fi
if ! psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'recsys_test'" | grep -q 1; then
  psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -qc "CREATE DATABASE recsys_test"
fi

if redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; then
  echo "services: Redis already answers on 127.0.0.1:$REDIS_PORT"
else
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no --daemonize yes >/dev/null
  for _ in $(seq 50); do redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
  echo "redis $REDIS_PORT" >> "$STARTED"
  echo "services: Redis started on 127.0.0.1:$REDIS_PORT"
fi

# An npm-installed server: install the pinned version when another (or none) is on PATH, then start it unless
# something already answers its probe URL, and wait until it does.
#   npm_server NAME COMMAND VERSION PROBE_URL DATA LOG DESCRIPTION -- ARGS…
npm_server() {
  local name=$1 command=$2 version=$3 probe=$4 data=$5 log=$6 description=$7
  shift 8
  if ! command -v "$command" >/dev/null 2>&1 || [ "$("$command" --version 2>/dev/null)" != "$version" ]; then
    echo "services: installing $name@$version (npm)"
    npm install -g --silent "$name@$version" >/dev/null 2>&1
  fi
  if curl -s -o /dev/null "$probe"; then
    echo "services: $name already answers at $probe"
    return
  fi
  mkdir -p "$data"
  nohup "$command" "$@" > "$log" 2>&1 &
  echo "$name $!" >> "$STARTED"
  for _ in $(seq 100); do curl -s -o /dev/null "$probe" && break; sleep 0.1; done
  echo "services: $name $version ($description) started (data $data)"
}

AZURITE_PORT="${RECSYS_AZURITE_PORT:-10000}"
AZURITE_DATA="${RECSYS_AZURITE_DATA:-/tmp/recsys-azurite}"
# --skipApiVersionCheck: the Azure SDK may ask for a service version newer than this Azurite knows.
npm_server azurite azurite-blob 3.37.0 "http://127.0.0.1:$AZURITE_PORT/devstoreaccount1?comp=list" "$AZURITE_DATA" "$AZURITE_DATA/azurite.log" \
  "blob, 127.0.0.1:$AZURITE_PORT" -- --blobHost 127.0.0.1 --blobPort "$AZURITE_PORT" --location "$AZURITE_DATA" --skipApiVersionCheck --silent

S3_PORT="${RECSYS_S3_PORT:-4569}"
S3_DATA="${RECSYS_S3_DATA:-/tmp/recsys-s3}"
npm_server s3rver s3rver 3.7.1 "http://127.0.0.1:$S3_PORT/" "$S3_DATA" "$S3_DATA.log" \
  "S3, 127.0.0.1:$S3_PORT" -- -d "$S3_DATA" -a 127.0.0.1 -p "$S3_PORT" --silent --allow-mismatched-signatures --no-vhost-buckets
