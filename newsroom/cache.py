"""Django's Redis cache, made to fail fast: a cache server that stops answering is skipped for a few seconds.

Every user of the cache already treats an error as a miss (the page is rendered afresh, the rate limit is not
checked). What a partition adds is time: each call would wait for its socket timeout. After one connection
error or timeout every thread of this process stops asking for RETRY_AFTER_SECONDS, so a request costs at
most one timeout, and only the requests that were already waiting pay it.
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

    def check(self) -> None:
        if time.monotonic() < self.down_until:
            raise CacheUnavailable("the cache did not answer a moment ago; it is skipped for now")

    def trip(self) -> None:
        self.down_until = time.monotonic() + RETRY_AFTER_SECONDS


# One breaker per cache server, shared by every thread of the process (Django makes a cache object per thread).
_breakers: dict[str, _Breaker] = {}
_breakers_lock = threading.Lock()


def breaker_for(location: str) -> _Breaker:
    with _breakers_lock:
        return _breakers.setdefault(location, _Breaker())


def _guarded(name: str):
    method = getattr(django_redis.RedisCacheClient, name)

    def call(self, *args, **kwargs):
        self.breaker.check()
        try:
            return method(self, *args, **kwargs)
        except (redis.ConnectionError, redis.TimeoutError):
            self.breaker.trip()
            raise

    call.__name__ = name
    return call


class _CacheClient(django_redis.RedisCacheClient):
    def __init__(self, servers, **options):
        super().__init__(servers, **options)
        self.breaker = breaker_for(",".join(servers))


for _name in ("add", "get", "set", "touch", "delete", "get_many", "has_key", "incr", "set_many", "delete_many",
              "clear"):
    setattr(_CacheClient, _name, _guarded(_name))


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _CacheClient
