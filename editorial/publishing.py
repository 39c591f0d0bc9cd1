"""What publishing does to an article: the checklist, the slug, the version that goes out, the memory.

The public site shows an article's live `PublishedVersion`: the headline, text,
credit and the disclaimer exactly as printed when it went out. The disclaimer is
not part of the editable text; it is rendered from the publication's template at
publish time and stored with the version, so no edit, revert or later change of
the template rewrites what was published.
"""

from django.utils.text import slugify

from translations.models import Segment

from . import delivering, jobs, quality, snapshots
from .models import Article, Publication, PublishedVersion, SourceSnapshot
from .public import cache
from .wire import stories


def empty_positions(article: Article) -> list[int]:
    """Positions of the segments with no translation yet (blank text counts as none)."""
    rows = Segment.objects.filter(document_id=article.document_id).order_by("position").values_list("position", "text")
    return [position for position, text in rows if not (text and text.strip())]


def _segments_have_text(article: Article) -> list[dict]:
    empty = empty_positions(article)
    if not empty:
        return []
    return [{
        "code": "segments_incomplete",
        "message": f"{len(empty)} segment(s) have no translation",
        "positions": empty,
    }]


def _headline_set(article: Article) -> list[dict]:
    if headline(article):
        return []
    return [{"code": "headline_missing", "message": "the headline (the title segment) has no translation"}]


def _has_keyword(article: Article) -> list[dict]:
    if article.keywords.exists():
        return []
    return [{"code": "keywords_missing", "message": "set at least one keyword"}]


def _no_blocking_issues(article: Article) -> list[dict]:
    issues = quality.blocking(article)
    if not issues:
        return []
    return [{"code": "quality_issues", "message": f"{len(issues)} quality error(s) are open", "issues": issues}]


# Each check takes the article and returns the reasons it blocks publishing (empty when it passes).
PUBLISH_CHECKS = [_headline_set, _segments_have_text, _has_keyword, _no_blocking_issues]


def blockers(article: Article) -> list[dict]:
    """Every reason the article may not be published now, as {"code", "message", ...}."""
    return [reason for check in PUBLISH_CHECKS for reason in check(article)]


def headline(article: Article) -> str:
    title = Segment.objects.filter(document_id=article.document_id, kind="title").only("text").first()
    return (title.text or "").strip() if title else ""


def unique_slug(article: Article) -> str:
    base = slugify(headline(article))[:100].strip("-") or f"article-{article.pk}"
    slug, n = base, 2
    while Article.objects.filter(slug=slug).exclude(pk=article.pk).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def publish(article: Article, now, *, user=None, note: str = "") -> PublishedVersion:
    """Put the article's current text out as its live version; the caller changes the state and saves.

    Publishing an article that is live already is a correction: `note` (required by the workflow) is shown
    on the page.
    """
    note = (note or "").strip()
    publication = Publication.current()
    if not article.slug:
        article.slug = unique_slug(article)
    if article.published_at is None:
        article.published_at = now
    article.publish_at = None
    article.disclaimer = publication.render_disclaimer()

    previous = article.published_versions.order_by("-number").first()
    corrections = list(previous.corrections) if previous else []
    if previous and note:
        corrections.append({"at": now.isoformat(), "note": note})
    segments = list(Segment.objects.filter(document_id=article.document_id).order_by("position"))
    keywords = list(article.keywords.all())
    document = article.document
    version = PublishedVersion.objects.create(
        article=article,
        number=previous.number + 1 if previous else 1,
        slug=article.slug,
        headline=next((s.text.strip() for s in segments if s.kind == Segment.Kind.TITLE), ""),
        standfirst=article.standfirst,
        body=[{"kind": s.kind, "text": s.text.strip()} for s in segments if s.kind != Segment.Kind.TITLE],
        keyword_names=[k.name for k in keywords],
        source_outlet=article.source_outlet,
        source_author=article.source_author,
        source_url=article.source_url,
        source_published_at=article.source_published_at,
        source_language=document.source_language,
        also_reported_by=stories.other_outlets(article) if article.credit_story else [],
        snapshot=_translated_from(article, segments),
        original_removed_at=previous.original_removed_at if previous else None,
        publication_name=publication.name,
        disclaimer=article.disclaimer,
        published_at=article.published_at,
        corrections=corrections,
        created_by=user if user is not None and user.is_authenticated else None,
    )
    version.keywords.set(keywords)
    article.live_version = version
    # The memory learns the published text in the background (editorial.remembering); the publish targets get it
    # too (editorial.delivering).
    jobs.create_memory_job(article, segments, now)
    delivering.queue(article, delivering.CORRECTED if previous else delivering.PUBLISHED, user)
    cache.invalidate()
    return version


def take_down(article: Article) -> None:
    """Remove the article from every public surface (the caller saves)."""
    if article.live_version_id:
        article.live_version = None
        # Saved now, not by the caller: the delivery jobs queued here read it once this transaction commits.
        Article.objects.filter(pk=article.pk).update(live_version=None)
        delivering.queue(article, delivering.UNPUBLISHED)
        cache.invalidate()


def _translated_from(article: Article, segments) -> SourceSnapshot | None:
    """The snapshot the text was translated from: the newest whose extracted text is the article's source now (a
    change the watch found but nobody brought in is not it), else the newest."""
    snapshots_ = article.snapshots.order_by("-retrieved_at", "-id")
    fingerprint = snapshots.text_fingerprint(s.source_text for s in segments)
    return snapshots_.filter(text_sha256=fingerprint).first() or snapshots_.first()
