"""What publishing does to an article: the checklist, the slug, the disclaimer printed, the memory."""

from django.utils.text import slugify

from translations import memory
from translations.models import Segment

from .models import Article, Publication


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


# Each check takes the article and returns the reasons it blocks publishing (empty when it passes).
PUBLISH_CHECKS = [_segments_have_text]


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


def publish(article: Article, now) -> None:
    """Set what a published article carries; the caller changes the state and saves."""
    if not article.slug:
        article.slug = unique_slug(article)
    if article.published_at is None:
        article.published_at = now
    article.publish_at = None
    article.disclaimer = Publication.current().render_disclaimer()
    document = article.document
    memory.remember(list(document.segments.all()), document.source_language, document.target_language)
