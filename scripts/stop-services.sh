#!/usr/bin/env bash
# Stops the servers scripts/start-services.sh started (listed in $RECSYS_SERVICES_STARTED, default
# /tmp/recsys-services.started); servers it found already running are left alone. .ci/run calls it on exit.
#   scripts/stop-services.sh
set -uo pipefail
STARTED="${RECSYS_SERVICES_STARTED:-/tmp/recsys-services.started}"
[ -f "$STARTED" ] || exit 0
while read -r kind where; do
  case "$kind" in
    postgresql)
      as_pg=()
      if [ "$(id -u)" = 0 ]; then as_pg=(runuser -u postgres --); fi
      "${as_pg[@]}" /usr/lib/postgresql/15/bin/pg_ctl -D "$where" -m fast -w stop >/dev/null && echo "services: PostgreSQL ($where) stopped"
      ;;
    redis)
      redis-cli -h 127.0.0.1 -p "$where" shutdown nosave >/dev/null 2>&1; echo "services: Redis (127.0.0.1:$where) stopped"
      ;;
    azurite|s3rver)
      kill "$where" 2>/dev/null && echo "services: $kind (pid $where) stopped"
      ;;
  esac
done < "$STARTED"
rm -f "$STARTED"
