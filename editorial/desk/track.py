"""Track changes for editors: machine draft -> translator -> editor, word by word, per segment."""

from editorial import history
from editorial.models import ArticleRevision, State
from translations.diff import word_diff


def submitted_revision(article) -> int | None:
    """The revision left when the translation was last submitted for editing."""
    last_translation = (
        ArticleRevision.objects.filter(article=article, state=State.TRANSLATION).order_by("-revision_id").first()
    )
    submitted = ArticleRevision.objects.filter(article=article, state=State.EDITING)
    if last_translation:
        submitted = submitted.filter(revision_id__gt=last_translation.revision_id)
    first = submitted.order_by("revision_id").first()
    return first.revision_id if first else None


def track_changes(article, segments) -> list[dict]:
    """Per segment: the machine draft, what the translator made of it, and what the editor made of that."""
    revision = submitted_revision(article)
    translated = {}
    if revision is not None:
        translated = {s["id"]: s["text"] for s in history.article_at(article, revision)["segments"]}
    rows = []
    for segment in segments:
        by_translator = translated.get(segment.pk, segment.text)
        rows.append({
            "segment": segment,
            "translator_ops": word_diff(segment.machine_text, by_translator),
            "editor_ops": word_diff(by_translator, segment.text),
            "edited_by_editor": (by_translator or "") != (segment.text or ""),
        })
    return rows
