"""Celery tasks: thin, by id, safe to run twice."""

from celery import shared_task

from . import drafting, jobs, workflow


@shared_task(acks_late=True, reject_on_worker_lost=True)
def draft_article(job_id: int) -> None:
    drafting.run_draft(job_id)


@shared_task
def send_queued_jobs() -> None:
    jobs.send_queued()


@shared_task
def publish_due_articles() -> None:
    workflow.publish_due()


TASKS_BY_KIND = {"draft": draft_article}
