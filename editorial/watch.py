"""The watch on the original: re-fetch an imported article's address and say whether the outlet changed it.

A check sends one conditional request (the last snapshot's ETag and Last-Modified) through the guarded fetcher
and compares what it finds with the last snapshot, after the same extraction and segmentation as the import and
the memory's folding. Outcomes:
- unchanged: only the check time is recorded (a 304, or the same text);
- edited: a new snapshot, and which of the article's segments were edited, removed, and which were added;
  the assignee and the editors are told;
- gone: 404 or 410, or a page that no longer holds an article (a retraction alert; told likewise);
- unreachable: a timeout, a refused connection or a 5xx. It counts for nothing until it persists: the article
  keeps its last outcome, and only the failures in a row are counted (per outlet on the desk).

The schedule (`check_due`, run by the scheduler): hourly for the first WATCH_HOURLY_FOR_HOURS after import, then
daily until WATCH_DAYS_AFTER_PUBLICATION days after publication (or after import, while unpublished). Off for an
article (`watch_enabled`, `switch`) or for every article of a feed (`SourceFeed.watch`, `switch_feed`).
"""

import difflib
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.timesince import timesince

from translations.diff import word_diff
from translations.normalize import as_written, normalize
from translations.segmentation import plain_text, split_body

from . import fetching, history, jobs, notifications, roles, snapshots, workflow
from .errors import Refused
from .models import Article, FeedItem, PublishedVersion, SourceFeed, SourceSnapshot, State
from .public import cache

log = logging.getLogger(__name__)

UNCHANGED, EDITED, GONE, UNREACHABLE = "unchanged", "edited", "gone", "unreachable"
EDIT_SIMILARITY = 0.5  # how alike (difflib's ratio of the folded texts) a changed paragraph stays to be "edited"
# What an editor may do about a published article whose original was removed.
KEEP, CORRECT, UNPUBLISH = "keep", "correct", "unpublish"


@dataclass
class Outcome:
    outcome: str
    edited: list[int] = field(default_factory=list)  # positions of the article's segments whose source changed
    removed: list[int] = field(default_factory=list)  # positions no longer in the original
    added: list[int] = field(default_factory=list)  # positions in the new original (its title is 0)
    detail: str = ""

    def as_dict(self) -> dict:
        return {"outcome": self.outcome, "edited": self.edited, "removed": self.removed, "added": self.added,
                "detail": self.detail}


@dataclass(frozen=True)
class Step:
    """One line of the alignment of the article's source with the new original: `old` and `new` are indexes
    (0 is the title) or None; op is equal, edited, removed or added."""

    op: str
    old: int | None
    new: int | None


def align(old_texts: list[str], new_texts: list[str]) -> list[Step]:
    """Align two lists of source texts, title first, on their folded text (the memory's normalisation).

    The title is always paired with the title. Side by side, a paragraph still mostly the same is an edit; one
    that is not was removed and another added in its place."""
    old = [normalize(t) for t in old_texts]
    new = [normalize(t) for t in new_texts]
    steps = [Step("equal" if old[:1] == new[:1] else "edited", 0, 0)]
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old[1:], b=new[1:], autojunk=False).get_opcodes():
        i1, i2, j1, j2 = i1 + 1, i2 + 1, j1 + 1, j2 + 1
        if op == "equal":
            steps += [Step("equal", i, j) for i, j in zip(range(i1, i2), range(j1, j2), strict=True)]
        elif op == "delete":
            steps += [Step("removed", i, None) for i in range(i1, i2)]
        elif op == "insert":
            steps += [Step("added", None, j) for j in range(j1, j2)]
        else:
            pairs = min(i2 - i1, j2 - j1)
            for i, j in zip(range(i1, i1 + pairs), range(j1, j1 + pairs), strict=True):
                if difflib.SequenceMatcher(a=old[i], b=new[j], autojunk=False).ratio() >= EDIT_SIMILARITY:
                    steps.append(Step("edited", i, j))
                else:
                    steps += [Step("removed", i, None), Step("added", None, j)]
            steps += [Step("removed", i, None) for i in range(i1 + pairs, i2)]
            steps += [Step("added", None, j) for j in range(j1 + pairs, j2)]
    return steps


