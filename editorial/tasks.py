"""Celery tasks: thin, by id, safe to run twice."""

from celery import shared_task
from django.conf import settings

from . import drafting, feeds, jobs, notifications, workflow


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def draft_article(self, job_id: int) -> None:
    try:
        drafting.run_draft(job_id)
    except drafting.RetryLater as exc:
        # Exponential backoff, or what the service asked for (Retry-After), capped.
        delay = exc.delay if exc.delay is not None else settings.JOB_RETRY_BASE_SECONDS * 2**self.request.retries
        raise self.retry(countdown=min(delay, settings.JOB_RETRY_MAX_SECONDS)) from None


@shared_task
def send_queued_jobs() -> None:
    jobs.send_queued()


@shared_task
def publish_due_articles() -> None:
    workflow.publish_due()


@shared_task(acks_late=True)
def send_notifications(notification_ids: list[int]) -> None:
    notifications.send_pending(notification_ids)


@shared_task
def send_pending_notifications() -> None:
    notifications.send_pending()


TASKS_BY_KIND = {"draft": draft_article}


@shared_task(acks_late=True)
def poll_feed(feed_id: int) -> None:
    feeds.poll(feed_id)


@shared_task
def poll_feeds() -> None:
    feeds.poll_due()
