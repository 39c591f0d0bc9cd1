"""The draft job: fill each segment from the memory and the configured engine, then move the article on.

Safe to run twice, or to resume after a worker died: only segments that are
still empty are filled (conditional updates), text a person typed is never
touched, and `workflow.finish_draft` moves the article exactly once.
"""

import logging

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import OperationalError, transaction
from django.db.models import F
from django.utils import timezone

from translations.machinery.base import MachineTranslationError, get_engine
from translations.models import Segment

from . import jobs, notifications, workflow
from .models import Job

log = logging.getLogger(__name__)


class RetryLater(Exception):
    """A transient failure: the task should run the job again after `delay` seconds."""

    def __init__(self, message: str, delay: float | None):
        super().__init__(message)
        self.delay = delay


def run_draft(job_id: int, holder: str = "") -> Job:
    """Run (or resume) a draft job. A transient failure raises RetryLater until JOB_MAX_ATTEMPTS is reached.

    A database that went away raises OperationalError for the task to retry (the batches saved so far stay);
    any other error fails the job with a reason, rather than leaving it running for the sweeper forever.
    """
    job = jobs.start(job_id, holder)
    if job is None:
        return Job.objects.get(pk=job_id)
    final_attempt = job.attempts >= settings.JOB_MAX_ATTEMPTS
    document = job.article.document
    try:
        engine = get_engine()
        Job.objects.filter(pk=job.pk).update(engine=engine.name)
        pending = list(document.segments.filter(jobs.UNDRAFTED).order_by("position"))
        # Segments drafted by an earlier attempt count as done.
        job.done = job.total - len(pending)
        Job.objects.filter(pk=job.pk).update(done=job.done)
        chunks = engine.translate_in_chunks(
            [s.source_text for s in pending], document.source_language, document.target_language
        )
        for chunk in chunks:
            _save_chunk(job.pk, [(pending[index], draft) for index, draft in chunk])
        # Inside the time limit too: finishing is one transaction, so an attempt cut off here leaves nothing
        # half-done and the next one, with nothing left to draft, only finishes.
        _finish(job, document, engine)
    except MachineTranslationError as exc:
        if exc.retryable and not final_attempt:
            with transaction.atomic():
                jobs.note(job.pk, f"Attempt {job.attempts} failed: {exc}")
                Job.objects.filter(pk=job.pk).update(state=Job.Status.QUEUED, error=str(exc))
            raise RetryLater(str(exc), exc.retry_after) from exc
        return fail(job.pk, str(exc))
    except SoftTimeLimitExceeded as exc:
        jobs.out_of_time(exc)  # struck mid-request, the connection is dropped
        return _out_of_time(job, final_attempt)
    except OperationalError as exc:
        if jobs.out_of_time(exc):  # a database error the limit caused (a query sent on the connection it left
            # mid-request): not a database gone away, whose retry would count the attempt and note nothing
            return _out_of_time(job, final_attempt)
        raise
    except Exception as exc:  # noqa: BLE001 - it would fail the same way again: say so and stop
        if jobs.out_of_time(exc):  # the limit struck during a COMMIT, and leaving the transaction failed on it
            return _out_of_time(job, final_attempt)
        log.exception("Draft job %s stopped", job.pk)
        return fail(job.pk, f"The draft stopped on an unexpected error ({exc.__class__.__name__}), which has been "
                            "logged; retry it once the cause is fixed.")

    return Job.objects.get(pk=job.pk)


def _finish(job: Job, document, engine) -> None:
    drafted = list(document.segments.filter(machine_text__isnull=False))
    remembered = sum(1 for s in drafted if s.engine.startswith("memory"))
    summary = f"{remembered} of {job.total} segments from memory"
    if engine.name != "memory":
        summary += f", {len(drafted) - remembered} by {engine.label}"
    with transaction.atomic():
        workflow.finish_draft(job, drafted, f"Machine draft: {summary}")
        Job.objects.filter(pk=job.pk).update(
            state=Job.Status.SUCCEEDED, finished_at=timezone.now(), error=None, done=job.total
        )


def _out_of_time(job: Job, final_attempt: bool) -> Job:
    """The attempt reached the task's soft time limit. The batches it saved stay. An attempt that drafted
    something carries on at once and does not count towards JOB_MAX_ATTEMPTS (a long article with a slow
    engine finishes in several); one that drafted nothing counts like an engine failure. A job the attempt
    finished before the limit (the COMMIT it struck went through) is left as it is."""
    limit = settings.TASK_SOFT_TIME_LIMIT_SECONDS
    stored = jobs.settled(job.pk)
    if stored.state != Job.Status.RUNNING:  # the limit struck during the last COMMIT, which went through
        return stored
    drafted = stored.done - job.done
    if drafted <= 0 and final_attempt:
        return fail(job.pk, f"The engine drafted nothing within the time limit ({limit} s) in "
                            f"{job.attempts} attempts; check the engine, then retry.")
    message = f"Attempt {job.attempts} reached the time limit ({limit} s) after {max(drafted, 0)} segments"
    with transaction.atomic():
        jobs.note(job.pk, message + ("; carrying on" if drafted > 0 else "; trying again"))
        update = {"state": Job.Status.QUEUED}
        if drafted > 0:
            update["attempts"] = F("attempts") - 1
        Job.objects.filter(pk=job.pk).update(**update)
    raise RetryLater(message, 0 if drafted > 0 else None)


def _save_chunk(job_id: int, drafts) -> None:
    """Store one batch of drafts and the job's progress together."""
    now = timezone.now()
    with transaction.atomic():
        for segment, draft in drafts:
            if draft is None:
                continue
            # Conditional: a segment drafted by another attempt, or typed into, is left alone.
            filled = Segment.objects.filter(pk=segment.pk, machine_text__isnull=True, text__isnull=True).update(
                machine_text=draft.text, text=draft.text, origin=draft.origin, engine=draft.engine,
                version=F("version") + 1, changed_at=now,
            )
            if not filled:  # a translation whose source changed keeps its text; the new draft is offered beside
                Segment.objects.filter(pk=segment.pk, machine_text__isnull=True, source_changed=True).update(
                    machine_text=draft.text, engine=draft.engine)
        Job.objects.filter(pk=job_id).update(done=F("done") + len(drafts), heartbeat_at=now)


def fail(job_id: int, reason: str) -> Job:
    """Mark the job failed with a reason a user can read; the article stays where it was."""
    log.warning("Draft job %s failed: %s", job_id, reason)
    with transaction.atomic():
        jobs.note(job_id, f"Failed: {reason}")
        Job.objects.filter(pk=job_id).update(state=Job.Status.FAILED, error=reason, finished_at=timezone.now())
        job = Job.objects.select_related("article__document", "created_by").get(pk=job_id)
        notifications.on_job_failed(job)
    return job
