"""Liveness of the parts the desk depends on: database, broker, worker."""

import time

import redis
from django.conf import settings
from django.db import connection


def _redis() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)


def beat_worker_heartbeat() -> None:
    """Called by every worker on a timer (see newsroom.celery.WorkerHeartbeat)."""
    if settings.REDIS_URL:
        expiry = max(settings.WORKER_STALE_AFTER_SECONDS * 10, 600)
        _redis().set(settings.WORKER_HEARTBEAT_KEY, str(time.time()), ex=expiry)


def _eviction_problem(client: redis.Redis) -> str | None:
    """A broker that may evict keys without an expiry (allkeys-*) can drop queued jobs: say so."""
    try:
        policy = client.config_get("maxmemory-policy").get("maxmemory-policy", "")
    except redis.ResponseError:  # CONFIG disabled (managed Redis): nothing to tell
        return None
    if policy.startswith("allkeys"):
        return f"evicts queued jobs: maxmemory-policy is {policy}; use noeviction or volatile-lru (docs/deploy.md)"
    return None


def check() -> dict[str, str]:
    """Each part is "ok" or a short reason it is not."""
    status = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        status["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure is reported, not raised
        status["database"] = f"unreachable: {exc.__class__.__name__}"
    if not settings.REDIS_URL:
        status["broker"] = "not configured (REDIS_URL is empty)"
        status["worker"] = "unknown: no broker"
        return status
    try:
        client = _redis()
        client.ping()
        status["broker"] = _eviction_problem(client) or "ok"
        last = client.get(settings.WORKER_HEARTBEAT_KEY)
    except redis.RedisError as exc:
        status["broker"] = f"unreachable: {exc.__class__.__name__}"
        status["worker"] = "unknown: no broker"
        return status
    if last is None:
        status["worker"] = "no worker has reported"
    else:
        age = time.time() - float(last)
        fresh = age <= settings.WORKER_STALE_AFTER_SECONDS
        status["worker"] = "ok" if fresh else f"stale: last heartbeat {age:.0f}s ago"
    return status
