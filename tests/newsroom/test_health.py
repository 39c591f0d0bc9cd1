"""GET /healthz names the part that is down: database, broker or worker."""

import time

import pytest
import redis
from django.conf import settings

from tests.conftest import wait_for


def _redis():
    return redis.Redis.from_url(settings.REDIS_URL)


@pytest.mark.worker
def test_healthy_when_a_worker_is_running(live_worker, client):
    response = wait_for(lambda: (r := client.get("/healthz")).status_code == 200 and r)
    assert response.json() == {"database": "ok", "broker": "ok", "worker": "ok"}


@pytest.mark.worker
def test_stale_worker_heartbeat_is_reported(transactional_db, client):
    if not settings.REDIS_URL:
        pytest.skip("needs REDIS_URL")
    _redis().set(settings.WORKER_HEARTBEAT_KEY, str(time.time() - settings.WORKER_STALE_AFTER_SECONDS - 5))
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "ok" and body["broker"] == "ok"
    assert body["worker"].startswith("stale")


@pytest.mark.worker
def test_no_worker_ever_seen_is_reported(transactional_db, client):
    if not settings.REDIS_URL:
        pytest.skip("needs REDIS_URL")
    _redis().delete(settings.WORKER_HEARTBEAT_KEY)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["worker"] == "no worker has reported"


def test_unreachable_broker_is_named(db, client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "ok"
    assert body["broker"].startswith("unreachable")
