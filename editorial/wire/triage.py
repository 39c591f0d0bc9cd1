"""The incoming list as the wire desk shows it: one row per story, each source with its gist, and each outlet's
figures. Taking an item is the workflow's `draft` (with an assignee: theirs once drafted), declining it is
`decline`; both live in editorial/workflow.py, like every transition.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.utils import timezone

from .. import selectors, workflow
from ..models import Article, FeedDay, SourceFeed, State, StateChange
from . import gists, stories

# The incoming list groups the newest this many sources (an inbox, not the archive: search finds the rest).
INCOMING_LIMIT = 500
OUTLET_DAYS = 30


@dataclass
class Row:
    """One line of the incoming list: a story (or a source alone) with its sources still incoming."""

    items: list[Article]
    story_id: int | None = None
    outlets: list[str] = field(default_factory=list)  # every outlet that told the story, incoming or not
    covered_by: Article | None = None

    @property
    def newest(self) -> Article:
        return self.items[0]


def incoming_articles():
    """Sources not yet taken, declined or being drafted, newest first, with their wire items."""
    articles = selectors.listed(workflow.with_workflow_facts(Article.objects.select_related("document", "wire")))
    return articles.filter(state=State.SOURCE, draft_running=False).order_by("-created_at", "-pk")


def incoming_rows(limit: int = INCOMING_LIMIT) -> list[Row]:
    """The incoming list: one row per story, in the order of each story's newest incoming source. Three
    queries, whatever the number of items."""
    articles = list(incoming_articles()[:limit])
    story_ids = {a.wire.story_id for a in articles if _story(a)}
    everyone = stories.members(story_ids)
    rows: dict[object, Row] = {}
    for article in articles:
        story_id = _story(article)
        key = story_id or f"alone-{article.pk}"
        if key not in rows:
            story_articles = everyone.get(story_id, [article])
            rows[key] = Row(items=[], story_id=story_id,
                            outlets=sorted({a.source_outlet for a in story_articles}),
                            covered_by=stories.covering(article, story_articles))
        rows[key].items.append(article)
    for article in articles:
        article.gist_note = gists.describe(getattr(article, "wire", None))
    return list(rows.values())


def _story(article: Article) -> int | None:
    item = getattr(article, "wire", None)
    return item.story_id if item is not None else None


def outlet_figures(days: int = OUTLET_DAYS, now=None) -> list[dict]:
    """Per outlet, over the last `days`: items per day, the share taken and declined, and its feeds' polls and
    fetch failures, with the last problem. Three queries."""
    now = now or timezone.now()
    since = now - timedelta(days=days)
    taken = StateChange.objects.filter(article=OuterRef("pk"), action="draft")
    declined = StateChange.objects.filter(article=OuterRef("pk"), action="decline")
    counts = (Article.objects.filter(created_at__gte=since)
              .annotate(was_taken=Exists(taken), was_declined=Exists(declined))
              .values("source_outlet")
              .annotate(items=Count("pk"), taken=Count("pk", filter=Q(was_taken=True)),
                        declined=Count("pk", filter=Q(was_declined=True))))
    figures = {row["source_outlet"]: {"outlet": row["source_outlet"], "items": row["items"], "taken": row["taken"],
                                      "declined": row["declined"], "polls": 0, "failures": 0, "feeds": []}
               for row in counts}
    empty = {"items": 0, "taken": 0, "declined": 0, "polls": 0, "failures": 0}
    polls = (FeedDay.objects.filter(day__gte=since.date()).values("feed__name")
             .annotate(polls=Sum("polls"), failures=Sum("failures")))
    for row in polls:
        entry = figures.setdefault(row["feed__name"], {"outlet": row["feed__name"], **empty, "feeds": []})
        entry["polls"] += row["polls"]
        entry["failures"] += row["failures"]
    for feed in SourceFeed.objects.all():
        figures.setdefault(feed.name, {"outlet": feed.name, **empty, "feeds": []})["feeds"].append(feed)
    for entry in figures.values():
        entry["per_day"] = entry["items"] / days
        entry["share_taken"] = entry["taken"] / entry["items"] if entry["items"] else None
    return sorted(figures.values(), key=lambda e: (-e["items"], e["outlet"]))


def count_poll(feed_id: int, failed: bool, today=None) -> None:
    """Count one poll of the feed (and whether it failed) in today's figures."""
    today = today or timezone.localdate()
    day, _ = FeedDay.objects.get_or_create(feed_id=feed_id, day=today)
    FeedDay.objects.filter(pk=day.pk).update(polls=F("polls") + 1, failures=F("failures") + int(failed))
