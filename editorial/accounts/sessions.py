"""The sessions and API tokens a person can see and end (`/account/`). Ending one ends it everywhere: the session
is deleted from the store every web host reads, and its row with it."""

import logging
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone
from rest_framework.authtoken.models import Token

from editorial import credentials
from editorial.models import UserSession

from . import audit

log = logging.getLogger(__name__)
SEEN_EVERY = timedelta(minutes=1)
_SEEN_KEY = "_account_seen"


def seen(request) -> None:
    """Note that the session is in use, at most once a minute (one UPDATE, no read). The note comes after the
    answer is made: a database that has gone away meanwhile leaves the answer as it is (a /healthz 503 stays
    the JSON it is), the note is skipped."""
    try:
        session = getattr(request, "session", None)
        if session is None or not session.session_key or not request.user.is_authenticated:
            return
        now = timezone.now()
        last = session.get(_SEEN_KEY)
        if last is not None and now.timestamp() - last < SEEN_EVERY.total_seconds():
            return
        session[_SEEN_KEY] = now.timestamp()
        UserSession.objects.filter(session_key=session.session_key).update(last_seen=now)
    except DatabaseError as exc:
        log.warning("The session's last use was not noted: %s", exc)


_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
             ("Safari/", "Safari"), ("curl/", "curl"), ("python-requests", "Python requests"))
_SYSTEMS = (("Android", "Android"), ("iPhone", "iOS"), ("iPad", "iPadOS"), ("Windows", "Windows"),
            ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))


def browser(user_agent: str) -> str:
    """'Firefox on Linux' from a User-Agent header, as far as it says; enough to tell one's sessions apart."""
    name = next((label for marker, label in _BROWSERS if marker in user_agent), "")
    system = next((label for marker, label in _SYSTEMS if marker in user_agent), "")
    if name and system:
        return f"{name} on {system}"
    return name or system or "Unknown browser"


def of(user, current_key: str | None) -> list[UserSession]:
    """The user's sessions, the one in use first, then the most recently seen; each with `.browser`, `.current`."""
    rows = list(UserSession.objects.filter(user=user).order_by("-last_seen", "-created_at"))
    for row in rows:
        row.browser = browser(row.user_agent)
        row.current = row.session_key == current_key
    return sorted(rows, key=lambda row: not row.current)


def _end(rows) -> int:
    store = import_module(settings.SESSION_ENGINE).SessionStore
    ended = 0
    for row in rows:
        store(session_key=row.session_key).delete()
        row.delete()
        ended += 1
    return ended


def end(user, session_id: int) -> bool:
    """End one of the user's sessions wherever it is used; False when they have no such session."""
    row = UserSession.objects.filter(user=user, pk=session_id).first()
    if row is None:
        return False
    _end([row])
    audit.record(audit.SESSION_ENDED, subject=user, actor=user, session_address=row.address,
                 browser=browser(row.user_agent))
    return True


def end_others(user, current_key: str | None) -> int:
    """End every session of the user's but the one in use; how many ended."""
    ended = _end(UserSession.objects.filter(user=user).exclude(session_key=current_key or ""))
    if ended:
        audit.record(audit.SESSION_ENDED, subject=user, actor=user, others=ended)
    return ended


def token_of(user):
    """The user's API token with its expiry (`.expires_at`), or None."""
    token = Token.objects.filter(user=user).first()
    if token is not None:
        token.expires_at = credentials.expires_at(token)
    return token


def revoke_token(user, *, actor=None) -> bool:
    """Delete the user's API token: whatever uses it is refused until they sign in again."""
    deleted, _ = Token.objects.filter(user=user).delete()
    if deleted:
        audit.record(audit.TOKEN_REVOKED, subject=user, actor=actor or user)
    return bool(deleted)
