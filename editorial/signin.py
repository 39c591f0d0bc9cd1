"""Repeated failed sign-ins: after LOGIN_FAILURE_LIMIT failures for one username from one address, that
username is refused from that address until LOGIN_LOCKOUT_SECONDS after the first failure. The desk's sign-in
page and the API's token endpoint both ask here, so neither is a way around the other.

Counts live in the cache (Redis); when it is unreachable nobody is locked out.
"""

from django.core.cache import cache

LOGIN_FAILURE_LIMIT = 5
LOGIN_LOCKOUT_SECONDS = 15 * 60
LOCKED_MESSAGE = "Too many failed sign-ins. Wait 15 minutes, or ask an admin to reset your password."


def _key(address: str, username: str) -> str:
    return f"login-failures:{address}:{(username or '').strip().lower()[:150]}"


def locked(address: str, username: str) -> bool:
    try:
        return cache.get(_key(address, username), 0) >= LOGIN_FAILURE_LIMIT
    except Exception:  # noqa: BLE001 - a cache outage must not lock everyone out
        return False


def failed(address: str, username: str) -> None:
    try:
        cache.add(_key(address, username), 0, LOGIN_LOCKOUT_SECONDS)
        cache.incr(_key(address, username))
    except Exception:  # noqa: BLE001
        pass


def succeeded(address: str, username: str) -> None:
    try:
        cache.delete(_key(address, username))
    except Exception:  # noqa: BLE001
        pass