def compare(old_texts: list[str], new_texts: list[str]) -> tuple[list[int], list[int], list[int]]:
    """(edited, removed, added) positions between two lists of source texts, title first (position 0)."""
    steps = align(old_texts, new_texts)
    return ([s.old for s in steps if s.op == "edited"], [s.old for s in steps if s.op == "removed"],
            [s.new for s in steps if s.op == "added"])


def _article_sources(article: Article) -> list[tuple[str, str]]:
    return list(article.document.segments.order_by("position").values_list("kind", "source_text"))


def changes(article: Article, new: list) -> dict:
    """What differs between the article's source and `new` ([[kind, text], ...], title first), for the desk and
    the workspace: positions, and each edit as old and new text with its word diff."""
    old = _article_sources(article)
    steps = align([t for _, t in old], [t for _, t in new])
    edits = [{"position": s.old, "old": old[s.old][1], "new": new[s.new][1],
              "ops": word_diff(old[s.old][1], new[s.new][1])} for s in steps if s.op == "edited"]
    return {"edited": [s.old for s in steps if s.op == "edited"],
            "removed": [s.old for s in steps if s.op == "removed"],
            "added": [s.new for s in steps if s.op == "added"],
            "edits": edits, "additions": [new[s.new][1] for s in steps if s.op == "added"],
            "removals": [old[s.old][1] for s in steps if s.op == "removed"]}


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
        if exc.status in (404, 410):
            return _gone(article, str(exc))
        _failed(article)
        return Outcome(UNREACHABLE, detail=str(exc))
    if download.status == 304:
        return _unchanged(article)
    title, body = fetching.read_article(download)
    language = article.document.source_language
    title, blocks = as_written(plain_text(title), language), split_body(body, language).blocks if body else []
    if not (title and blocks):
        return _gone(article, "The page no longer holds an article.")
    # The page's headline pairs with the title segment: a headline the outlet changed is an edit of position 0.
    new = [["title", title], *([b.kind, b.text] for b in blocks)]
    before = last.segments if last is not None and last.segments else _article_sources(article)
    if not any(s.op != "equal" for s in align([t for _, t in before], [t for _, t in new])):
        # The page's bytes may differ (adverts, dates): its article does not.
        return _unchanged(article)
    with transaction.atomic():
        article = _locked(article.pk)
        snapshots.record(article, snapshots.downloaded(download), new)
        found = changes(article, new)
        if article.watch_outcome == GONE:
            _back(article)
        outcome = Outcome(EDITED if (found["edited"] or found["removed"] or found["added"]) else UNCHANGED,
                          found["edited"], found["removed"], found["added"])
        now = timezone.now()
        Article.objects.filter(pk=article.pk).update(
            watch_checked_at=now, watch_outcome=outcome.outcome, watch_changes=found if outcome.edited
            or outcome.removed or outcome.added else {}, watch_changed_at=now, watch_failures=0)
        if outcome.outcome == EDITED:
            notifications.on_original_changed(article, EDITED, summary_of(EDITED, found))
    return outcome


def _locked(article_id: int) -> Article:
    """The article row locked (only it: its assignee is an outer join), with what the messages name."""
    return Article.objects.select_for_update(of=("self",)).select_related("document", "assignee").get(pk=article_id)


def _unchanged(article: Article) -> Outcome:
    """Only the check time is recorded; an original that had been gone and is back is no longer gone."""
    update = {"watch_checked_at": timezone.now(), "watch_failures": 0}
    if article.watch_outcome == GONE:
        update["watch_outcome"] = UNCHANGED
        _back(article)
    Article.objects.filter(pk=article.pk).update(**update)
    return Outcome(UNCHANGED)


def _back(article: Article) -> None:
    """An original reported removed is there again: the public note saying it was removed comes off, and the
    decision taken about it no longer stands."""
    if article.live_version_id and PublishedVersion.objects.filter(
            pk=article.live_version_id, original_removed_at__isnull=False).update(original_removed_at=None):
        cache.invalidate()
    Article.objects.filter(pk=article.pk).update(watch_decision="")


def _failed(article: Article) -> None:
    Article.objects.filter(pk=article.pk).update(watch_checked_at=timezone.now(),
                                                 watch_failures=F("watch_failures") + 1)


