"""The draft job: fill each segment from the memory and the configured engine, then move the article on."""

import logging

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from translations.machinery.base import MachineTranslationError, get_engine
from translations.models import Segment

from . import workflow
from .models import Job

log = logging.getLogger(__name__)


def run_draft(job_id: int) -> Job:
    """Run (or resume) a draft job. Safe to run twice: drafted segments and human text are never touched."""
    with transaction.atomic():
        job = Job.objects.select_for_update(of=("self",)).select_related("article__document", "created_by")
        job = job.get(pk=job_id)
        if job.state in (Job.Status.SUCCEEDED, Job.Status.FAILED):
            return job
        job.state = Job.Status.RUNNING
        job.attempts += 1
        job.started_at = job.started_at or timezone.now()
        job.save(update_fields=["state", "attempts", "started_at"])

    document = job.article.document
    try:
        engine = get_engine()
        pending = list(
            document.segments.filter(machine_text__isnull=True, text__isnull=True).order_by("position")
        )
        # Segments already drafted by an earlier attempt count as done.
        Job.objects.filter(pk=job.pk).update(done=job.total - len(pending))
        for start in range(0, len(pending), engine.max_batch_size):
            batch = pending[start : start + engine.max_batch_size]
            drafts = engine.translate([s.source_text for s in batch], document.source_language,
                                      document.target_language)
            with transaction.atomic():
                for segment, draft in zip(batch, drafts, strict=True):
                    if draft is None:
                        continue
                    # Conditional update: a segment someone filled meanwhile is left alone.
                    Segment.objects.filter(pk=segment.pk, machine_text__isnull=True, text__isnull=True).update(
                        machine_text=draft.text, text=draft.text, origin=draft.origin, engine=draft.engine,
                        version=F("version") + 1, changed_at=timezone.now(),
                    )
                Job.objects.filter(pk=job.pk).update(done=F("done") + len(batch))
    except MachineTranslationError as exc:
        return _fail(job, str(exc))

    drafted = list(document.segments.filter(machine_text__isnull=False))
    workflow.finish_draft(
        job, drafted, f"{len(drafted)} of {job.total} segments drafted ({engine.name}); the rest are left empty"
        if len(drafted) < job.total else f"All {job.total} segments drafted ({engine.name})",
    )
    Job.objects.filter(pk=job.pk).update(state=Job.Status.SUCCEEDED, finished_at=timezone.now(), error=None)
    job.refresh_from_db()
    return job


def _fail(job: Job, reason: str) -> Job:
    log.warning("Draft job %s failed: %s", job.pk, reason)
    Job.objects.filter(pk=job.pk).update(state=Job.Status.FAILED, error=reason, finished_at=timezone.now())
    job.refresh_from_db()
    return job
