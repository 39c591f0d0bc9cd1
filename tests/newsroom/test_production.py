"""What production on several hosts relies on, in one process: the client's address behind a proxy, a 503 when
the database is away, a cache that fails fast, the cache's own Redis database, the entry points of the Procfile."""

import shlex
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from newsroom.middleware import client_address
from newsroom.settings import cache_url
from tests.conftest import PASSWORD, make_user

ROOT = Path(__file__).resolve().parents[2]
PROXY = "10.20.0.5"


@pytest.fixture
def behind_proxy(settings):
    import ipaddress

    settings.TRUSTED_PROXIES = [ipaddress.ip_network("10.20.0.0/24")]


@pytest.mark.parametrize(
    "remote, forwarded, expected",
    [
        (PROXY, "203.0.113.7", "203.0.113.7"),  # one proxy: the address it saw
        (PROXY, "198.51.100.1, 203.0.113.7", "203.0.113.7"),  # the client's own claim on the left is ignored
        (PROXY, "203.0.113.7, 10.20.0.6", "203.0.113.7"),  # two of our proxies in a row
        ("203.0.113.9", "198.51.100.1", "203.0.113.9"),  # not from a proxy: the header is the client's invention
        (PROXY, "not-an-address", PROXY),
        (PROXY, "203.0.113.7, garbage", PROXY),
        (PROXY, "", PROXY),
        (f"::ffff:{PROXY}", "203.0.113.7", "203.0.113.7"),  # gunicorn bound dual-stack sees the proxy so
        (PROXY, "203.0.113.7:51234", "203.0.113.7"),  # a hop written with its port
        (PROXY, "[2001:db8::7]:443", "2001:db8::7"),
        (PROXY, "::ffff:203.0.113.7", "203.0.113.7"),
    ],
)
def test_client_address_believes_only_trusted_proxies(behind_proxy, remote, forwarded, expected):
    assert client_address(remote, forwarded) == expected


def test_without_trusted_proxies_x_forwarded_for_is_ignored(db):
    user = make_user("translator", f"xff-{uuid.uuid4().hex[:8]}")
    address = f"10.7.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
    for n in range(5):
        # A guesser who invents a new X-Forwarded-For each time still comes from one address.
        Client(REMOTE_ADDR=address, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").post(
            "/login/", {"username": user.username, "password": "wrong"})
    refused = Client(REMOTE_ADDR=address, HTTP_X_FORWARDED_FOR="198.51.100.99").post(
        "/login/", {"username": user.username, "password": PASSWORD})
    assert refused.status_code == 429


def test_behind_a_trusted_proxy_the_lockout_counts_per_client(db, behind_proxy):
    user = make_user("translator", f"xff-{uuid.uuid4().hex[:8]}")
    guesser = f"203.0.113.{uuid.uuid4().int % 250}"
    for _ in range(5):
        Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=guesser).post(
            "/login/", {"username": user.username, "password": "wrong"})
    through_proxy = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=guesser)
    assert through_proxy.post("/login/", {"username": user.username, "password": PASSWORD}).status_code == 429
    # A colleague behind the same proxy is another client.
    colleague = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.20")
    assert colleague.post("/login/", {"username": user.username, "password": PASSWORD}).status_code == 302