def _gone(article: Article, detail: str) -> Outcome:
    with transaction.atomic():
        article = _locked(article.pk)
        now = timezone.now()
        first = article.watch_outcome != GONE
        Article.objects.filter(pk=article.pk).update(
            watch_checked_at=now, watch_outcome=GONE, watch_failures=0,
            **({"watch_changed_at": now, "watch_changes": {"detail": detail}, "watch_decision": ""} if first else {}))
        if first:
            notifications.on_original_changed(article, GONE, summary_of(GONE, {}))
    return Outcome(GONE, detail=detail)


def _counts(found: dict) -> str:
    """'the headline edited, 2 paragraphs edited, 1 added': the noun said once, with the first count."""
    edited = found.get("edited", [])
    parts = ["the headline edited"] if 0 in edited else []
    # Position 0 is the headline, said apart; it is never added or removed (the title pairs with the title).
    counts = {"edited": len([p for p in edited if p != 0]), "added": len(found.get("added", [])),
              "removed": len(found.get("removed", []))}
    noun = True
    for key, n in counts.items():
        if n:
            parts.append(f"{n} paragraph{'s' if n != 1 else ''} {key}" if noun else f"{n} {key}")
            noun = False
    return ", ".join(parts)


def _ago(when: datetime, now: datetime | None = None) -> str:
    now = now or timezone.now()
    return "just now" if now - when < timedelta(minutes=1) else f"{timesince(when, now, depth=1)} ago"


def summary_of(outcome: str, found: dict, changed_at: datetime | None = None) -> str:
    """The change found in words: 'The original changed 2 hours ago: 2 paragraphs edited, 1 added' (without the
    time when `changed_at` is not given)."""
    if outcome == EDITED:
        return f"The original changed{' ' + _ago(changed_at) if changed_at else ''}: {_counts(found)}"
    if outcome == GONE:
        return "The original is gone: the outlet removed or moved it."
    return ""


def summary(article: Article) -> str:
    """The last change to the original in words, for the desk: '' when there is nothing to say."""
    return summary_of(article.watch_outcome, article.watch_changes or {}, article.watch_changed_at)


def pending(article: Article) -> bool:
    """The original changed and the article has not been updated from it yet."""
    return article.watch_outcome == EDITED and bool(article.watch_changes)


# The schedule. -------------------------------------------------------------------------------------------------


def _feed_off():
    return Exists(FeedItem.objects.filter(article=OuterRef("pk"), feed__watch=False))


def due(now: datetime | None = None):
    """The articles whose original is to be checked now."""
    now = now or timezone.now()
    hourly = timedelta(seconds=settings.WATCH_HOURLY_SECONDS)
    daily = timedelta(seconds=settings.WATCH_DAILY_SECONDS)
    first_day = now - timedelta(hours=settings.WATCH_HOURLY_FOR_HOURS)
    until = now - timedelta(days=settings.WATCH_DAYS_AFTER_PUBLICATION)
    never_checked = Q(watch_checked_at__isnull=True)
    return (
        Article.objects.filter(watch_enabled=True).exclude(source_url="").exclude(state=State.ARCHIVED)
        .exclude(_feed_off())
        # Within the watch: imported on the first day, or not yet 30 days after publication (or import).
        .filter(Q(published_at__gt=until) | Q(published_at__isnull=True, created_at__gt=until))
        .filter(never_checked
                | Q(created_at__gt=first_day, watch_checked_at__lte=now - hourly)
                | Q(created_at__lte=first_day, watch_checked_at__lte=now - daily))
    )


def check_due(now: datetime | None = None, limit: int | None = None) -> dict[str, int]:
    """Check every article due (at most `limit`), each claimed first so a second run overlapping this one skips
    it; one failing check never stops the rest. Returns how many of each outcome."""
    now = now or timezone.now()
    counts: dict[str, int] = {}
    ids = list(due(now).order_by("watch_checked_at", "pk").values_list("pk", "watch_checked_at")[
        :limit or settings.WATCH_BATCH])
    for article_id, checked_at in ids:
        claimed = Article.objects.filter(pk=article_id, watch_checked_at=checked_at) if checked_at else \
            Article.objects.filter(pk=article_id, watch_checked_at__isnull=True)
        if not claimed.update(watch_checked_at=now):
            continue
        try:
            outcome = check(article_id).outcome
        except Exception as exc:
            if jobs.out_of_time(exc):  # the task's time is up: the rest are due at the next run
                raise
            log.exception("Checking the original of %s failed", article_id)
            outcome = "error"
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def switch(article_id: int, user, enabled: bool) -> Article:
    """Turn the watch on or off for one article (roles' "switch_watch": editors and admins)."""
    if not roles.may(user, "switch_watch"):
        raise Refused(403, "forbidden", roles.REFUSALS["switch_watch"])
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article_id)
        if article.watch_enabled != enabled:
            article.watch_enabled = enabled
            article.save(update_fields=["watch_enabled", "updated_at"])
            history.leave_revision(user, f"Watch on the original turned {'on' if enabled else 'off'}", article)
    return article


