"""Gists: the machine translation of each incoming item's headline and first paragraph, so that an editor who
reads no Arabic can pick the day's stories.

They are made in the background, a batch of items per engine call, with the memory first (the engine's own
`translate` asks it), and kept on the item: a gist is made once per headline and lead, and again only when
they change or when the configured engine changes from one that had nothing to offer. Items are claimed by a
conditional update of their claim time, so two runs side by side never ask the engine twice for one item.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from translations.machinery.base import MachineTranslationError, get_engine, memory_only

from ..models import State, WireItem

log = logging.getLogger(__name__)

# A claim older than this belongs to a run that died: the item may be claimed again.
CLAIM_SECONDS = 300
# Transient engine failures an item goes through before its gist is marked failed (it says why).
MAX_ATTEMPTS = 5


def due():
    """The items that need a gist: incoming (only sources get one: an archive is never gisted at deploy), and
    pending, or made by another engine than the one configured when that one had nothing to offer."""
    stale = Q(gist_state=WireItem.Gist.UNAVAILABLE) & ~Q(gist_engine=settings.MT_ENGINE)
    return WireItem.objects.filter(Q(gist_state=WireItem.Gist.PENDING) | stale, article__state=State.SOURCE)


def _claim(now) -> list[WireItem]:
    free = Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - timedelta(seconds=CLAIM_SECONDS))
    ids = list(due().filter(free).order_by("-created_at").values_list("pk", flat=True)[:settings.WIRE_GIST_BATCH])
    claimed = [pk for pk in ids if WireItem.objects.filter(free, pk=pk).update(claimed_at=now)]
    return list(WireItem.objects.filter(pk__in=claimed).select_related("article__document"))


def make_batch() -> int:
    """Make the gists of one batch of due items; how many items it worked on (0: nothing is due)."""
    from .stories import headline_and_lead

    now = timezone.now()
    items = _claim(now)
    if not items:
        return 0
    texts = headline_and_lead([item.article for item in items])
    by_pair: dict[tuple[str, str], list[WireItem]] = {}
    for item in items:
        document = item.article.document
        by_pair.setdefault((document.source_language, document.target_language), []).append(item)
    for (source, target), group in by_pair.items():
        _translate(group, [texts[item.article_id] for item in group], source, target)
    return len(items)


def _translate(items: list[WireItem], texts: list[tuple[str, str]], source: str, target: str) -> None:
    engine_name = settings.MT_ENGINE
    flat = [text for pair in texts for text in pair]
    try:
        drafts = get_engine().translate(flat, source, target)
    except MachineTranslationError as exc:
        for item in items:
            attempts = item.gist_attempts + 1
            failed = not exc.retryable or attempts >= MAX_ATTEMPTS
            # The claim is kept: the item is tried again when it lapses (CLAIM_SECONDS), not at the next run.
            WireItem.objects.filter(pk=item.pk).update(
                gist_attempts=attempts, gist_error=str(exc)[:500], claimed_at=timezone.now(), gist_engine=engine_name,
                gist_state=WireItem.Gist.FAILED if failed else WireItem.Gist.PENDING,
            )
        log.warning("Gists of %s items not made: %s", len(items), exc)
        return
    now = timezone.now()
    for n, item in enumerate(items):
        headline, lead = drafts[2 * n], drafts[2 * n + 1]
        made = headline is not None or lead is not None
        WireItem.objects.filter(pk=item.pk).update(
            gist_headline=headline.text if headline else "", gist_lead=lead.text if lead else "",
            gist_state=WireItem.Gist.MADE if made else WireItem.Gist.UNAVAILABLE, gist_engine=engine_name,
            gist_error="", claimed_at=None, made_at=now,
        )


def retry(item_id: int) -> None:
    """Ask again for a gist that failed (the desk's "try again")."""
    WireItem.objects.filter(pk=item_id, gist_state=WireItem.Gist.FAILED).update(
        gist_state=WireItem.Gist.PENDING, gist_attempts=0, claimed_at=None)


def describe(item: WireItem | None) -> str:
    """What the desk says instead of a gist when there is none."""
    if item is None or item.gist_state == WireItem.Gist.PENDING:
        return "The gist is being made."
    if item.gist_state == WireItem.Gist.FAILED:
        return f"No gist: {item.gist_error}"
    if item.gist_state == WireItem.Gist.UNAVAILABLE and memory_only():
        return ("No gist is available: the machine translation engine is the translation memory only, which "
                "has not seen this text.")
    if item.gist_state == WireItem.Gist.UNAVAILABLE:
        return "No gist is available: the engine had nothing to offer for this text."
    return ""
