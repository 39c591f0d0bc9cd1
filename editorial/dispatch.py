"""Sending a background task: by its name, so no module needs to import `tasks` (which imports them all).

A broker that cannot take the message is never an error for the caller: the work is recorded in the database
first (a queued job, a feed due, an unsent notification), and the sweeper or a periodic task sends it later.
"""

import logging

from celery import current_app
from django.db import transaction

log = logging.getLogger(__name__)

DRAFT = "editorial.tasks.draft_article"
REMEMBER = "editorial.tasks.remember_published"
POLL_FEED = "editorial.tasks.poll_feed"
SEND_NOTIFICATIONS = "editorial.tasks.send_notifications"
DELIVER = "editorial.tasks.deliver"
WIRE = "editorial.tasks.process_wire"
RESET_LINKS = "editorial.tasks.send_reset_links"


def send(task: str, *args, later: str) -> bool:
    """Send `task` with `args` now; False when the broker could not take it (`later` says who sends it then)."""
    try:
        current_app.send_task(task, args=list(args))
    except Exception as exc:  # noqa: BLE001 - kombu and redis raise many kinds; all mean "not sent"
        log.warning("%s%s not sent to the broker (%s); %s", task.rsplit(".", 1)[-1], list(args), exc, later)
        return False
    return True


def send_on_commit(task: str, *args, later: str) -> None:
    """Send `task` once the current transaction commits (never for work that was rolled back)."""
    transaction.on_commit(lambda: send(task, *args, later=later))
