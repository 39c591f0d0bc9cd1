"""Django's Redis cache, made to fail fast: a cache server that stops answering is skipped for a few seconds.

Every user of the cache already treats an error as a miss (the page is rendered afresh, the rate limit is not
checked). What a partition adds is time: each call would wait for its socket timeout. After one connection
error or timeout this process stops asking for RETRY_AFTER_SECONDS, so a request costs at most one timeout.
"""

import threading
import time

import redis
from django.core.cache.backends import redis as django_redis

RETRY_AFTER_SECONDS = 5.0


class CacheUnavailable(redis.ConnectionError):
    """The cache failed a moment ago; not asked again yet."""


class _Breaker:
    def __init__(self):
        self.down_until = 0.0
        self.lock = threading.Lock()

    def check(self) -> None:
        if time.monotonic() < self.down_until:
            raise CacheUnavailable("the cache did not answer a moment ago; it is skipped for now")

    def trip(self) -> None:
        with self.lock:
            self.down_until = time.monotonic() + RETRY_AFTER_SECONDS


class _CacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        breaker = self.breaker = _Breaker()

        class GuardedRedis(self._lib.Redis):
            def execute_command(self, *args, **options):
                try:
                    return super().execute_command(*args, **options)
                except (redis.ConnectionError, redis.TimeoutError):
                    breaker.trip()
                    raise

        self._client = GuardedRedis

    def get_client(self, key=None, *, write=False):
        self.breaker.check()
        return super().get_client(key, write=write)


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _CacheClient
