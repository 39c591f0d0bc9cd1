"""Version history on django-reversion: leave revisions, rebuild an article as it was, compare two.

A revision holds only what changed (one segment for a segment edit), so the
article at revision N is rebuilt from the newest stored version of each of
its rows at or before N.
"""

import reversion
from django.contrib.contenttypes.models import ContentType
from django.db.models import Max
from reversion.models import Version

from translations.diff import word_diff
from translations.models import Document, Segment

from .errors import Refused
from .models import Article, ArticleRevision, Keyword


def leave_revision(user, comment: str, article: Article, objects=(), *, with_article: bool = True) -> None:
    """One revision of the article holding exactly `objects` (and the article row unless told not to)."""
    with reversion.create_revision(atomic=False):
        if user is not None and user.is_authenticated:
            reversion.set_user(user)
        reversion.set_comment(comment)
        if with_article:
            reversion.add_to_revision(article)
        for obj in objects:
            reversion.add_to_revision(obj)
        reversion.add_meta(ArticleRevision, article=article, state=article.state)


def revisions(article: Article):
    """The article's revisions, newest first, with their authors."""
    return ArticleRevision.objects.filter(article=article).select_related("revision__user").order_by("-revision_id")


def _latest_versions(model, object_ids: list, revision_id: int) -> dict[str, Version]:
    """{object_id: newest Version at or before revision_id}, in two queries."""
    content_type = ContentType.objects.get_for_model(model)
    latest = (
        Version.objects.filter(
            content_type=content_type, object_id__in=[str(i) for i in object_ids], revision_id__lte=revision_id
        )
        .values("object_id")
        .annotate(latest=Max("pk"))
        .values_list("latest", flat=True)
    )
    return {v.object_id: v for v in Version.objects.filter(pk__in=list(latest))}


def keyword_names(article: Article) -> list[str]:
    return [k.name for k in article.keywords.all()]


def current(article: Article) -> dict:
    """The article as it is now, in the same shape as `article_at`."""
    segments = sorted(article.document.segments.all(), key=lambda s: s.position)
    title = next((s for s in segments if s.kind == Segment.Kind.TITLE), None)
    return {
        "revision": None,
        "title": title.text if title else None,
        "state": article.state,
        "standfirst": article.standfirst,
        "keywords": keyword_names(article),
        "segments": [
            {"id": s.pk, "position": s.position, "kind": s.kind, "source_text": s.source_text,
             "text": s.text, "origin": s.origin}
            for s in segments
        ],
    }


def _segments_at(article: Article, revision_id: int) -> dict[int, dict]:
    """{segment id: every field it had} for the segments the article had at a revision, in three queries."""
    # Every segment the article ever had: one an update from the original removed is in the revisions before it.
    segment_ids = list(Segment.every.filter(document_id=article.document_id).values_list("pk", flat=True))
    return {int(v.object_id): v.field_dict for v in _latest_versions(Segment, segment_ids, revision_id).values()
            if not v.field_dict.get("removed")}


def article_at(article: Article, revision_id: int) -> dict:
    """The article's title, state, standfirst, keywords and segments' text as of a revision."""
    return _article_at(article, revision_id, _segments_at(article, revision_id))


def _article_at(article: Article, revision_id: int, then: dict[int, dict]) -> dict:
    meta = ArticleRevision.objects.filter(article=article, revision_id=revision_id).first()
    if meta is None:
        raise Refused(404, "not_found", f"Article {article.pk} has no revision {revision_id}.")
    article_version = _latest_versions(Article, [article.pk], revision_id).get(str(article.pk))
    fields = article_version.field_dict if article_version else {}
    keyword_ids = fields.get("keywords", [])
    names = dict(Keyword.objects.filter(pk__in=keyword_ids).values_list("pk", "name"))
    segments = sorted(({"id": pk, "position": data["position"], "kind": data["kind"],
                        "source_text": data["source_text"], "text": data["text"], "origin": data["origin"]}
                       for pk, data in then.items()), key=lambda s: s["position"])
    title = next((s for s in segments if s["kind"] == Segment.Kind.TITLE), None)
    return {
        "revision": revision_id,
        "title": title["text"] if title else None,
        "state": meta.state,
        "standfirst": fields.get("standfirst", ""),
        "keywords": [names[k] for k in keyword_ids if k in names],
        "segments": segments,
    }


# What a whole revert gives a segment back besides its text: where it stands, and what it was translated from
# with the marks and machine draft that go with that source (an update from the original changes all of them).
_LAYOUT_FIELDS = ("position", "kind")
_SOURCE_FIELDS = ("source_text", "machine_text", "engine")
_MARK_FIELDS = ("source_changed", "previous_source")
_DOCUMENT_FIELDS = ("source_title", "source_body", "is_html", "search_text")


def _brief(pk: int, segment: dict) -> dict:
    return {"id": pk, **{f: segment[f] for f in ("position", "kind", "source_text", "text")}}


