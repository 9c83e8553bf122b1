#!/bin/sh
# Container start-up with Strata: bring the schema to head (or check it), then
# start the application. Copy into the image and make it the ENTRYPOINT:
#
#   COPY docs/entrypoint.sh /usr/local/bin/entrypoint.sh
#   ENTRYPOINT ["/usr/local/bin/entrypoint.sh"]
#   CMD ["node", "dist/server.js"]
#
# Environment:
#   DATABASE_URL            what the application uses (may be a pooled URL)
#   MIGRATE_DATABASE_URL    the direct URL for migrations, if the provider has one
#                           (Neon, Supabase, Vercel); default: DATABASE_URL
#   STRATA_START            ensure (default): `strata ensure` (STRATA_SCHEMA_MODE
#                           migrate | verify | create_all); up: `strata up --backup`;
#                           off: start without touching the schema
#   STRATA_LOCK_MODE        auto (default): session on a direct connection, transaction
#                           behind a pooler (PgBouncer...); session or transaction forces one
#   STRATA_BACKUP_DIR       where `up` writes its pg_dump (default: /var/backups/strata)
#   STRATA_LOCK_WAIT_MS     how long a replica waits for another one's run (default: 300000)
set -eu

: "${DATABASE_URL:?DATABASE_URL is not set}"
migrate_url="${MIGRATE_DATABASE_URL:-$DATABASE_URL}"
lock_mode="${STRATA_LOCK_MODE:-auto}"
lock_wait="${STRATA_LOCK_WAIT_MS:-300000}"

case "${STRATA_START:-ensure}" in
  ensure)
    # Every replica may run this at once: one advisory lock, each migration applied once.
    # Exit 1 (verify: not at head; create_all refused) stops the container.
    DATABASE_URL="$migrate_url" strata ensure --mode "${STRATA_SCHEMA_MODE:-migrate}" --lock-mode "$lock_mode" --lock-wait "$lock_wait"
    ;;
  up)
    # A backup before the first pending migration (none when nothing is pending);
    # a failing backup refuses to migrate. pg_dump must be as new as the server.
    DATABASE_URL="$migrate_url" strata up --backup "${STRATA_BACKUP_DIR:-/var/backups/strata}" --lock-mode "$lock_mode" --lock-wait "$lock_wait"
    ;;
  off)
    ;;
  *)
    echo "entrypoint: STRATA_START must be ensure, up or off (got '${STRATA_START}')" >&2
    exit 2
    ;;
esac

exec "$@"
