"""Celery tasks: thin, by id, safe to run twice."""

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import OperationalError

from . import delivering, drafting, feeds, jobs, notifications, remembering, search, watch, wire, workflow
from .accounts import passwords


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def draft_article(self, job_id: int) -> None:
    try:
        drafting.run_draft(job_id, self.request.id or "")
    except jobs.Busy as exc:
        raise self.retry(countdown=exc.seconds + 1) from None
    except OperationalError:  # the database went away: what was drafted is saved, the rest waits
        raise self.retry(countdown=jobs.retry_delay(self.request.retries)) from None
    except drafting.RetryLater as exc:
        raise self.retry(countdown=jobs.retry_delay(self.request.retries, asked=exc.delay)) from None


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def remember_published(self, job_id: int) -> None:
    try:
        remembering.run(job_id, self.request.id or "")
    except jobs.Busy as exc:
        raise self.retry(countdown=exc.seconds + 1) from None
    except (OperationalError, SoftTimeLimitExceeded):  # the job's one transaction left nothing half-stored
        raise self.retry(countdown=jobs.retry_delay(self.request.retries)) from None


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def deliver(self, job_id: int) -> None:
    try:
        delivering.run(job_id, self.request.id or "")
    except jobs.Busy as exc:
        raise self.retry(countdown=exc.seconds + 1) from None
    except (OperationalError, delivering.RetryLater):  # an outage of the target or the database: later, with backoff
        raise self.retry(countdown=jobs.retry_delay(self.request.retries)) from None


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


@shared_task(acks_late=True)
def poll_feed(feed_id: int) -> None:
    feeds.poll(feed_id)


@shared_task
def poll_feeds() -> None:
    feeds.poll_due()


@shared_task
def check_originals() -> None:
    watch.check_due()


@shared_task
def process_wire() -> None:
    wire.process()


@shared_task
def index_search() -> None:
    search.index_stale()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def send_reset_links(email: str, address: str | None = None, user_agent: str = "") -> None:
    passwords.send_reset_links(email, address, user_agent)