def revert_changes(article: Article, revision_id: int, segment_id: int | None = None) -> dict:
    """What reverting to a revision would change now: {"revision", "segments": [{"id", "position", "kind",
    "now", "then", "origin"}] (the texts), "sources": [{"id", "position", "now", "then"}] (the source texts),
    "restored" and "removed": [{"id", "position", "kind", "source_text", "text"}] (segments an update from the
    original removed or added since), "rows": {segment id: {field: value}} (everything each segment row takes
    back), "document": {field: value} (the source title and body), "standfirst": (now, then) or None,
    "keywords": (now, then) or None}.

    With `segment_id`, only that segment's text (its source and the rest of the article stay as they are).
    Services write exactly this; the desk shows it before asking to confirm.
    """
    then = _segments_at(article, revision_id)
    past = _article_at(article, revision_id, then)
    now = {s.pk: s for s in article.document.segments.all()}
    if segment_id is not None and segment_id not in now:
        raise Refused(404, "not_found", "This article has no such segment.")
    segments = [
        {"id": old["id"], "position": old["position"], "kind": old["kind"], "now": now[old["id"]].text,
         "then": old["text"], "origin": old["origin"]}
        for old in past["segments"]
        if old["id"] in now and (segment_id is None or old["id"] == segment_id) and now[old["id"]].text != old["text"]
    ]
    whole = segment_id is None
    keywords = keyword_names(article)
    changes = {
        "revision": revision_id,
        "segments": segments,
        "sources": [], "restored": [], "removed": [], "rows": {}, "document": {},
        "standfirst": (article.standfirst, past["standfirst"])
        if whole and article.standfirst != past["standfirst"] else None,
        "keywords": (keywords, past["keywords"]) if whole and keywords != past["keywords"] else None,
    }
    if whole:
        _source_changes(article, revision_id, then, now, changes)
    return changes


def _source_changes(article: Article, revision_id: int, then: dict[int, dict], now: dict[int, Segment],
                    changes: dict) -> None:
    """Fill in what a whole revert across an update from the original brings back: the sources, the segments it
    removed (back in) and added (out again), every position, and the document's source title and body."""
    rows, texts = changes["rows"], {c["id"] for c in changes["segments"]}
    for pk, old in then.items():
        segment = now.get(pk)
        if segment is None:
            changes["restored"].append(_brief(pk, old))
            rows[pk] = {f: old[f] for f in (*_LAYOUT_FIELDS, *_SOURCE_FIELDS, *_MARK_FIELDS, "text", "origin")}
            rows[pk]["removed"] = False
            continue
        row = {f: old[f] for f in _LAYOUT_FIELDS if getattr(segment, f) != old[f]}
        if segment.source_text != old["source_text"]:
            changes["sources"].append({"id": pk, "position": old["position"], "now": segment.source_text,
                                       "then": old["source_text"]})
            row.update({f: old[f] for f in _SOURCE_FIELDS})
        if pk in texts:
            row.update(text=old["text"], origin=old["origin"])
        if "source_text" in row or "text" in row:  # the marks say what this text was made from
            row.update({f: old[f] for f in _MARK_FIELDS})
        if row:
            rows[pk] = row
    for pk, segment in now.items():
        if pk not in then:
            changes["removed"].append({"id": pk, "position": segment.position, "kind": segment.kind,
                                       "source_text": segment.source_text, "text": segment.text})
            rows[pk] = {"removed": True}
    if any("position" in row or "removed" in row for row in rows.values()):
        # Positions come back all together (the writer moves every segment out of the way first), so each
        # segment the revision had is given its own, changed or not.
        for pk, old in then.items():
            rows.setdefault(pk, {})["position"] = old["position"]
    if changes["sources"] or changes["restored"] or changes["removed"]:
        version = _latest_versions(Document, [article.document_id], revision_id).get(str(article.document_id))
        if version is not None:
            document = article.document
            changes["document"] = {f: version.field_dict[f] for f in _DOCUMENT_FIELDS
                                   if getattr(document, f) != version.field_dict[f]}


def segment_versions(article: Article, segment: Segment) -> list[dict]:
    """Every stored text of one segment, newest first: [{"revision", "at", "user", "state", "text"}] (three
    queries)."""
    versions = (Version.objects.filter(content_type=ContentType.objects.get_for_model(Segment),
                                       object_id=str(segment.pk))
                .select_related("revision__user").order_by("-revision_id"))
    states = dict(ArticleRevision.objects.filter(article=article).values_list("revision_id", "state"))
    rows, previous = [], object()
    for version in reversed(list(versions)):  # oldest first, to drop saves that did not change the text
        text = version.field_dict.get("text")
        if text != previous:
            user = version.revision.user
            rows.append({"revision": version.revision_id, "at": version.revision.date_created,
                         "user": user.username if user else None, "state": states.get(version.revision_id),
                         "text": text})
        previous = text
    return rows[::-1]


def diff(article: Article, from_revision: int, to_revision: int | None) -> dict:
    """Segment by segment, word-level changes from one revision to another (None: the current text)."""
    before = article_at(article, from_revision)
    after = current(article) if to_revision is None else article_at(article, to_revision)
    before_by_id = {s["id"]: s for s in before["segments"]}
    rows = []
    for segment in after["segments"]:
        old = before_by_id.get(segment["id"], {}).get("text")
        new = segment["text"]
        rows.append({
            "id": segment["id"], "position": segment["position"], "kind": segment["kind"], "from": old, "to": new,
            "changed": (old or "") != (new or ""), "ops": word_diff(old, new),
        })
    return {"from": from_revision, "to": to_revision or "current", "segments": rows}
