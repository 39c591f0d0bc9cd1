"""The Celery app: configured from Django settings (CELERY_*), tasks found in each app."""

import os

from celery import Celery, bootsteps
from celery.signals import before_task_publish

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

app = Celery("newsroom")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _scheduler_settings() -> dict:
    """celery-redbeat reads its own names, not CELERY_-prefixed ones: its Redis, key prefix, lease, timeouts."""
    from django.conf import settings

    if not settings.REDIS_URL:
        return {}
    return {
        "redbeat_redis_url": settings.REDIS_URL,
        "redbeat_key_prefix": settings.SCHEDULER_KEY_PREFIX,
        "redbeat_lock_timeout": settings.SCHEDULER_LEASE_SECONDS,
        # A Redis that stops answering fails a tick in seconds; redbeat retries for retry_period, then beat
        # exits and its process manager starts it again (it then waits for the lease).
        "redbeat_redis_options": {"socket_timeout": 5, "socket_connect_timeout": 2, "retry_period": 60},
    }


app.conf.update(_scheduler_settings())


@before_task_publish.connect
def _time_limits_belong_to_the_worker(headers=None, **kwargs):
    """Celery puts the sender's time limits in each message, and a worker obeys them over its own settings.
    Leave them out: the worker host's TASK_SOFT_TIME_LIMIT_SECONDS and TASK_TIME_LIMIT_SECONDS decide."""
    if headers is not None and "timelimit" in headers:
        headers["timelimit"] = (None, None)


class WorkerHeartbeat(bootsteps.StartStopStep):
    """Writes a timestamp to Redis every few seconds so /healthz can tell a live worker from a stale one."""

    requires = {"celery.worker.components:Timer"}

    def __init__(self, worker, **kwargs):
        super().__init__(worker, **kwargs)
        self.tref = None

    def start(self, worker):
        from django.conf import settings

        from newsroom import health

        health.beat_worker_heartbeat()
        self.tref = worker.timer.call_repeatedly(
            settings.WORKER_HEARTBEAT_SECONDS, health.beat_worker_heartbeat, priority=10
        )

    def stop(self, worker):
        if self.tref is not None:
            self.tref.cancel()
            self.tref = None


app.steps["worker"].add(WorkerHeartbeat)
