"""Stories: items about the same event, from several outlets or one outlet's re-posts, grouped so the desk
shows one row per event and says when it is covered already.

Each new item is compared (`similarity`) with the items imported in the `WIRE_STORY_HOURS` before it; it joins
the story whose items score highest on average, when that reaches the back-end's threshold, or stays alone
until a later item joins it. A story is never merged or split afterwards: what an editor saw grouped stays
grouped.
"""

from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction

from translations.models import Segment

from ..models import Article, State, Story, WireItem
from . import similarity

# How many new items one run enrolls (the rest wait for the next run).
ENROLL_BATCH = 500
# A story is "covered" once one of its articles has left the incoming list for the workflow.
COVERING_STATES = (State.MACHINE_DRAFT, State.TRANSLATION, State.EDITING, State.SCHEDULED, State.PUBLISHED)


def headline_and_lead(articles) -> dict[int, tuple[str, str]]:
    """{article id: (its headline, its first paragraph)} from the source segments, in one query."""
    by_document = {article.document_id: article.pk for article in articles}
    texts = {pk: ["", ""] for pk in by_document.values()}
    segments = (Segment.objects.filter(document_id__in=by_document, position__lt=6)
                .order_by("document_id", "position").values_list("document_id", "kind", "source_text"))
    for document_id, kind, text in segments:
        pair = texts[by_document[document_id]]
        if kind == Segment.Kind.TITLE and not pair[0]:
            pair[0] = text
        elif kind == Segment.Kind.PARAGRAPH and not pair[1]:
            pair[1] = text
    return {pk: (headline, lead) for pk, (headline, lead) in texts.items()}


def best_story(scores: list[float], stories: list, threshold: float):
    """The story (of `stories`, one per score) whose items score highest on average, if that is `threshold` or
    more; None otherwise. The average, not the best single item: one loose likeness does not chain two events."""
    totals: dict = {}
    for score, story in zip(scores, stories, strict=True):
        total, count = totals.get(story, (0.0, 0))
        totals[story] = (total + score, count + 1)
    if not totals:
        return None
    story, (total, count) = max(totals.items(), key=lambda pair: pair[1][0] / pair[1][1])
    return story if total / count >= threshold else None


def group(fingerprints: list[str], backend: similarity.Similarity) -> list[int]:
    """The story number of each fingerprint, taken in order as `enroll` takes new items (the benchmark and the
    tests measure the grouping through this)."""
    stories: list[int] = []
    for n, fingerprint in enumerate(fingerprints):
        match = best_story(backend.scores(fingerprint, fingerprints[:n]), stories, backend.threshold)
        stories.append(n if match is None else match)
    return stories


def enroll(limit: int = ENROLL_BATCH) -> int:
    """Give each article not yet on the wire desk its item: fingerprint and story. How many were enrolled."""
    articles = list(Article.objects.filter(wire__isnull=True).order_by("created_at", "pk")[:limit])
    if not articles:
        return 0
    backend = similarity.backend()
    texts = headline_and_lead(articles)
    since = min(a.created_at for a in articles) - timedelta(hours=settings.WIRE_STORY_HOURS)
    recent = [list(row) for row in WireItem.objects.filter(article__created_at__gte=since).exclude(fingerprint="")
              .values_list("pk", "story_id", "fingerprint", "article__created_at")]
    done = 0
    for article in articles:
        headline, lead = texts[article.pk]
        fingerprint = backend.fingerprint(headline, lead)
        window = [row for row in recent if row[3] >= article.created_at - timedelta(hours=settings.WIRE_STORY_HOURS)]
        # An item alone is a story of its own until another joins it: ("item", its id) stands for it.
        keys = [row[1] or ("item", row[0]) for row in window]
        match = best_story(backend.scores(fingerprint, [row[2] for row in window]), keys, backend.threshold) \
            if fingerprint else None
        try:
            with transaction.atomic():
                story_id = _story_of(match, window) if match is not None else None
                item = WireItem.objects.create(article=article, fingerprint=fingerprint, story_id=story_id)
        except IntegrityError:  # another run enrolled it first
            continue
        recent.append([item.pk, story_id, fingerprint, article.created_at])
        done += 1
    return done


def _story_of(match, window) -> int:
    """The matched story's id; an item that was alone starts one now (under its row lock, so two runs agree)."""
    if not isinstance(match, tuple):
        return match
    item = WireItem.objects.select_for_update().get(pk=match[1])
    if item.story_id is None:
        item.story = Story.objects.create()
        item.save(update_fields=["story"])
    for row in window:
        if row[0] == item.pk:
            row[1] = item.story_id
    return item.story_id


def members(story_ids) -> dict[int, list[Article]]:
    """{story id: its articles, oldest first}, in one query, with their items."""
    found = defaultdict(list)
    articles = (Article.objects.filter(wire__story_id__in=set(story_ids)).select_related("wire", "document")
                .order_by("created_at", "pk"))
    for article in articles:
        found[article.wire.story_id].append(article)
    return found


def other_outlets(article: Article) -> list[str]:
    """The other outlets that told the article's story (what "also reported by" names), sorted."""
    story_id = WireItem.objects.filter(article=article).values_list("story_id", flat=True).first()
    if story_id is None:
        return []
    outlets = WireItem.objects.filter(story_id=story_id).values_list("article__source_outlet", flat=True)
    return sorted(set(outlets) - {article.source_outlet})


def covering(article: Article, story_articles: list[Article]) -> Article | None:
    """The article of the same story already in the workflow (drafted, translated or published), if any."""
    return next((other for other in story_articles
                 if other.pk != article.pk and other.state in COVERING_STATES), None)
