"""The writes: import an article, edit its details and segments, revert. Views and tasks call these."""

from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from translations import characters, languages
from translations.find import replaced
from translations.models import Document, Segment
from translations.normalize import as_written, normalize
from translations.segmentation import plain_text, split_body

from . import fetching, history, snapshots, syncing, watch, workflow
from .errors import Refused, check_text
from .models import Article, Comment, Keyword

MAX_KEYWORDS = 20


def _too_large(what: str, size: int, limit: int, unit: str) -> Refused:
    return Refused(
        413, "too_large", f"The {what} is {size:,} {unit}; the limit is {limit:,} {unit}.",
        {"limit": limit, "size": size},
    )


def _without_forbidden(*texts: str) -> tuple[list[str], int]:
    cleaned, removed = [], 0
    for text in texts:
        text, count = characters.strip_forbidden(text)
        cleaned.append(text)
        removed += count
    return cleaned, removed


def clean_keywords(names) -> list[str]:
    """Trimmed, de-duplicated (case-insensitively) keyword names, in the order given."""
    seen, result = set(), []
    for name in names:
        check_text("keywords", f"the keyword {str(name)[:40]!r}", str(name))
        name = plain_text(str(name))[:100]
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            result.append(name)
    if len(result) > MAX_KEYWORDS:
        raise Refused(400, "invalid", f"At most {MAX_KEYWORDS} keywords.", {"keywords": ["Too many keywords."]})
    return result


def _keyword_objects(names: list[str]) -> list[Keyword]:
    return [_keyword(name) for name in names]


def _keyword(name: str) -> Keyword:
    """The keyword of that name (any case), created if new; two requests creating it at once get the same row."""
    found = Keyword.objects.filter(name__iexact=name).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return Keyword.objects.create(name=name)
    except IntegrityError:  # created meanwhile by a concurrent request, which has committed
        return Keyword.objects.get(name=name)


def create_article(
    *,
    user,
    title: str,
    body: str,
    language: str,
    outlet: str,
    author: str = "",
    url: str = "",
    published_at: datetime | None = None,
    target_language: str = "en",
    keywords=(),
    standfirst: str = "",
    received: "snapshots.Received | None" = None,
) -> Article:
    """Import a source article: sanitise, split into segments, and leave the first revision.

    The source comes from outside (pasted, fetched, from a feed): characters no stored text may hold are
    removed, and the revision says how many. The standfirst and keywords are typed here: refused instead.
    What arrived is kept as the article's first snapshot (`received`; by default the title and body as given)."""
    received = received or snapshots.pasted(title, body)
    problem = languages.not_a_source_language(language)
    if problem:
        raise Refused(400, "invalid", problem, {"source": {"language": [problem]}})
    if len(body) > settings.MAX_SOURCE_BODY_CHARS:
        raise _too_large("source body", len(body), settings.MAX_SOURCE_BODY_CHARS, "characters")
    check_text("standfirst", "the standfirst", standfirst)
    (title, body, outlet, author, url), removed = _without_forbidden(title, body, outlet, author, url)
    if not outlet.strip():  # the credit every published piece carries
        raise Refused(400, "invalid", "The outlet has no text.", {"source": {"outlet": ["The outlet has no text."]}})
    title_text = as_written(plain_text(title), language)
    if not title_text:
        raise Refused(400, "invalid", "The title has no text.", {"source": {"title": ["The title has no text."]}})
    split = split_body(body, language)
    if not split.blocks:
        raise Refused(400, "invalid", "The body has no text.", {"source": {"body": ["The body has no text."]}})
    if len(split.blocks) + 1 > settings.MAX_SEGMENTS:
        raise _too_large("article", len(split.blocks) + 1, settings.MAX_SEGMENTS, "segments")
    keyword_names = clean_keywords(keywords)

    with transaction.atomic():
        document = Document.objects.create(
            source_language=language, target_language=target_language, source_title=title_text,
            source_body=split.clean_body, original_body=body, is_html=split.is_html,
            search_text=normalize("\n".join([title_text, *(block.text for block in split.blocks)])),
        )
        segments = [Segment(document=document, position=0, kind=Segment.Kind.TITLE, source_text=title_text)]
        segments += [
            Segment(document=document, position=i, kind=block.kind, source_text=block.text)
            for i, block in enumerate(split.blocks, start=1)
        ]
        segments = Segment.objects.bulk_create(segments)
        article = Article.objects.create(
            document=document, source_outlet=outlet.strip(), source_author=author.strip(), source_url=url,
            source_published_at=published_at, created_by=user, standfirst=standfirst.strip(),
        )
        article.keywords.set(_keyword_objects(keyword_names))
        snapshots.record(article, received, [(segment.kind, segment.source_text) for segment in segments])
        comment = f"Imported from {article.source_outlet}"
        if removed:
            comment += f" ({removed} invisible control or direction character{'s' if removed > 1 else ''} removed)"
        history.leave_revision(user, comment, article, [document, *segments])
    return article


