"""Who is told of what, in one place; messages are rows written with the event and mailed after commit.

Events: an article assigned (the assignee), submitted (the editor who assigned
it or asked for changes, else whoever imported it, else every editor), sent
back with changes requested (the translator), published (the translator and
whoever imported it), a draft job failed (whoever ordered it), and the original
edited or removed by its outlet (the assignee and the editors). Nobody is told
of what they did themselves.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from . import dispatch, jobs
from .models import Article, Job, Notification, StateChange

log = logging.getLogger(__name__)


def _desk_url(article: Article) -> str:
    return f"{settings.SITE_URL.rstrip('/')}/desk/articles/{article.pk}/"


def _title(article: Article) -> str:
    return article.document.source_title[:80]


def _editors():
    return [u for u in get_user_model().objects.filter(is_active=True, groups__name__in=["editor", "admin"]).distinct()
            if u.has_perm("editorial.publish_article")]


def _reviewers(article: Article, actor) -> list:
    """The editors concerned with a submitted article."""
    last = (
        StateChange.objects.filter(article=article, action__in=["assign", "request_changes"])
        .exclude(user=None).select_related("user").order_by("-created_at", "-id").first()
    )
    for candidate in (last.user if last else None, article.created_by):
        if candidate is not None and candidate.is_active and candidate.has_perm("editorial.publish_article"):
            return [candidate]
    return _editors()


def recipients_of(change: StateChange) -> list:
    """Who is told of this transition."""
    article = change.article
    people = {
        "assign": [article.assignee],
        "submit": _reviewers(article, change.user),
        "request_changes": [article.assignee],
        "publish": [article.assignee, article.created_by] if change.to_state == "published" else [],
        "publish_scheduled": [article.assignee, article.created_by],
    }.get(change.action, [])
    seen, result = set(), []
    for person in people:
        if person is None or not person.is_active or person.pk == change.user_id or person.pk in seen:
            continue
        seen.add(person.pk)
        result.append(person)
    return result


def _message(change: StateChange) -> tuple[str, str]:
    article = change.article
    who = change.user.username if change.user else "Tarjama"
    subject, lines = {
        "assign": (f"#{article.pk} assigned to you", f"{who} assigned you to translate this article."),
        "submit": (f"#{article.pk} submitted for editing", f"{who} submitted the translation for editing."),
        "request_changes": (f"#{article.pk} sent back: changes requested", f"{who} asked for changes."),
        "publish": (f"#{article.pk} published", f"{who} published the article."),
        "publish_scheduled": (f"#{article.pk} published as scheduled", "The article was published as scheduled."),
    }[change.action]
    body = [lines, "", f"Article: {_title(article)}"]
    if change.comment:
        body += ["", f"Comment: {change.comment}"]
    body += ["", _desk_url(article)]
    return f"[Tarjama] {subject}: {_title(article)}", "\n".join(body)


def _queue(rows: list[Notification]) -> None:
    created = []
    for row in rows:
        if not row.recipient.email:
            continue
        try:
            with transaction.atomic():
                row.save()
            created.append(row.pk)
        except IntegrityError:
            pass  # already told
    if created:
        dispatch.send_on_commit(dispatch.SEND_NOTIFICATIONS, created, later="the periodic sender sends them.")


def on_transition(change: StateChange) -> None:
    """Write the messages a transition causes (inside its transaction)."""
    recipients = recipients_of(change)
    if not recipients:
        return
    subject, body = _message(change)
    _queue([
        Notification(recipient=person, event=change.action, key=f"change:{change.pk}", article=change.article,
                     subject=subject, body=body)
        for person in recipients
    ])


def on_original_changed(article: Article, outcome: str, summary: str) -> None:
    """Tell the assignee and the editors that the outlet edited or removed the original (inside the check's
    transaction; once per change found)."""
    people, seen = [article.assignee, *_editors()], set()
    recipients = [p for p in people if p is not None and p.is_active and not (p.pk in seen or seen.add(p.pk))]
    word = "edited" if outcome == "edited" else "removed"
    key = f"original:{outcome}:{timezone.now().isoformat()}"
    _queue([Notification(
        recipient=person, event=f"original_{word}", key=key, article=article,
        subject=f"[Tarjama] The original of #{article.pk} was {word}: {_title(article)}",
        body=f"{summary}\n\nOutlet: {article.source_outlet}\nOriginal: {article.source_url}\n\n{_desk_url(article)}",
    ) for person in recipients])


def on_job_failed(job: Job) -> None:
    """Tell whoever ordered a draft that it failed, and why."""
    person = job.created_by
    if person is None or not person.is_active or job.article is None:
        return
    article = job.article
    _queue([Notification(
        recipient=person, event="job_failed", key=f"job:{job.pk}:{job.attempts}:{job.finished_at}",
        article=article, subject=f"[Tarjama] Machine draft failed: {_title(article)}",
        body=f"The machine draft of #{article.pk} failed.\n\nReason: {job.error}\n\n"
             f"You can retry it from the desk once the cause is fixed.\n\n{_desk_url(article)}",
    )])


def send_pending(ids: list[int] | None = None) -> int:
    """Mail the unsent notifications (these, or all); each one at most once. Returns how many were sent."""
    sent = 0
    pending = Notification.objects.filter(sent_at__isnull=True).select_related("recipient")
    if ids is not None:
        pending = pending.filter(pk__in=ids)
    for pk in pending.values_list("pk", flat=True):
        with transaction.atomic():
            note = (
                Notification.objects.select_for_update(skip_locked=True, of=("self",)).select_related("recipient")
                .filter(pk=pk, sent_at__isnull=True).first()
            )
            if note is None:
                continue
            try:
                send_mail(note.subject, note.body, settings.DEFAULT_FROM_EMAIL, [note.recipient.email])
            except Exception as exc:  # noqa: BLE001 - SMTP errors vary; the row stays unsent and is retried
                if jobs.out_of_time(exc):  # the task's time is up: the rest are sent by the next run
                    raise
                note.error = str(exc)[:500]
                note.save(update_fields=["error"])
                continue
            note.sent_at, note.error = timezone.now(), ""
            note.save(update_fields=["sent_at", "error"])
            sent += 1
    return sent
