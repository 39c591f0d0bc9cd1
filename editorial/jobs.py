"""Background jobs as database rows: created inside the request's transaction, sent after it commits.

The database, not the broker, is the record of what must be done. A job that
could not reach the broker stays `queued` with no `sent_at`, and one that has
shown no sign of life for JOB_STALL_SECONDS (its message lost in a Redis
restart, its worker killed) is sent again by the `send_queued_jobs` beat task.
Running a job twice is safe: the job functions are idempotent.
"""

import logging
import random
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from . import dispatch
from .errors import Refused
from .models import Article, Delivery, Job

log = logging.getLogger(__name__)


# What a draft job fills: segments with no machine draft that have no text yet, or whose source changed under
# their text (an update from the original: the draft of the new source is offered beside the old translation).
UNDRAFTED = Q(machine_text__isnull=True) & (Q(text__isnull=True) | Q(source_changed=True))


def create_draft_job(article: Article, user, total: int | None = None, assign_to: int | None = None) -> Job:
    job = Job.objects.create(
        kind=Job.Kind.DRAFT, article=article, created_by=user,
        total=article.document.segments.count() if total is None else total,
        payload={"assign_to": assign_to} if assign_to else {},
    )
    transaction.on_commit(lambda: send(job.pk))
    return job


def create_memory_job(article: Article, segments, published_at) -> Job:
    """Queue the published text for the translation memory: each segment's source and final text as published."""
    pairs = [[s.pk, s.source_text, s.text.strip()] for s in segments if s.has_text]
    job = Job.objects.create(
        kind=Job.Kind.MEMORY, article=article, total=len(pairs), payload={
            "source_language": article.document.source_language,
            "target_language": article.document.target_language,
            "published_at": published_at.isoformat(),
            "translator": article.assignee_id,
            "segments": pairs,
        },
    )
    transaction.on_commit(lambda: send(job.pk))
    return job


class Busy(Exception):
    """Another worker holds the job's lease (it is running and showed a sign of life lately)."""

    def __init__(self, job_id: int, seconds: float):
        super().__init__(f"Job {job_id} is running elsewhere; its lease ends in {seconds:.0f} s.")
        self.seconds = seconds


def start(job_id: int, holder: str = "") -> Job | None:
    """Take the job's lease for one more attempt; None when it has finished already (a repeated delivery).

    A running job whose heartbeat is younger than JOB_STALL_SECONDS belongs to a live worker: another delivery
    (the sweeper's, a duplicate message) raises Busy, to be tried again when the lease ends. `holder` names the
    delivery (the Celery task id): the same task retrying after a failure of its own takes its lease back.
    """
    with transaction.atomic():
        job = Job.objects.select_for_update(of=("self",)).select_related("article__document", "created_by")
        job = job.get(pk=job_id)
        if job.state in (Job.Status.SUCCEEDED, Job.Status.FAILED):
            return None
        now = timezone.now()
        if job.state == Job.Status.RUNNING and job.heartbeat_at is not None and not (holder and
                                                                                    holder == job.leased_by):
            left = settings.JOB_STALL_SECONDS - (now - job.heartbeat_at).total_seconds()
            if left > 0:
                raise Busy(job.pk, left)
        job.state = Job.Status.RUNNING
        job.attempts += 1
        job.started_at = job.started_at or now
        job.heartbeat_at = now
        job.leased_by = holder
        job.save(update_fields=["state", "attempts", "started_at", "heartbeat_at", "leased_by"])
        return job


def out_of_time(exc: BaseException) -> bool:
    """Whether `exc` is the task's soft time limit, or an error it caused. The limit is a signal: when it strikes
    while psycopg waits on the server (a COMMIT, a query), the connection is left mid-request, and leaving the
    transaction then fails on it (Django raises "can't change 'autocommit' now" instead of the limit). Such a
    connection is dropped here, with Django's record of the transaction; the next query opens a new one. The
    server still ends what it was asked: a COMMIT already sent may go through after the limit. Read the job with
    `settled` before recording where the attempt stopped."""
    from celery.exceptions import SoftTimeLimitExceeded
    from django.db import connection
    from psycopg.pq import TransactionStatus

    seen = exc
    while seen is not None and not isinstance(seen, SoftTimeLimitExceeded):
        seen = seen.__cause__ or seen.__context__
    if seen is None:
        return False
    raw = connection.connection
    if raw is not None and getattr(raw, "info", None) is not None and \
            raw.info.transaction_status not in (TransactionStatus.IDLE, TransactionStatus.INTRANS):
        log.warning("The time limit struck mid-request: dropping the database connection")
        connection.in_atomic_block, connection.savepoint_ids, connection.atomic_blocks = False, [], []
        connection.needs_rollback = connection.closed_in_transaction = False
        connection.close()
    return True


