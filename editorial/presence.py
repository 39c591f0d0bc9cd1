"""Who else has an article open, and on which segment: a heartbeat each open workspace sends every few
seconds (htmx polling), kept in the cache for PRESENCE_SECONDS. Ephemeral by design: a lost heartbeat only
hides someone until their next one; nothing here is a lock, the segment versions still decide conflicts."""

import time

from django.core.cache import cache

PRESENCE_SECONDS = 30


def _now() -> float:
    return time.time()


def _key(article_id: int) -> str:
    return f"presence:{article_id}"


def touch(article_id: int, user, segment_id: int | None) -> None:
    """Record that `user` has the article open (on `segment_id`, if a segment has the focus)."""
    try:
        here = cache.get(_key(article_id)) or {}
        now = _now()
        here = {name: seen for name, seen in here.items() if now - seen[1] < PRESENCE_SECONDS}
        here[user.username] = (segment_id, now)
        cache.set(_key(article_id), here, PRESENCE_SECONDS)
    except Exception:  # noqa: BLE001 - presence is a courtesy: a cache outage hides it, nothing more
        pass


def others(article_id: int, user) -> list[tuple[str, int | None]]:
    """[(username, segment id or None)] of the other people with the article open now."""
    try:
        here = cache.get(_key(article_id)) or {}
    except Exception:  # noqa: BLE001
        return []
    now = _now()
    return sorted((name, seen[0]) for name, seen in here.items()
                  if name != user.username and now - seen[1] < PRESENCE_SECONDS)
