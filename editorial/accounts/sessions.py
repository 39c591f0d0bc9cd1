"""The sessions and API tokens a person can see and end (`/account/`). Ending one ends it everywhere: the session
is deleted from the store every web host reads, and its row with it."""

from datetime import timedelta

from django.utils import timezone

from editorial.models import UserSession

SEEN_EVERY = timedelta(minutes=1)
_SEEN_KEY = "_account_seen"


def seen(request) -> None:
    """Note that the session is in use, at most once a minute (one UPDATE, no read)."""
    session = getattr(request, "session", None)
    if session is None or not session.session_key or not request.user.is_authenticated:
        return
    now = timezone.now()
    last = session.get(_SEEN_KEY)
    if last is not None and now.timestamp() - last < SEEN_EVERY.total_seconds():
        return
    session[_SEEN_KEY] = now.timestamp()
    UserSession.objects.filter(session_key=session.session_key).update(last_seen=now)
