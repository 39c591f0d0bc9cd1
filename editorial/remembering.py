"""The memory job: a published article's segment pairs go into the translation memory, in the background.

The job carries the pairs as they were published (not the live segments, which may be under correction
by the time it runs). Running it twice, or after a later publication, is harmless: the memory keeps the
newest publication of each source (`translations.memory.store`). A database that went away is retried by
the task; any other error fails the job with its reason, and a user can retry it.
"""

import logging
from datetime import datetime

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import OperationalError, transaction
from django.utils import timezone

from translations import memory
from translations.models import Segment

from . import jobs
from .models import Job

log = logging.getLogger(__name__)


def run(job_id: int, holder: str = "") -> Job | None:
    """Store the job's pairs; None when the job is gone (its article was deleted)."""
    try:
        job = jobs.start(job_id, holder)
    except Job.DoesNotExist:
        return None
    if job is None:
        return Job.objects.get(pk=job_id)
    try:
        with transaction.atomic():
            pairs = _pairs(job.payload)
            stored = memory.store(pairs, job.payload["source_language"], job.payload["target_language"],
                                  datetime.fromisoformat(job.payload["published_at"]))
            jobs.note(job.pk, f"{stored} of {len(pairs)} segments stored in the translation memory")
            Job.objects.filter(pk=job.pk).update(state=Job.Status.SUCCEEDED, done=len(pairs), error=None,
                                                 finished_at=timezone.now())
    except Exception as exc:  # noqa: BLE001 - anything else will fail the same way again: say so and stop
        if jobs.out_of_time(exc):  # the limit, or an error it caused while the COMMIT was in flight
            return _out_of_time(job, exc)
        elif isinstance(exc, OperationalError):  # the database went away: the task retries
            raise
        else:
            log.exception("Memory job %s failed", job_id)
            reason = f"The published text could not be stored in the translation memory: {exc}"
            with transaction.atomic():
                jobs.note(job.pk, f"Failed: {reason}")
                Job.objects.filter(pk=job.pk).update(state=Job.Status.FAILED, error=reason,
                                                     finished_at=timezone.now())
    return Job.objects.get(pk=job.pk)


def _out_of_time(job: Job, exc: BaseException) -> Job:
    """The attempt reached the task's soft time limit. Its one transaction rolled back, or, struck during the
    COMMIT, went through or not on the server (jobs.settled waits to know): nothing is half-stored. A job not
    finished is tried again a bounded number of times: SoftTimeLimitExceeded tells the task to retry."""
    limit = settings.TASK_SOFT_TIME_LIMIT_SECONDS
    stored = jobs.settled(job.pk)
    if stored.state != Job.Status.RUNNING:
        return stored
    if job.attempts < settings.JOB_MAX_ATTEMPTS:
        with transaction.atomic():
            jobs.note(job.pk, f"Attempt {job.attempts} reached the time limit ({limit} s); trying again")
            Job.objects.filter(pk=job.pk).update(state=Job.Status.QUEUED)
        raise SoftTimeLimitExceeded(f"Attempt {job.attempts} of memory job {job.pk}") from exc
    reason = f"Storing the published text took longer than the time limit ({limit} s) in {job.attempts} attempts."
    with transaction.atomic():
        jobs.note(job.pk, f"Failed: {reason}")
        Job.objects.filter(pk=job.pk).update(state=Job.Status.FAILED, error=reason, finished_at=timezone.now())
    return Job.objects.get(pk=job.pk)


def _pairs(payload: dict) -> list[memory.Pair]:
    """The published pairs, without links to a translator or segment deleted since publishing."""
    rows = payload["segments"]
    translator = payload.get("translator")
    if translator is not None and not get_user_model().objects.filter(pk=translator).exists():
        translator = None
    segments = set(Segment.objects.filter(pk__in=[row[0] for row in rows]).values_list("pk", flat=True))
    return [memory.Pair(source, target, segment_id if segment_id in segments else None, translator)
            for segment_id, source, target in rows]