def settled(job_id: int) -> Job:
    """The job as stored once the transaction of an interrupted attempt has ended on the server: a COMMIT in
    flight when the time limit struck holds the job's row lock (the attempt wrote its progress), and reading the
    row under that lock waits for it to commit or roll back."""
    with transaction.atomic():
        return Job.objects.select_for_update().get(pk=job_id)


def note(job_id: int, message: str) -> None:
    """Add a line to the job's notes (inside the caller's transaction)."""
    job = Job.objects.select_for_update().get(pk=job_id)
    job.notes = [*job.notes, {"at": timezone.now().isoformat(), "message": message}]
    job.save(update_fields=["notes"])


TASK_BY_KIND = {Job.Kind.DRAFT: dispatch.DRAFT, Job.Kind.MEMORY: dispatch.REMEMBER, Job.Kind.DELIVERY: dispatch.DELIVER}


def send(job_id: int) -> bool:
    """Hand the job to the broker; False (and the job left as it was) when the broker is unreachable."""
    job = Job.objects.get(pk=job_id)
    if not dispatch.send(TASK_BY_KIND[job.kind], job.pk, later="the sweeper sends it when the broker is back."):
        return False
    Job.objects.filter(pk=job.pk).update(sent_at=timezone.now())
    return True


def retry_delay(retries: int, asked: float | None = None) -> float:
    """Seconds before a task's next attempt: what the service asked for (Retry-After), never less, or an
    exponential backoff; either with jitter, so jobs that failed together (an engine's outage) do not all come
    back at the same instant. Never beyond JOB_RETRY_MAX_SECONDS, which stays under the broker's visibility
    timeout: a service asking for longer is asked again then, and answers with a new Retry-After."""
    cap = settings.JOB_RETRY_MAX_SECONDS
    if asked is not None:
        return min(asked + random.uniform(0, max(1.0, asked * 0.1)), cap) if asked < cap else cap
    backoff = min(settings.JOB_RETRY_BASE_SECONDS * 2**retries, cap)
    return random.uniform(backoff / 2, backoff)


def retry_refusal(job: Job, user) -> Refused | None:
    """Why `user` may not retry `job` now, or None: editors and admins retry a failed job or one between attempts."""
    if not user.has_perm("editorial.draft_article"):
        return Refused(403, "forbidden", "Only editors and admins may retry jobs.")
    # Queued after an attempt: waiting out its backoff, which the retry cuts short. A running job keeps its lease.
    waiting = job.state == Job.Status.QUEUED and job.attempts > 0
    if job.state != Job.Status.FAILED and not waiting:
        return Refused(409, "invalid_state", "Only a failed job, or one waiting to try again, can be retried; this "
                       f"one is {job.state}.", {"state": job.state})
    return None


def retry(job_id: int, user) -> Job:
    """Queue a failed job again, or send one waiting for its next attempt now, at a user's request."""
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        refusal = retry_refusal(job, user)
        if refusal is not None:
            raise refusal
        # A message still waiting in the broker meets the job's lease or its end (`start`): never two at once.
        job.state, job.error, job.attempts, job.finished_at = Job.Status.QUEUED, None, 0, None
        job.notes = [*job.notes, {"at": timezone.now().isoformat(), "message": f"Retried by {user.username}"}]
        job.save()
        # The desk then shows the delivery this job owns as being sent, no longer as the failure retried.
        Delivery.objects.filter(job_id=job.pk).update(state=Delivery.Status.PENDING, error="", attempts=0)
        transaction.on_commit(lambda: send(job.pk))
    return job


def stalled(now=None):
    """Active jobs that never reached the broker, or have shown no sign of life for too long."""
    now = now or timezone.now()
    never_sent = Q(state=Job.Status.QUEUED, sent_at__isnull=True, created_at__lte=now - timedelta(seconds=10))
    last_sign = Greatest(Coalesce("heartbeat_at", "sent_at", "created_at"), Coalesce("sent_at", "created_at"))
    silent = Q(state__in=Job.ACTIVE, last_sign__lte=now - timedelta(seconds=settings.JOB_STALL_SECONDS))
    return Job.objects.annotate(last_sign=last_sign).filter(never_sent | silent)


def send_queued(now=None) -> int:
    """Send again every stalled job; returns how many reached the broker."""
    return sum(send(job_id) for job_id in stalled(now).values_list("pk", flat=True))