def import_article(*, user, url: str = "", title: str = "", body: str = "", **details) -> Article:
    """`create_article`, reading the headline and text from the original's address when they are not given (the
    page as fetched is kept as the snapshot). Refused (400) when the page cannot be read or holds no article."""
    received = None
    if not (title and body):
        if not url:
            raise Refused(400, "invalid", "Give the title and body, or the original's address to read them from.",
                          {"source": {"body": ["Required unless the address is given."]}})
        page = fetching.fetch_page(url)
        title, body = title or page.title, body or page.body
        received = snapshots.downloaded(page.download)
    return create_article(user=user, url=url, title=title, body=body, received=received, **details)


def update_details(article_id: int, user, *, version: int, standfirst=None, keywords=None,
                   credit_story: bool | None = None) -> Article:
    """Edit the standfirst, keywords and whether the story's other outlets are credited; refused (409) when
    `version` is not the current one."""
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article_id)
        refusal = workflow.details_refusal(article, user)
        if refusal:
            raise refusal
        if version != article.version:
            raise Refused(
                409, "stale_version", "Someone else changed this article since you loaded it.",
                {"version": article.version, "standfirst": article.standfirst,
                 "keywords": list(article.keywords.values_list("name", flat=True))},
            )
        changed = []
        check_text("standfirst", "the standfirst", standfirst)
        if standfirst is not None and standfirst.strip() != article.standfirst:
            article.standfirst = standfirst.strip()
            changed.append("standfirst")
        if keywords is not None:
            names = clean_keywords(keywords)
            if names != list(article.keywords.values_list("name", flat=True)):
                article.keywords.set(_keyword_objects(names))
                changed.append("keywords")
        if credit_story is not None and credit_story != article.credit_story:
            article.credit_story = credit_story
            changed.append("the credit of the other outlets")
        if changed:
            article.version += 1
            article.save()
            history.leave_revision(user, "Edited " + " and ".join(changed), article)
    return article


def set_deadline(article_id: int, user, deadline: datetime | None) -> Article:
    """The editor's deadline for the article (None clears it); only editors and admins set one."""
    if not workflow.may_edit_any(user):
        raise Refused(403, "forbidden", "Only editors and admins set deadlines.")
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article_id)
        if article.deadline != deadline:
            article.deadline = deadline
            article.save(update_fields=["deadline", "updated_at"])
            when = timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M") if deadline else "none"
            history.leave_revision(user, f"Deadline: {when}", article)
    return article


def check_segment_length(text: str) -> None:
    """Refuse (413) a translation longer than one segment may hold."""
    if len(text) > settings.MAX_SEGMENT_CHARS:
        raise _too_large("segment text", len(text), settings.MAX_SEGMENT_CHARS, "characters")


def lock_for_text_edit(article_id: int, user) -> Article:
    """The article row, locked until the transaction ends, if this user may edit its text now; else the reason."""
    article = Article.objects.select_for_update().get(pk=article_id)
    refusal = workflow.edit_refusal(article, user)
    if refusal:
        raise refusal
    return article


def segments_for_update(article: Article):
    """The article's segments, each row locked until the transaction ends, with who changed it last."""
    return (
        Segment.objects.select_for_update(of=("self",)).select_related("changed_by")
        .filter(document_id=article.document_id)
    )


def last_change(segment: Segment) -> dict:
    """What the author of a stale edit is shown: the current text and version, and who changed it when."""
    return {
        "text": segment.text, "version": segment.version,
        "changed_by": segment.changed_by.username if segment.changed_by else None,
        "changed_at": segment.changed_at.isoformat() if segment.changed_at else None,
    }


def _set_texts(user, texts, now) -> list[Segment]:
    """Write each (segment, text, origin) into segments already locked: a new version, by `user`, at `now`."""
    for segment, text, origin in texts:
        segment.text = text
        segment.origin = origin
        segment.version += 1
        segment.changed_by = user
        segment.changed_at = now
        segment.source_changed, segment.previous_source = False, ""  # saved or confirmed against the new source
        segment.save()
    return [segment for segment, _, _ in texts]


def write_texts(article: Article, user, texts: list[tuple[Segment, str]], comment: str) -> None:
    """Store human translations in segments already locked and version-checked, as one revision."""
    now = timezone.now()
    segments = _set_texts(user, [(segment, text, Segment.Origin.HUMAN) for segment, text in texts], now)
    Article.objects.filter(pk=article.pk).update(updated_at=now)
    history.leave_revision(user, comment, article, segments, with_article=False)


def save_segment(article_id: int, segment_id: int, user, *, text: str, version: int) -> Segment:
    """Save one segment's translation; a stale `version` is refused with the newer text, never overwritten."""
    check_segment_length(text)
    check_text("text", "the translation", text)
    with transaction.atomic():
        article = lock_for_text_edit(article_id, user)
        segment = segments_for_update(article).filter(pk=segment_id).first()
        if segment is None:
            raise Refused(404, "not_found", "This article has no such segment.")
        if version != segment.version:
            raise Refused(
                409, "stale_version",
                f"Segment {segment.position} was changed by "
                f"{segment.changed_by.username if segment.changed_by else 'the machine draft'} since you loaded it.",
                last_change(segment),
            )
        write_texts(article, user, [(segment, text)], f"Edited {segment.kind} {segment.position}")
    return segment


