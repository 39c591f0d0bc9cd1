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
from translations.models import Segment

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


def article_at(article: Article, revision_id: int) -> dict:
    """The article's title, state, standfirst, keywords and segments' text as of a revision."""
    meta = ArticleRevision.objects.filter(article=article, revision_id=revision_id).first()
    if meta is None:
        raise Refused(404, "not_found", f"Article {article.pk} has no revision {revision_id}.")
    article_version = _latest_versions(Article, [article.pk], revision_id).get(str(article.pk))
    fields = article_version.field_dict if article_version else {}
    keyword_ids = fields.get("keywords", [])
    names = dict(Keyword.objects.filter(pk__in=keyword_ids).values_list("pk", "name"))
    # Every segment the article ever had: one an update from the original removed is in the revisions before it.
    segment_ids = list(Segment.every.filter(document_id=article.document_id).values_list("pk", flat=True))
    versions = _latest_versions(Segment, segment_ids, revision_id)
    segments = []
    for version in versions.values():
        data = version.field_dict
        if data.get("removed"):
            continue
        segments.append({
            "id": int(version.object_id), "position": data["position"], "kind": data["kind"],
            "source_text": data["source_text"], "text": data["text"], "origin": data["origin"],
        })
    segments.sort(key=lambda s: s["position"])
    title = next((s for s in segments if s["kind"] == Segment.Kind.TITLE), None)
    return {
        "revision": revision_id,
        "title": title["text"] if title else None,
        "state": meta.state,
        "standfirst": fields.get("standfirst", ""),
        "keywords": [names[k] for k in keyword_ids if k in names],
        "segments": segments,
    }


def revert_changes(article: Article, revision_id: int, segment_id: int | None = None) -> dict:
    """What reverting to a revision would change now: {"revision", "segments": [{"id", "position", "kind",
    "now", "then", "origin"}], "standfirst": (now, then) or None, "keywords": (now, then) or None}.

    With `segment_id`, only that segment's text (the standfirst and keywords stay as they are). Services write
    exactly this; the desk shows it before asking to confirm.
    """
    past = article_at(article, revision_id)
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
    return {
        "revision": revision_id,
        "segments": segments,
        "standfirst": (article.standfirst, past["standfirst"])
        if whole and article.standfirst != past["standfirst"] else None,
        "keywords": (keywords, past["keywords"]) if whole and keywords != past["keywords"] else None,
    }


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
