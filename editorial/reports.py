"""Post-editing reports: how much translators changed the machine drafts, and how long each workflow state takes.

What counts, and from where:
- Articles: every article that was ever published (it has a `PublishedVersion`), live or not now.
- Final text: the article's latest `PublishedVersion`, what readers saw last. Its headline is the title
  segment (position 0) and `body[i]` is segment i + 1: segments are fixed at import, so they line up. A
  correction being prepared is not counted until it is published.
- Machine draft and engine: the segment's `machine_text` and `engine` (set once, by the draft job).
- Translator: the assignee stored in the article's revision at its latest publication (the current
  assignee when there is no such revision).
- Published date and month: the first publication, in the site's time zone; the from/to filter uses it.

The edit rate is HTER-like: the word-level edit distance (Levenshtein on whitespace-separated words, case
sensitive) from the machine draft to the final text, divided by the final text's words. 0 means the draft
was kept as it was; it can exceed 1 when the final text dropped words of the draft. Segments without a
machine draft were translated from scratch: they are counted apart and have no rate. Group rates are total
edits over total words of the drafted segments, so a long paragraph weighs more than a headline.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from statistics import mean, median

from django.contrib.auth import get_user_model
from django.db.models import Max, OuterRef, QuerySet, Subquery
from django.utils import timezone
from rapidfuzz.distance import Levenshtein
from reversion.models import Version

from translations.models import Segment

from .models import Article, ArticleRevision, PublishedVersion, State, StateChange

# Work states, in workflow order; time spent published or archived is not work on the text.
TIMED_STATES = (State.SOURCE, State.MACHINE_DRAFT, State.TRANSLATION, State.EDITING, State.SCHEDULED)


def word_edits(machine_text: str, final_text: str) -> int:
    """The fewest words to insert, delete or replace to turn the machine draft into the final text."""
    return Levenshtein.distance(machine_text.split(), final_text.split())


@dataclass(frozen=True)
class SegmentEdit:
    """One published segment: its machine draft (None when translated from scratch) against its final text."""

    article_id: int
    position: int
    engine: str | None
    translator: str | None
    published_at: datetime
    machine_text: str | None
    final_text: str
    words: int
    edits: int | None

    @property
    def hter(self) -> float | None:
        return None if self.edits is None else self.edits / max(self.words, 1)


@dataclass(frozen=True)
class _Publication:
    article_id: int
    created_at: datetime
    published_at: datetime
    headline: str
    texts: list[str]  # the final text of each segment, by position
    translator: str | None


def _latest_versions(date_from: date | None, date_to: date | None) -> QuerySet:
    """Each ever-published article's latest version, first published within the dates."""
    newest = PublishedVersion.objects.filter(article=OuterRef("article")).order_by("-number").values("number")[:1]
    versions = PublishedVersion.objects.filter(number=Subquery(newest))
    if date_from:
        versions = versions.filter(published_at__date__gte=date_from)
    if date_to:
        versions = versions.filter(published_at__date__lte=date_to)
    return versions


def _assignees_at_publication(versions: QuerySet) -> dict[int, int | None]:
    """{article id: assignee id} as stored in the revision left by each article's latest publication."""
    last_published = (
        ArticleRevision.objects.filter(article_id__in=versions.values("article_id"), state=State.PUBLISHED)
        .values("article_id").annotate(last=Max("revision_id")).values("last")
    )
    stored = Version.objects.get_for_model(Article).filter(revision_id__in=Subquery(last_published))
    return {int(v.object_id): v.field_dict["assignee_id"] for v in stored}


def _publications(versions: QuerySet, translator: str | None) -> list[_Publication]:
    rows = list(versions.order_by("published_at", "article_id").values_list(
        "article_id", "article__created_at", "article__assignee_id", "published_at", "headline", "body"))
    at_publication = _assignees_at_publication(versions)
    assignee_ids = {article_id: at_publication.get(article_id, current) for article_id, _, current, *_ in rows}
    names = dict(get_user_model().objects.filter(pk__in={i for i in assignee_ids.values() if i})
                 .values_list("pk", "username"))
    publications = [
        _Publication(article_id, created_at, published_at, headline, [headline, *(b["text"] for b in body)],
                     names.get(assignee_ids[article_id]))
        for article_id, created_at, _, published_at, headline, body in rows
    ]
    if translator:
        publications = [p for p in publications if p.translator == translator]
    return publications