def revert(article_id: int, revision_id: int, user, *, segment_id: int | None = None) -> Article:
    """Bring the text, standfirst and keywords back to a past revision (across an update from the original, the
    sources and the segments it removed or added too), or one segment's text only, as a new revision; exactly
    what `history.revert_changes` shows beforehand."""
    with transaction.atomic():
        article = Article.objects.select_for_update().select_related("document").get(pk=article_id)
        refusal = workflow.revert_refusal(article, user)
        if refusal:
            raise refusal
        # Every segment locked before comparing, so none changes between the comparison and the write; the
        # removed ones too, which a revert across an update from the original brings back.
        locked = {s.pk: s for s in Segment.every.select_for_update().filter(document_id=article.document_id)}
        changes = history.revert_changes(article, revision_id, segment_id)
        now = timezone.now()
        across_update = bool(changes["sources"] or changes["restored"] or changes["removed"])
        if segment_id is None:
            changed = _restore_rows(article, user, locked, changes["rows"], now)
        else:
            changed = _set_texts(user, [(locked[c["id"]], c["then"], c["origin"]) for c in changes["segments"]],
                                 now)
        if changes["document"]:
            for name, value in changes["document"].items():
                setattr(article.document, name, value)
            article.document.save()
            changed.append(article.document)
        if changes["standfirst"] or changes["keywords"]:
            article.standfirst = changes["standfirst"][1] if changes["standfirst"] else article.standfirst
            if changes["keywords"]:
                article.keywords.set(_keyword_objects(changes["keywords"][1]))
        if changes["standfirst"] or changes["keywords"] or across_update:  # as the update itself did
            article.version += 1
        article.save()
        if segment_id is None:
            comment = f"Reverted to revision {revision_id}"
        else:
            comment = f"Restored segment {locked[segment_id].position} from revision {revision_id}"
        history.leave_revision(user, comment, article, changed)
        if across_update:
            watch.recompare(article.pk)  # the source is behind its newest original again, or no longer
    return article


def _restore_rows(article: Article, user, locked: dict[int, Segment], rows: dict[int, dict], now) -> list:
    """Give each segment row back what `history.revert_changes` says it had (`rows`), as `_set_texts` would a
    text: a new version when its text or source changes, so a save made against what it is now is refused."""
    if any("position" in row for row in rows.values()):
        syncing.clear_positions(article.document_id)
    changed = []
    for pk, row in rows.items():
        segment = locked[pk]
        for name, value in row.items():
            setattr(segment, name, value)
        if "text" in row:
            segment.changed_by, segment.changed_at = user, now
        if "text" in row or "source_text" in row:
            segment.version += 1
        segment.save()
        changed.append(segment)
    return changed


def replacement_preview(article: Article, find: str, replacement: str, *, match_case: bool) -> list[dict]:
    """The segments a replace-all would change: [{"segment", "before", "after", "count", "version"}]."""
    _check_find(find, replacement)
    rows = []
    for segment in article.document.segments.order_by("position"):
        after, count = replaced(segment.text, find, replacement, match_case=match_case)
        if count:
            rows.append({"segment": segment, "before": segment.text, "after": after, "count": count,
                         "version": segment.version})
    return rows


def replace_all(article_id: int, user, find: str, replacement: str, *, match_case: bool,
                versions: dict[int, int]) -> dict:
    """Replace in the segments previewed (`versions`: {segment id: version seen}), as one revision.

    A segment changed since the preview is left alone and reported, never overwritten: {"changed": [positions],
    "skipped": [positions]}.
    """
    _check_find(find, replacement)
    with transaction.atomic():
        article = lock_for_text_edit(article_id, user)
        texts, skipped = [], []
        for segment in segments_for_update(article).filter(pk__in=list(versions)).order_by("position"):
            after, count = replaced(segment.text, find, replacement, match_case=match_case)
            if segment.version != versions[segment.pk]:
                skipped.append(segment.position)
            elif count:
                check_segment_length(after)
                texts.append((segment, after))
        if texts:
            write_texts(article, user, texts, f"Replaced \u201c{find}\u201d with \u201c{replacement}\u201d in "
                        f"{len(texts)} segment{'s' if len(texts) != 1 else ''}")
    return {"changed": [segment.position for segment, _ in texts], "skipped": skipped}


def _check_find(find: str, replacement: str) -> None:
    if not find:
        raise Refused(400, "invalid", "Say what to find.", {"find": ["Required."]})
    check_text("find", "the text to find", find)
    check_text("replace", "the replacement", replacement)


def add_comment(article: Article, user, text: str) -> Comment:
    """A message in the article's thread (anyone on the desk may write one)."""
    text = (text or "").strip()
    if not text:
        raise Refused(400, "invalid", "Write something to post.", {"text": ["This field is required."]})
    check_text("text", "the comment", text)
    return Comment.objects.create(article=article, user=user, text=text)
