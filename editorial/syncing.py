"""Update an article from its changed original (the watch found an edit): one revision, nothing retyped.

Against the newest snapshot's text, aligned as the watch aligns it (editorial.watch.align):
- a segment whose folded source is unchanged keeps its translation, history and overrides;
- an edited segment takes the new source and keeps its old translation, marked `source_changed` (a blocking
  issue until someone saves or confirms it); its machine draft is made again by the usual draft job;
- a new segment is added empty, for the draft job;
- a removed segment leaves the article (`removed`: hidden everywhere, kept for the history).
On a published article the update happens under a correction: the live version stays until republished.
A revert to the revision before it undoes it (`services.revert`, from `history.revert_changes`).
"""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from translations.models import Segment
from translations.normalize import normalize

from . import history, jobs, watch, workflow
from .errors import Refused
from .models import Article, Job, SourceSnapshot, State

# Positions are moved out of the way first (one UPDATE), so renumbering never meets the uniqueness of a position.
_OUT_OF_THE_WAY = 1_000_000
SYNC_STATES = frozenset({State.SOURCE, State.MACHINE_DRAFT, State.TRANSLATION, State.EDITING, State.PUBLISHED})


def refusal(article: Article, user) -> Refused | None:
    """Why this user may not update the article from its original now, or None: editors, or the assignee while
    the article is in translation."""
    if article.state not in SYNC_STATES:
        return Refused(409, "invalid_state", f"An article in state '{article.state}' is not updated from its "
                       "original" + (": cancel the schedule first." if article.state == State.SCHEDULED else "."),
                       {"state": article.state})
    if workflow.may_edit_any(user):
        if article.state == State.PUBLISHED and not user.has_perm("editorial.correct_article"):
            return Refused(403, "forbidden", "Updating a published article is a correction, which your role may "
                           "not make.")
        return None
    if article.assignee_id == user.pk and article.state == State.TRANSLATION:
        return None
    return Refused(403, "forbidden", "Only an editor or the translator assigned to the article updates it from the "
                   "original.")


def sync(article_id: int, user) -> tuple[Article, dict, Job | None]:
    """Bring the article's source in line with its newest snapshot; returns the article, what changed
    ({"edited", "added", "removed"}: positions before and after) and the draft job queued, if any."""
    with transaction.atomic():
        article = Article.objects.select_for_update().select_related("document").get(pk=article_id)
        problem = refusal(article, user)
        if problem:
            raise problem
        snapshot = SourceSnapshot.objects.filter(article=article).order_by("-retrieved_at", "-id").first()
        new = snapshot.segments if snapshot is not None else []
        segments = list(Segment.objects.select_for_update().filter(document_id=article.document_id)
                        .order_by("position"))
        steps = watch.align([s.source_text for s in segments], [t for _, t in new]) if new else []
        if not any(step.op != "equal" for step in steps):
            raise Refused(409, "up_to_date", "The article already matches its newest original: nothing to update.")
        if article.state == State.PUBLISHED:
            article, _ = workflow.apply(article.pk, user, "correct",
                                        comment="To update the translation from the changed original")
        summary = _apply(article, user, segments, steps, new)
        job = None
        if article.state != State.SOURCE:
            pending = article.document.segments.filter(jobs.UNDRAFTED).count()
            if pending and not article.jobs.filter(kind=Job.Kind.DRAFT, state__in=Job.ACTIVE).exists():
                job = jobs.create_draft_job(article, user, total=pending)
        Article.objects.filter(pk=article.pk).update(watch_outcome=watch.UNCHANGED, watch_changes={},
                                                     version=F("version") + 1, updated_at=timezone.now())
    article.refresh_from_db()
    return article, summary, job


def clear_positions(document_id: int) -> None:
    """Move the document's segments out of the way of every position (an update from the original, and a revert
    across one, then give each segment its place, saving one at a time)."""
    Segment.objects.filter(document_id=document_id).update(position=F("position") + _OUT_OF_THE_WAY)


def _apply(article: Article, user, segments: list[Segment], steps, new: list) -> dict:
    document = article.document
    clear_positions(document.pk)
    touched, summary = [], {"edited": [], "added": [], "removed": []}
    for position, step in enumerate(s for s in steps if s.op != "removed"):
        if step.op == "added":
            kind, text = new[step.new]
            segment = Segment.objects.create(document=document, position=position, kind=kind, source_text=text)
            summary["added"].append(position)
        else:
            segment = segments[step.old]
            segment.position = position
            if step.op == "edited":
                kind, text = new[step.new]
                summary["edited"].append(position)
                segment.previous_source = segment.previous_source or segment.source_text
                segment.source_text, segment.kind = text, kind
                segment.machine_text, segment.engine = None, ""
                segment.source_changed = segment.text is not None
                # A save made against the old source is stale now: refused with the new one, never applied blind.
                segment.version += 1
            segment.save()
        touched.append(segment)
    for step in steps:
        if step.op == "removed":
            segment = segments[step.old]
            summary["removed"].append(segment.position)  # its position before the update
            segment.removed, segment.source_changed = True, False
            segment.save()
            touched.append(segment)
    current = sorted((s for s in touched if not s.removed), key=lambda s: s.position)
    document.source_title = current[0].source_text
    document.source_body, document.is_html = "\n\n".join(s.source_text for s in current[1:]), False
    document.search_text = normalize("\n".join(s.source_text for s in current))
    document.save()
    parts = [f"{len(v)} {k}" for k, v in summary.items() if v]
    history.leave_revision(user, "Updated from the original: " + ", ".join(parts), article, [document, *touched])
    return summary
