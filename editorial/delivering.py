"""Delivery jobs: each publish, correction and unpublish sent to every enabled publish target, in the background.

`queue` runs inside the publishing transaction: one `Delivery` row per article and target (its state, the target's
own id for the article) and one job per target, sent to the broker on commit; a job the broker never got is sent
by the sweeper like any other. A job sends what the article is *now* (the live version, or nothing live), so a
repeated or late job converges on the same post and never makes a second: the target updates the post whose id
the delivery holds. A target that fails leaves the others alone: the article is published there all the same.
Retryable failures are retried with backoff up to JOB_MAX_ATTEMPTS; a refusal that would come again (a wrong
password) fails at once, with its reason, and an editor retries it from the workspace once it is fixed.
"""

import logging

from django.conf import settings
from django.db import OperationalError, transaction
from django.utils import timezone

from . import jobs, targets
from .models import Article, Delivery, Job, PublishTarget

log = logging.getLogger(__name__)

PUBLISHED, CORRECTED, UNPUBLISHED = "published", "corrected", "unpublished"


class RetryLater(Exception):
    pass


def queue(article: Article, event: str, user=None) -> list[Job]:
    """One delivery job per enabled target (inside the caller's transaction; sent once it commits)."""
    queued = []
    for target in PublishTarget.objects.filter(enabled=True):
        delivery, _ = Delivery.objects.select_for_update().get_or_create(article=article, target=target)
        job = Job.objects.create(kind=Job.Kind.DELIVERY, article=article, created_by=user, total=1,
                                 engine=target.kind, payload={"delivery": delivery.pk, "event": event})
        Delivery.objects.filter(pk=delivery.pk).update(state=Delivery.Status.PENDING, event=event, error="",
                                                      attempts=0, job=job)
        transaction.on_commit(lambda job_id=job.pk: jobs.send(job_id))
        queued.append(job)
    return queued


def run(job_id: int, holder: str = "") -> Job | None:
    """Send the article's current state to the job's target; RetryLater when a retryable failure may pass."""
    try:
        job = jobs.start(job_id, holder)
    except Job.DoesNotExist:
        return None
    if job is None:
        return Job.objects.get(pk=job_id)
    delivery = Delivery.objects.select_related("target", "article__live_version").filter(
        pk=job.payload.get("delivery")).first()
    if delivery is None:  # the target was removed meanwhile
        return _finish(job, None, Job.Status.SUCCEEDED, None, "The target was removed; nothing was sent.")
    article = delivery.article
    try:
        target = targets.for_row(delivery.target)
        if article.live_version is not None:
            remote_id, remote_url = target.publish(article.live_version, delivery)
            done = f"Sent version {article.live_version.number} to {delivery.target.name}"
        else:
            target.unpublish(delivery)
            remote_id, remote_url = delivery.remote_id, delivery.remote_url
            done = f"Taken down at {delivery.target.name}"
    except targets.TargetError as exc:
        if exc.retryable and job.attempts < settings.JOB_MAX_ATTEMPTS:
            with transaction.atomic():
                jobs.note(job.pk, f"Attempt {job.attempts} failed: {exc}")
                Job.objects.filter(pk=job.pk).update(state=Job.Status.QUEUED, error=str(exc))
                _own(job, delivery).update(state=Delivery.Status.RETRYING, error=str(exc), attempts=job.attempts)
            raise RetryLater(str(exc)) from exc
        return _finish(job, delivery, Job.Status.FAILED, None, str(exc))
    except OperationalError:
        raise
    except Exception as exc:  # noqa: BLE001 - it would fail the same way again: say so and stop
        log.exception("Delivery job %s stopped", job.pk)
        return _finish(job, delivery, Job.Status.FAILED, None, f"The delivery stopped on an unexpected error "
                       f"({exc.__class__.__name__}), which has been logged.")
    return _finish(job, delivery, Job.Status.SUCCEEDED, (remote_id, remote_url), done)


def _finish(job: Job, delivery: Delivery | None, state: str, remote, message: str) -> Job:
    with transaction.atomic():
        jobs.note(job.pk, message)
        failed = state == Job.Status.FAILED
        Job.objects.filter(pk=job.pk).update(state=state, error=message if failed else None, done=1,
                                             finished_at=timezone.now())
        if delivery is not None:
            update = {"state": Delivery.Status.FAILED if failed else Delivery.Status.SENT, "attempts": job.attempts,
                      "error": message if failed else ""}
            if remote is not None:
                update["remote_id"], update["remote_url"] = remote
            _own(job, delivery).update(**update)
    return Job.objects.get(pk=job.pk)


def _own(job: Job, delivery: Delivery):
    """The delivery row while this job owns it: an older event's job running late never writes over a newer one's."""
    return Delivery.objects.filter(pk=delivery.pk, job_id=job.pk)


def status_line(delivery: Delivery) -> str:
    """'WordPress: failed, retrying (3/5): <reason>', for the desk."""
    name = delivery.target.name
    if delivery.state == Delivery.Status.RETRYING:
        return f"{name}: failed, retrying ({delivery.attempts}/{settings.JOB_MAX_ATTEMPTS}): {delivery.error}"
    if delivery.state == Delivery.Status.FAILED:
        return f"{name}: failed: {delivery.error}"
    if delivery.state == Delivery.Status.PENDING:
        return f"{name}: sending"
    return f"{name}: {delivery.event}" + (f" ({delivery.remote_url})" if delivery.remote_url else "")
