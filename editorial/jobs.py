"""Background jobs as database rows: created inside the request's transaction, sent after it commits.

A job that could not reach the broker stays `queued` with no `sent_at`; the
`send_queued_jobs` beat task sends it when the broker is back.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from .models import Article, Job

log = logging.getLogger(__name__)


def create_draft_job(article: Article, user) -> Job:
    job = Job.objects.create(
        kind=Job.Kind.DRAFT, article=article, created_by=user, total=article.document.segments.count()
    )
    transaction.on_commit(lambda: send(job.pk))
    return job


def send(job_id: int) -> bool:
    """Hand the job to the broker; False (and the job left queued) when the broker is unreachable."""
    from .tasks import TASKS_BY_KIND

    job = Job.objects.get(pk=job_id)
    try:
        TASKS_BY_KIND[job.kind].apply_async(args=[job.pk])
    except Exception as exc:  # noqa: BLE001 - kombu and redis raise many kinds; all mean "not sent"
        log.warning("Job %s not sent to the broker (%s); it will be sent when the broker is back.", job.pk, exc)
        return False
    Job.objects.filter(pk=job.pk, sent_at__isnull=True).update(sent_at=timezone.now())
    return True


def send_queued(older_than: timedelta = timedelta(seconds=10)) -> int:
    """Send the queued jobs that never reached the broker."""
    cutoff = timezone.now() - older_than
    pending = Job.objects.filter(state=Job.Status.QUEUED, sent_at__isnull=True, created_at__lte=cutoff)
    return sum(send(job_id) for job_id in pending.values_list("pk", flat=True))
