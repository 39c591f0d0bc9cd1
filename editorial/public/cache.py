"""Whole-page caching of the public site, invalidated all at once when anything public changes.

Every cached page's key carries a generation number; publishing, correcting or
unpublishing bumps it, so no page older than the change is served again. A cache
outage only means pages are rendered afresh.
"""

import functools
import logging

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse

log = logging.getLogger(__name__)
GENERATION_KEY = "public:generation"


def _generation() -> int:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, 1, timeout=None)
        generation = cache.get(GENERATION_KEY, 1)
    return generation


def invalidate() -> None:
    """Forget every cached public page: now, and again when the transaction commits.

    The second bump covers a reader who cached the old page between the first bump and the commit.
    """

    def bump():
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:
            cache.add(GENERATION_KEY, 2, timeout=None)
        except Exception as exc:  # noqa: BLE001
            log.warning("Public cache not invalidated (%s); pages expire within %ss.", exc,
                        settings.PUBLIC_CACHE_SECONDS)

    bump()
    transaction.on_commit(bump)


def cached_page(view):
    """Serve GET responses of `view` from the cache, keyed by the full path and the generation."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method != "GET":
            return view(request, *args, **kwargs)
        key = None
        try:
            key = f"public:page:{_generation()}:{request.get_full_path()}"
            hit = cache.get(key)
        except Exception as exc:  # noqa: BLE001
            log.warning("Public cache unavailable: %s", exc)
            hit = None
        if hit is not None:
            status, content_type, content = hit
            response = HttpResponse(content, status=status, content_type=content_type)
            response["X-Cache"] = "hit"
            return response
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        if key and response.status_code in (200, 404) and not response.streaming:
            try:
                cache.set(key, (response.status_code, response["Content-Type"], response.content),
                          settings.PUBLIC_CACHE_SECONDS)
            except Exception as exc:  # noqa: BLE001
                log.warning("Public page not cached: %s", exc)
        response["X-Cache"] = "miss"
        return response

    return wrapper