def switch_feed(feed_id: int, on: bool) -> SourceFeed:
    """Turn the watch on or off for every article a feed brought in; the caller checks roles' "switch_watch"."""
    with transaction.atomic():
        feed = SourceFeed.objects.select_for_update(of=("self",)).select_related("created_by").filter(
            pk=feed_id).first()
        if feed is None:
            raise Refused(404, "not_found", f"There is no feed {feed_id}.")
        if feed.watch != on:
            feed.watch = on
            feed.save(update_fields=["watch"])
    return feed


def recompare(article_id: int) -> None:
    """Say again what the article's source lacks of its newest original (after a revert took an update from the
    original back): edited with the changes, or unchanged. An original reported gone stays gone."""
    article = Article.objects.select_related("document").get(pk=article_id)
    newest = SourceSnapshot.objects.filter(article=article).order_by("-retrieved_at", "-id").first()
    if article.watch_outcome == GONE or newest is None or not newest.segments:
        return
    found = changes(article, newest.segments)
    differs = bool(found["edited"] or found["removed"] or found["added"])
    Article.objects.filter(pk=article.pk).update(watch_outcome=EDITED if differs else UNCHANGED,
                                                 watch_changes=found if differs else {})


def removed_originals(limit: int = 50):
    """Articles whose original the outlet removed and no editor has decided about yet, newest first: the
    retraction alerts at the top of the desk."""
    return (Article.objects.filter(watch_outcome=GONE, watch_decision="").exclude(state=State.ARCHIVED)
            .select_related("document").order_by("-watch_changed_at", "-pk")[:limit])


def unreachable_outlets(threshold: int | None = None) -> list[dict]:
    """Outlets whose originals could not be reached several checks in a row: [{"outlet", "articles",
    "failing"}], the worst first, so a dead outlet stands out."""
    threshold = threshold or settings.WATCH_UNREACHABLE_AFTER
    rows = (Article.objects.filter(watch_enabled=True).exclude(source_url="").values("source_outlet")
            .annotate(articles=Count("pk"), failing=Count("pk", filter=Q(watch_failures__gte=threshold)))
            .filter(failing__gt=0).order_by("-failing", "source_outlet"))
    return [{"outlet": r["source_outlet"], "articles": r["articles"], "failing": r["failing"]} for r in rows]


# A published article whose original was removed. ---------------------------------------------------------------


def decide(article_id: int, user, choice: str, comment: str = "") -> Article:
    """An editor's answer to a removed original of a published article: keep the page with a visible note,
    correct it (back to editing under a correction) or unpublish it. The choice is recorded."""
    if choice not in (KEEP, CORRECT, UNPUBLISH):
        raise Refused(400, "invalid", "Choose keep, correct or unpublish.", {"choice": ["keep, correct or unpublish"]})
    if not user.has_perm("editorial.publish_article"):
        raise Refused(403, "forbidden", "Only editors decide what happens to a page whose original was removed.")
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article_id)
        if article.watch_outcome != GONE or article.live_version_id is None:
            raise Refused(409, "nothing_to_decide", "There is nothing to decide: the original of this article is "
                          "not reported removed, or the article is not on the site.",
                          {"outcome": article.watch_outcome, "state": article.state})
        if choice == KEEP:
            PublishedVersion.objects.filter(pk=article.live_version_id).update(
                original_removed_at=article.watch_changed_at or timezone.now())
            cache.invalidate()
            workflow.record(article, user, "keep_removed_original", article.state,
                            comment or "Kept with a note that the original was removed")
        elif choice == CORRECT:
            workflow.apply(article.pk, user, "correct", comment=comment)
        else:
            workflow.apply(article.pk, user, "unpublish", comment=comment or "The original was removed by "
                           f"{article.source_outlet}.")
        Article.objects.filter(pk=article.pk).update(watch_decision=choice)
    return Article.objects.get(pk=article.pk)