def _segment_edits(versions: QuerySet, publications: list[_Publication], engine: str | None) -> list[SegmentEdit]:
    segments = Segment.objects.filter(document__article__in=versions.values("article_id"))
    if engine:
        segments = segments.filter(engine=engine, machine_text__isnull=False)
    by_article = {p.article_id: p for p in publications}
    edits = []
    for article_id, position, machine_text, segment_engine in segments.order_by(
        "document__article", "position"
    ).values_list("document__article", "position", "machine_text", "engine"):
        publication = by_article.get(article_id)
        if publication is None:  # another translator's article
            continue
        final_text = publication.texts[position]
        edits.append(SegmentEdit(
            article_id=article_id, position=position, engine=segment_engine if machine_text else None,
            translator=publication.translator, published_at=publication.published_at,
            machine_text=machine_text or None, final_text=final_text, words=len(final_text.split()),
            edits=word_edits(machine_text, final_text) if machine_text else None,
        ))
    return edits


def published_segments(*, date_from: date | None = None, date_to: date | None = None, engine: str | None = None,
                       translator: str | None = None) -> list[SegmentEdit]:
    """Every published segment with its edit distance, by article then position, in four queries."""
    versions = _latest_versions(date_from, date_to)
    return _segment_edits(versions, _publications(versions, translator), engine)


def _summary(edits: Iterable[SegmentEdit]) -> dict:
    """Counts and the edit rate of a group of segments; words and edits are those of the drafted segments."""
    segments = drafted = kept = words = total = 0
    for edit in edits:
        segments += 1
        if edit.edits is not None:
            drafted += 1
            kept += edit.edits == 0
            words += edit.words
            total += edit.edits
    return {
        "segments": segments, "drafted": drafted, "from_scratch": segments - drafted,
        "kept": kept, "words": words, "edits": total, "hter": total / words if words else None,
    }


def _grouped(edits: list[SegmentEdit], key, name: str, order=None) -> list[dict]:
    groups = defaultdict(list)
    for edit in edits:
        groups[key(edit)].append(edit)
    return [
        {name: value, "articles": len({edit.article_id for edit in groups[value]}), **_summary(groups[value])}
        for value in sorted(groups, key=order)
    ]


def _time_in_state(versions: QuerySet, publications: list[_Publication]) -> list[dict]:
    """Per work state, the mean and median hours an article spent in it (summed over its visits)."""
    changes = defaultdict(list)
    for article_id, from_state, at in StateChange.objects.filter(
        article_id__in=versions.values("article_id")
    ).order_by("article_id", "created_at", "id").values_list("article_id", "from_state", "created_at"):
        changes[article_id].append((from_state, at))
    hours = defaultdict(list)
    for publication in publications:
        spent = defaultdict(float)
        entered_at = publication.created_at
        for state, left_at in changes[publication.article_id]:
            spent[state] += (left_at - entered_at).total_seconds() / 3600
            entered_at = left_at
        for state, value in spent.items():
            hours[state].append(value)
    return [
        {"state": state.value, "articles": len(hours[state]), "mean_hours": mean(hours[state]),
         "median_hours": median(hours[state])}
        for state in TIMED_STATES if hours[state]
    ]


def post_editing(*, date_from: date | None = None, date_to: date | None = None, engine: str | None = None,
                 translator: str | None = None) -> dict:
    """The post-editing report of the articles published within the filters, in five queries."""
    versions = _latest_versions(date_from, date_to)
    publications = _publications(versions, translator)
    edits = _segment_edits(versions, publications, engine)
    counted = {edit.article_id for edit in edits}
    articles = [p for p in reversed(publications) if p.article_id in counted]
    by_article = defaultdict(list)
    for edit in edits:
        by_article[edit.article_id].append(edit)
    return {
        "segments": len(edits),
        "overall": {"articles": len(articles), **_summary(edits)},
        "by_engine": _grouped([e for e in edits if e.engine], lambda e: e.engine, "engine"),
        "by_translator": _grouped(edits, lambda e: e.translator, "translator",
                                  order=lambda name: (name is None, name or "")),
        "by_month": _grouped(edits, lambda e: timezone.localtime(e.published_at).strftime("%Y-%m"), "month"),
        "by_article": [
            {"article": p.article_id, "headline": p.headline, "translator": p.translator,
             "published_at": p.published_at, **_summary(by_article[p.article_id])}
            for p in articles
        ],
        "time_in_state": _time_in_state(versions, articles),
    }
