"""The watch on the original: re-fetch an imported article's address and say whether the outlet changed it.

A check sends one conditional request (the last snapshot's ETag and Last-Modified) through the guarded fetcher
and compares what it finds with the article's source segment by segment, after the same extraction and
segmentation as the import and the memory's folding. Outcomes:
- unchanged: only the check time is recorded (a 304, or the same text);
- edited: a new snapshot, and which source segments were edited, added or removed;
- gone: 404 or 410, or a page that no longer holds an article (a retraction);
- unreachable: a timeout, a refused connection or a 5xx (counts for nothing until it persists).
"""

import difflib
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from translations.normalize import normalize
from translations.segmentation import split_body

from . import fetching, snapshots, workflow
from .errors import Refused
from .models import Article, SourceSnapshot

UNCHANGED, EDITED, GONE, UNREACHABLE = "unchanged", "edited", "gone", "unreachable"
EDIT_SIMILARITY = 0.5  # how alike (difflib's ratio of the folded texts) a changed paragraph stays to be "edited"


@dataclass
class Outcome:
    outcome: str
    edited: list[int] = field(default_factory=list)  # positions of the article's segments whose source changed
    removed: list[int] = field(default_factory=list)  # positions no longer in the original
    added: list[int] = field(default_factory=list)  # positions in the new original (1-based blocks) not matched
    detail: str = ""

    def as_dict(self) -> dict:
        return {"outcome": self.outcome, "edited": self.edited, "removed": self.removed, "added": self.added,
                "detail": self.detail}


def compare(old_sources: list[str], new_sources: list[str]) -> tuple[list[int], list[int], list[int]]:
    """(edited, removed, added) between two lists of body segments (folded), as positions: old ones counted from
    1 (the article's body positions), new ones from 1 in the new original."""
    old = [normalize(t) for t in old_sources]
    new = [normalize(t) for t in new_sources]
    edited, removed, added = [], [], []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if op == "replace":
            # Side by side, a paragraph still mostly the same is an edit; one that is not was removed and another
            # added in its place.
            pairs = min(i2 - i1, j2 - j1)
            for i, j in zip(range(i1, i1 + pairs), range(j1, j1 + pairs), strict=True):
                if difflib.SequenceMatcher(a=old[i], b=new[j], autojunk=False).ratio() >= EDIT_SIMILARITY:
                    edited.append(i + 1)
                else:
                    removed.append(i + 1)
                    added.append(j + 1)
            removed += [i + 1 for i in range(i1 + pairs, i2)]
            added += [j + 1 for j in range(j1 + pairs, j2)]
        elif op == "delete":
            removed += [i + 1 for i in range(i1, i2)]
        elif op == "insert":
            added += [j + 1 for j in range(j1, j2)]
    return sorted(edited), sorted(removed), sorted(added)


def check(article_id: int, user=None) -> Outcome:
    """Check the original of one article now, record the outcome (and a snapshot when it changed)."""
    article = Article.objects.select_related("document").get(pk=article_id)
    if user is not None and not workflow.may_edit_any(user):
        raise Refused(403, "forbidden", "Only editors and admins check the original.")
    if not article.source_url:
        raise Refused(409, "no_original", "This article was not imported from an address: there is nothing to watch.")
    last = SourceSnapshot.objects.filter(article=article).order_by("-retrieved_at", "-id").first()
    headers = {}
    if last is not None and last.final_url:
        if last.etag:
            headers["If-None-Match"] = last.etag
        if last.last_modified:
            headers["If-Modified-Since"] = last.last_modified
    try:
        download = fetching.fetch(article.source_url, "The original", headers=headers)
    except fetching.FetchFailed as exc:
        outcome = Outcome(GONE if exc.status in (404, 410) else UNREACHABLE, detail=str(exc))
        return _record(article, outcome)
    if download.status == 304:
        return _record(article, Outcome(UNCHANGED))
    body = fetching.extract_article(download)
    blocks = split_body(body).blocks if body else []
    if not blocks:
        return _record(article, Outcome(GONE, detail="The page no longer holds an article."))
    current = list(article.document.segments.exclude(kind="title").order_by("position")
                   .values_list("source_text", flat=True))
    edited, removed, added = compare(current, [b.text for b in blocks])
    if not (edited or removed or added):  # the page's bytes may differ (adverts, dates): its article does not
        return _record(article, Outcome(UNCHANGED))
    with transaction.atomic():
        title = article.document.source_title
        snapshots.record(article, snapshots.downloaded(download), [title, *(b.text for b in blocks)])
        return _record(article, Outcome(EDITED, edited, removed, added))


def _record(article: Article, outcome: Outcome) -> Outcome:
    Article.objects.filter(pk=article.pk).update(watch_checked_at=timezone.now(), watch_outcome=outcome.outcome,
                                                 watch_changes=outcome.as_dict())
    return outcome


def summary(article: Article) -> str:
    """The last check in words, for the desk: '' when there is nothing to say."""
    changes = article.watch_changes or {}
    if article.watch_outcome == EDITED:
        parts = [f"{len(changes.get(k, []))} paragraph{'s' if len(changes.get(k, [])) != 1 else ''} {word}"
                 for k, word in (("edited", "edited"), ("added", "added"), ("removed", "removed")) if changes.get(k)]
        return "The original changed: " + ", ".join(parts) + "."
    if article.watch_outcome == GONE:
        return "The original is gone: the outlet removed or moved it."
    return ""