def test_api_throttle_reads_the_client_not_the_header(db, monkeypatch):
    from editorial.api import throttling

    monkeypatch.setattr(throttling.AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/min"})
    address = f"10.6.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
    statuses = [APIClient(REMOTE_ADDR=address, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
                .get("/api/v1/published/").status_code for n in range(5)]
    assert statuses == [200, 200, 200, 429, 429]


@pytest.fixture
def database_gone(transactional_db):
    """The database stops answering: new connections fail as they would with the server down."""
    saved = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "postgresql":
        connection.settings_dict.update(HOST="127.0.0.1", PORT="1")
    else:
        connection.settings_dict["NAME"] = "/nonexistent-folder/tarjama.sqlite3"
    yield
    connection.close()
    connection.settings_dict.clear()
    connection.settings_dict.update(saved)


def test_database_down_is_a_503_for_the_api_and_the_desk(database_gone):
    api = APIClient(raise_request_exception=False, HTTP_AUTHORIZATION="Token 0123456789abcdef")
    response = api.get("/api/v1/articles/")
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert response.json()["error"]["code"] == "unavailable"
    assert "database is not answering" in response.json()["error"]["message"]
    desk = Client(raise_request_exception=False)
    desk.cookies["sessionid"] = "a" * 32  # a signed-in user: the session is read from the database
    page = desk.get("/desk/")
    assert page.status_code == 503 and b"database is not answering" in page.content
    assert b"Traceback" not in page.content
    health = desk.get("/healthz")
    assert health.status_code == 503 and health.json()["database"].startswith("unreachable")


def test_a_database_error_while_the_database_answers_is_still_a_500(db):
    """A deadlock, a timeout or a missing table is a bug to log, not "try again later"."""
    from django.db import OperationalError

    from editorial.api import errors

    request = Client().get("/api/v1/").wsgi_request
    for problem in (ValueError("a bug"), OperationalError("deadlock detected")):
        try:
            raise problem
        except Exception:  # noqa: BLE001 - Django's handler500 runs inside the except block
            response = errors.json_500(request)
        assert response.status_code == 500


def test_a_database_that_refused_us_is_a_503_even_when_it_is_back_a_moment_later(db):
    """PostgreSQL starting up or shutting down refuses a request, then answers the probe: still a 503."""
    import psycopg
    from django.db import OperationalError

    from editorial.api import errors

    request = Client().get("/api/v1/").wsgi_request
    away = (psycopg.errors.CannotConnectNow("the database system is starting up"),
            psycopg.errors.AdminShutdown("terminating connection due to administrator command"),
            psycopg.OperationalError("connection refused"),
            psycopg.errors.ConnectionFailure("server closed the connection unexpectedly"))
    answering = (psycopg.errors.DeadlockDetected("deadlock detected"),
                 psycopg.errors.QueryCanceled("canceling statement due to statement timeout"))
    for cause, status in [(c, 503) for c in away] + [(c, 500) for c in answering]:
        try:
            raise OperationalError(str(cause)) from cause  # how Django wraps the driver's error
        except Exception:  # noqa: BLE001 - Django's handler500 runs inside the except block
            response = errors.json_500(request)
        assert response.status_code == status, cause


def test_cache_is_its_own_redis_database():
    assert cache_url("redis://redis.internal:6379/0") == "redis://redis.internal:6379/1"
    assert cache_url("redis://:secret@redis.internal:6379/15") == "redis://:secret@redis.internal:6379/14"
    assert cache_url("redis://redis.internal:6379") == "redis://redis.internal:6379/1"
    assert cache_url("unix:///srv/redis.sock") == "unix:///srv/redis.sock?db=1"
    if settings.REDIS_URL:
        assert settings.CACHES["default"]["LOCATION"] != settings.REDIS_URL
        assert settings.CACHES["default"]["TIMEOUT"] is not None  # every entry can be evicted under volatile-lru


def test_a_cache_that_stops_answering_costs_one_timeout_then_is_skipped(monkeypatch):
    import socket

    from newsroom import cache as resilient

    # A listening socket that never answers: what a partitioned Redis looks like to a client.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)
    location = f"redis://127.0.0.1:{silent.getsockname()[1]}/0"
    params = {"OPTIONS": {"socket_timeout": 0.3, "socket_connect_timeout": 0.3}}
    monkeypatch.setattr(resilient, "RETRY_AFTER_SECONDS", 1.0)
    try:
        one_thread, other_thread = resilient.RedisCache(location, params), resilient.RedisCache(location, params)
        started = time.monotonic()
        with pytest.raises(redis.TimeoutError):
            one_thread.get("anything")
        first = time.monotonic() - started
        started = time.monotonic()
        for cache_object in (one_thread, other_thread) * 10:  # every thread of the process skips it now
            with pytest.raises(resilient.CacheUnavailable):
                cache_object.set_many({"a": 1})
        assert first >= 0.3 and time.monotonic() - started < first
        time.sleep(1.1)  # after RETRY_AFTER_SECONDS it is asked again
        with pytest.raises(redis.TimeoutError):
            other_thread.get("anything")
    finally:
        silent.close()


def test_callers_treat_an_unavailable_cache_as_a_miss(db, settings):
    """The public site and sign-in keep working (uncached, unthrottled) while the cache is away."""
    if not settings.REDIS_URL:
        pytest.skip("needs REDIS_URL")
    client = cache._cache
    client.breaker.trip()
    try:
        pages = [Client().get("/") for _ in range(2)]
        assert [(p.status_code, p["X-Cache"]) for p in pages] == [(200, "miss"), (200, "miss")]  # rendered afresh
        user = make_user("translator", f"nocache-{uuid.uuid4().hex[:8]}")
        assert Client().post("/login/", {"username": user.username, "password": PASSWORD}).status_code == 302
        token = APIClient().post("/api/v1/auth/token/", {"username": user.username, "password": PASSWORD},
                                 format="json")
        assert token.status_code == 200
    finally:
        client.breaker.down_until = 0.0


def test_procfile_names_the_three_production_processes():
    lines = dict(line.split(":", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line.strip())
    assert set(lines) == {"release", "web", "worker", "scheduler"}
    assert shlex.split(lines["web"])[0] == "gunicorn"
    assert "newsroom.gunicorn_conf" in lines["web"]
    assert shlex.split(lines["worker"])[:4] == ["celery", "--app", "newsroom", "worker"]
    assert shlex.split(lines["scheduler"])[:4] == ["celery", "--app", "newsroom", "beat"]


def test_gunicorn_settings_come_from_the_environment():
    script = "import newsroom.gunicorn_conf as c; print(c.bind, c.workers, c.threads, c.timeout)"
    env = {"PATH": "/usr/bin:/bin", "PORT": "9001", "WEB_CONCURRENCY": "3", "WEB_THREADS": "8", "WEB_TIMEOUT": "45"}
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True)
    assert out.stdout.split() == ["0.0.0.0:9001", "3", "8", "45"], out.stderr
    env["WEB_BIND"] = "10.0.0.2:8000"
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True)
    assert out.stdout.split()[0] == "10.0.0.2:8000"


def test_redbeat_reads_our_redis_lease_and_timeouts_under_its_own_names(recwarn):
    """What celery-redbeat itself makes of the configuration: no fallback to the broker's settings."""
    from redbeat.schedulers import RedBeatConfig

    from newsroom.celery import app

    if not settings.REDIS_URL:
        pytest.skip("needs REDIS_URL")
    config = RedBeatConfig(app)
    assert config.redis_url == settings.REDIS_URL
    assert config.lock_timeout == settings.SCHEDULER_LEASE_SECONDS
    assert config.lock_key == f"{settings.SCHEDULER_KEY_PREFIX}:lock"
    assert config.redbeat_redis_options["socket_timeout"] > 0
    assert not [w for w in recwarn if "RedBeat will stop falling back" in str(w.message)]
    assert app.conf.beat_scheduler == "redbeat.RedBeatScheduler"
    assert app.conf.beat_max_loop_interval < config.lock_timeout


def test_every_task_has_the_workers_soft_and_hard_time_limits():
    """Set from TASK_SOFT_TIME_LIMIT_SECONDS / TASK_TIME_LIMIT_SECONDS; the messages carry none of the sender's
    (tests/faults proves a worker with a 1 s limit applies it to a draft a web process queued)."""
    from celery.signals import before_task_publish

    import editorial.tasks  # noqa: F401 - registers the tasks, as a worker's autodiscovery does
    from newsroom.celery import app

    ours = [task for name, task in app.tasks.items() if name.startswith("editorial.")]
    assert len(ours) == 13  # with the watch on the originals, the delivery jobs, the wire desk, the search sweeper
    # and the reset links
    for task in ours:
        assert (task.soft_time_limit, task.time_limit) == (settings.TASK_SOFT_TIME_LIMIT_SECONDS,
                                                           settings.TASK_TIME_LIMIT_SECONDS), task.name
    assert settings.TASK_SOFT_TIME_LIMIT_SECONDS < settings.TASK_TIME_LIMIT_SECONDS
    headers = {"timelimit": (settings.TASK_TIME_LIMIT_SECONDS, settings.TASK_SOFT_TIME_LIMIT_SECONDS)}
    before_task_publish.send(sender="editorial.tasks.draft_article", headers=headers, body=None)
    assert headers["timelimit"] == (None, None)


def test_the_dispatcher_names_only_tasks_a_worker_has():
    """editorial/dispatch.py sends by name; a misspelt name would be a job no worker ever runs."""
    import editorial.tasks  # noqa: F401 - registers the tasks, as a worker's autodiscovery does
    from editorial import dispatch, jobs
    from newsroom.celery import app

    names = {value for key, value in vars(dispatch).items() if key.isupper()}
    assert names and names <= set(app.tasks), names - set(app.tasks)
    assert set(jobs.TASK_BY_KIND) == set(jobs.Job.Kind)
