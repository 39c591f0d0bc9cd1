"""XLIFF round trip: an article out to an outside CAT tool, and its translations back in, version-safe.

The import follows the segment editor's rules: the same permission
(`workflow.edit_refusal`), the same row locks, and a target is saved only
when its segment is still at the version the file was exported from; a
segment changed here since is reported as a conflict, never overwritten.
"""

from dataclasses import dataclass, field

from django.db import transaction

from translations import xliff

from . import services, workflow
from .errors import Refused
from .models import Article

IMPORT_COMMENT = "Imported from XLIFF"


def file_name(article_id: int) -> str:
    return f"article-{article_id}.xlf"


def _original(article_id: int) -> str:
    """What the file's <file original> says, so a file exported from another article is recognised."""
    return f"article-{article_id}"


def export(article: Article) -> bytes:
    """The article's segments as an XLIFF 1.2 file."""
    segments = article.document.segments.order_by("position")
    return xliff.build(article.document, segments, original=_original(article.pk),
                       approved=article.state in workflow.APPROVED_STATES)


@dataclass
class ImportResult:
    updated: list[int] = field(default_factory=list)
    unchanged: int = 0
    conflicts: list[dict] = field(default_factory=list)


def _read(data: bytes, article_id: int) -> xliff.TranslationFile:
    try:
        translation_file = xliff.parse(data)
    except xliff.XliffError as error:
        raise Refused(400, "invalid_xliff", error.message, error.details) from None
    if translation_file.original != _original(article_id):
        raise Refused(
            400, "wrong_article",
            f"This file was not exported from article {article_id}: it is for '{translation_file.original}'.",
            {"original": translation_file.original, "expected": _original(article_id)},
        )
    return translation_file


def import_translations(article_id: int, user, data: bytes) -> ImportResult:
    """Save each changed target whose segment is still at the exported version; report the others as conflicts.

    A file refused as a whole (not XLIFF, another article's, unknown units, no
    permission) changes nothing. Empty targets never clear a translation.
    """
    translation_file = _read(data, article_id)
    with transaction.atomic():
        article = services.lock_for_text_edit(article_id, user)
        segments = {str(s.pk): s for s in services.segments_for_update(article).order_by("position")}
        unknown = [unit.id for unit in translation_file.units if unit.id not in segments]
        if unknown:
            raise Refused(
                400, "unknown_segments",
                f"The file has units for segments that are not in article {article_id}: {', '.join(unknown[:20])}.",
                {"units": unknown},
            )
        result, texts, unversioned = ImportResult(), [], []
        for unit in translation_file.units:
            segment = segments[unit.id]
            if not (unit.target or "").strip() or unit.target == segment.text:
                result.unchanged += 1
            elif unit.version is None:
                unversioned.append(unit.id)
            elif unit.version != segment.version:
                change = services.last_change(segment)
                result.conflicts.append({
                    "segment": segment.pk, "position": segment.position, "their_text": unit.target,
                    "current_text": segment.text, "changed_by": change["changed_by"],
                    "changed_at": change["changed_at"], "version": segment.version,
                })
            else:
                services.check_segment_length(unit.target)
                services.check_text("units", f"the target of unit {unit.id}", unit.target)
                texts.append((segment, unit.target))
        if unversioned:
            raise Refused(
                400, "invalid_xliff",
                "Some units have lost the note recording the version they were exported at, so a newer edit here "
                f"could be overwritten: {', '.join(unversioned[:20])}. Export the article again.",
                {"units": unversioned},
            )
        if texts:
            services.write_texts(article, user, texts, IMPORT_COMMENT)
        result.updated = [segment.pk for segment, _ in texts]
    return result
