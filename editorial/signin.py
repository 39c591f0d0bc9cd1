"""The sign-in lockout, for every door: the desk's sign-in page, the API's token endpoint and the admin site
(whose sign-in page sends people to the desk's).

Two counters, each raised by one atomic increment *before* the password is checked, so attempts sent in
parallel cannot get past a limit:
- one username from one address: LOGIN_FAILURE_LIMIT attempts, then that username is refused from that
  address until LOGIN_LOCKOUT_SECONDS after the first; a success clears it;
- one address across all usernames: ADDRESS_FAILURE_LIMIT failures in the same window (an office behind one
  address makes far fewer; a guesser trying many names makes more).
The username is counted as Django reads it (NFKC-normalised) and case-folded: 'ｏmar' and '𝐨mar' are 'omar'.
Counts live in the cache (Redis); when it is unreachable nobody is locked out.
"""

import hashlib
import logging
import unicodedata

from django.core.cache import cache

log = logging.getLogger(__name__)

LOGIN_FAILURE_LIMIT = 5
ADDRESS_FAILURE_LIMIT = 50
LOGIN_LOCKOUT_SECONDS = 15 * 60
LOCKED_MESSAGE = "Too many failed sign-ins. Wait 15 minutes, or ask an admin to reset your password."


def canonical_username(username: str) -> str:
    """The name as Django's authentication reads it (NFKC), case-folded: one lockout for all its spellings."""
    return unicodedata.normalize("NFKC", username or "").strip().casefold()[:150]


def _keys(address: str, username: str) -> tuple[str, str]:
    name = hashlib.sha256(canonical_username(username).encode()).hexdigest()[:32]  # any characters, fixed length
    return f"login-attempts:{address}:{name}", f"login-failures:{address}"


def _bump(key: str) -> int:
    cache.add(key, 0, LOGIN_LOCKOUT_SECONDS)  # starts the window; a no-op when it is running
    try:
        count = cache.incr(key)
    except ValueError:  # the window ended between the two calls: this failure starts the next one
        cache.add(key, 0, LOGIN_LOCKOUT_SECONDS)
        count = cache.incr(key)
    if count == 1:  # a window that expired between Redis's EXISTS and INCR comes back without a TTL
        cache.touch(key, LOGIN_LOCKOUT_SECONDS)
    return count


def attempt(address: str, username: str) -> bool:
    """Count one sign-in attempt; False when this username or this address is over its limit.

    Call it before checking the password, then `succeeded` or leave the attempt counted as a failure.
    """
    user_key, address_key = _keys(address, username)
    try:
        allowed = _bump(user_key) <= LOGIN_FAILURE_LIMIT and _bump(address_key) <= ADDRESS_FAILURE_LIMIT
    except Exception as exc:  # noqa: BLE001 - a cache outage must not lock everyone out
        log.warning("Sign-in attempts not counted, the cache is unavailable: %s", exc)
        return True
    if not allowed:
        from .accounts import audit

        audit.record(audit.LOCKED_OUT, subject=audit.subject_named(username), username=username[:150])
    return allowed


def succeeded(address: str, username: str) -> None:
    """A right password: this username's attempts are forgotten, and it was no failure of the address."""
    user_key, address_key = _keys(address, username)
    try:
        cache.delete(user_key)
        cache.decr(address_key)
    except Exception:  # noqa: BLE001 - a missing counter or an outage: nothing to undo
        pass
