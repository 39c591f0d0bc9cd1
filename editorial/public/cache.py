"""Whole-page caching of the public site, invalidated all at once when anything public changes.

Every cached page carries the generation number it was rendered in; publishing,
correcting or unpublishing bumps the generation, so no page older than the change
is served again. One cache round trip per request reads both. A cache outage only
means pages are rendered afresh.
"""

import functools
import logging
import re
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse

log = logging.getLogger(__name__)
GENERATION_KEY = "public:generation"
# How a page number is written in a canonical address: 2, 3, ... (page 1 has none).
CANONICAL_PAGE = re.compile(r"[2-9]|[1-9][0-9]{1,5}")
# Like every cache key it expires (or may be evicted): a new one starts from the clock, newer than any page.
GENERATION_SECONDS = 30 * 24 * 3600


def _start_generation() -> int:
    """A generation no page can carry yet (the counter may have been evicted): the clock, in milliseconds."""
    cache.add(GENERATION_KEY, int(time.time() * 1000), timeout=GENERATION_SECONDS)
    return cache.get(GENERATION_KEY)


def invalidate() -> None:
    """Forget every cached public page: now, and again when the transaction commits.

    The second bump covers a reader who cached the old page between the first bump and the commit.
    """

    def bump():
        try:
            try:
                cache.incr(GENERATION_KEY)
            except ValueError:  # evicted or never set
                _start_generation()
        except Exception as exc:  # noqa: BLE001
            log.warning("Public cache not invalidated (%s); pages expire within %ss.", exc,
                        settings.PUBLIC_CACHE_SECONDS)

    bump()
    transaction.on_commit(bump)


def cached_page(view):
    """Serve GET responses of `view` from the cache, keyed by the path, the page number and the generation.

    Only what the public views read goes into the key (the path and `?page=`), only canonical page numbers
    are looked up (others are redirected or refused by the view, never cached), and only pages that exist
    (status 200) are kept: other query strings or guessed addresses cannot fill the cache.
    """

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method != "GET" or settings.PUBLIC_CACHE_SECONDS <= 0:
            return view(request, *args, **kwargs)
        key = f"public:page:{request.path}"
        page = request.GET.get("page")
        if page is not None:
            if not CANONICAL_PAGE.fullmatch(page):
                return view(request, *args, **kwargs)  # "01", "1", "-1", "x": the view redirects or refuses
            key += f"?page={page}"
        generation = None
        try:
            # One round trip: the current generation and this page's last rendering, with the generation it
            # was rendered in. It is served only if nothing public changed since.
            found = cache.get_many([GENERATION_KEY, key])
            generation = found.get(GENERATION_KEY)
            if generation is None:
                generation = _start_generation()
            hit = found.get(key)
        except Exception as exc:  # noqa: BLE001
            log.warning("Public cache unavailable: %s", exc)
            hit = None
        if hit is not None and hit[0] == generation:
            _, status, content_type, content = hit
            response = HttpResponse(content, status=status, content_type=content_type)
            response["X-Cache"] = "hit"
            return response
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        if generation is not None and response.status_code == 200 and not response.streaming:
            try:
                cache.set(key, (generation, response.status_code, response["Content-Type"], response.content),
                          settings.PUBLIC_CACHE_SECONDS)
            except Exception as exc:  # noqa: BLE001
                log.warning("Public page not cached: %s", exc)
        response["X-Cache"] = "miss"
        return response

    return wrapper
