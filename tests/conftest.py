"""Shared fixtures: users in each role, API clients, articles built through the real workflow."""

import os
import uuid

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.db import connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from editorial import drafting, roles, services, workflow
from editorial.models import Article, State

CI = os.environ.get("CI", "").lower() == "true"
PASSWORD = "Sup3r-secret!"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under CI=true a skipped test is a failure: nothing may be skipped to get green."""
    outcome = yield
    report = outcome.get_result()
    if CI and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"Skipped under CI=true, which is not allowed: {report.longrepr}"


def pytest_collection_modifyitems(config, items):
    """A test with a live worker is marked `worker` whatever its author wrote; the browser tests run last (their
    Playwright event loop stays in the thread until the session ends); PostgreSQL-only tests (row locks, real
    concurrency) are deselected on SQLite, and `make test` runs both."""
    for item in items:
        if "live_worker" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.worker)
    items.sort(key=lambda item: "tests/browser/" in str(item.path).replace(os.sep, "/"))
    if django_settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        return
    keep, dropped = [], []
    for item in items:
        (dropped if item.get_closest_marker("postgres") else keep).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


def pytest_configure(config):
    """Tests read static files from the source folders: no collectstatic (and no manifest) needed."""
    django_settings.STORAGES = {
        **django_settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # The fake outlets and services run on 127.0.0.1; tests of the private-network guard set this back.
    django_settings.FETCH_PRIVATE_NETWORKS = ["127.0.0.0/8"]
    # Two-factor sign-in is mandatory for no role unless a test says so (tests/editorial/accounts/test_twofactor.py):
    # the other tests sign editors and admins in with a password, as `make run`'s demo does.
    django_settings.REQUIRE_2FA_FOR = []
    django_settings.REQUIRE_2FA_FOR_API = False
    # Rate limits and sign-in failures of earlier runs, kept in a shared Redis, must not leak in.
    django_settings.CACHES["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="session", autouse=True)
def _isolated_broker_names():
    """Each test session gets its own Celery queue and heartbeat key on a shared Redis."""
    from newsroom.celery import app

    run = uuid.uuid4().hex[:8]
    app.conf.task_default_queue = f"tarjama-test-{run}"
    django_settings.WORKER_HEARTBEAT_KEY = f"tarjama-test-{run}:heartbeat"
    yield


@pytest.fixture(autouse=True)
def _no_cached_public_pages():
    """Each test starts with no public page cached by an earlier one: what it reads is rendered for it."""
    from django.core.cache import cache

    from editorial.public.cache import GENERATION_KEY

    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # no generation yet: nothing is cached
        pass
    except Exception:  # noqa: BLE001 - a test without a reachable cache has nothing cached either
        pass


def make_user(role: str | None, username: str | None = None, password: str = PASSWORD):
    user = get_user_model().objects.create_user(
        username or f"{role or 'nobody'}-{uuid.uuid4().hex[:6]}", f"{role}@example.org", password
    )
    if role:
        roles.set_role(user, role)
    return user


@pytest.fixture
def translator(db):
    return make_user(roles.TRANSLATOR, "sami")


@pytest.fixture
def other_translator(db):
    return make_user(roles.TRANSLATOR, "rana")


@pytest.fixture
def editor(db):
    return make_user(roles.EDITOR, "layla")


@pytest.fixture
def admin_user(db):
    return make_user(roles.ADMIN, "boss")


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def api():
    return client_for


@pytest.fixture
def mailbox(settings):
    """Every email the site sends in this test, received by a real SMTP server on 127.0.0.1 (tests/mailbox.py)."""
    from tests import mailbox as smtp

    yield from smtp.serve(settings)


ARABIC_PARAGRAPHS = [
    "عادت الحياة إلى طبيعتها في مدينة جاسم بعد اتفاق أنهى أربعة أيام من التصعيد.",
    "وقال مصدر محلي إن الطرق أعيد فتحها صباح الثلاثاء.",
    "نص الاتفاق على وقف إطلاق النار وإطلاق سراح ثلاثة معتقلين خلال 48 ساعة.",
]


def _letters(n: int) -> str:
    """A unique tag of Arabic letters (no digits, so the numbers check has nothing to compare)."""
    alphabet = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
    tag = alphabet[n % 28]
    while n >= 28:
        n = n // 28 - 1
        tag = alphabet[n % 28] + tag
    return tag


def source_payload(paragraphs: int = 3, **source) -> dict:
    body = "\n\n".join(f"{ARABIC_PARAGRAPHS[i % 3]} ({_letters(i)})" for i in range(paragraphs))
    return {
        "source": {
            "title": "اتفاق ينهي التصعيد في جاسم",
            "body": body,
            "language": "ar",
            "outlet": "Horan Free League",
            "author": "أحمد",
            "url": "https://example.org/a",
            **source,
        },
        "target_language": "en",
        "keywords": ["Daraa"],
    }


def create_article(user, paragraphs: int = 3) -> Article:
    data = source_payload(paragraphs)
    return services.create_article(user=user, keywords=data["keywords"], **data["source"])


def fill_segments(article: Article, user, text: str = "English text") -> None:
    """Translate every segment as "<text> <position>", keeping the source's numbers so the checks pass."""
    from translations.checks.numbers import digit_numbers

    for segment in article.document.segments.order_by("position"):
        numbers = " ".join(f"#{n}" for n in digit_numbers(segment.source_text))
        services.save_segment(article.pk, segment.pk, user, text=f"{text} {segment.position}"
                              + (f" ({numbers})" if numbers else ""), version=segment.version)


def article_in(state: str, *, editor, translator, paragraphs: int = 3) -> Article:
    """An article brought to `state` through the real workflow, the way users would."""
    article = create_article(editor, paragraphs)
    if state == State.SOURCE:
        return article
    if state == State.ARCHIVED:
        workflow.apply(article.pk, editor, "archive")
        return Article.objects.get(pk=article.pk)
    _, job = workflow.apply(article.pk, editor, "draft")
    run_job(drafting.run_draft, job.pk)
    if state == State.MACHINE_DRAFT:
        return Article.objects.get(pk=article.pk)
    workflow.apply(article.pk, editor, "assign", assignee=translator.username)
    if state == State.TRANSLATION:
        return Article.objects.get(pk=article.pk)
    fill_segments(article, translator)
    workflow.apply(article.pk, translator, "submit")
    if state == State.EDITING:
        return Article.objects.get(pk=article.pk)
    if state == State.SCHEDULED:
        from datetime import timedelta

        from django.utils import timezone

        workflow.apply(article.pk, editor, "publish", publish_at=timezone.now() + timedelta(days=1))
        return Article.objects.get(pk=article.pk)
    workflow.apply(article.pk, editor, "publish")
    run_memory_jobs(article)
    assert state == State.PUBLISHED
    return Article.objects.get(pk=article.pk)


def run_memory_jobs(article: Article) -> None:
    """Do here what a worker does after a publish: store the published text in the translation memory."""
    from editorial import remembering
    from editorial.models import Job

    for job_id in Job.objects.filter(article=article, kind=Job.Kind.MEMORY, state=Job.Status.QUEUED).values_list(
            "pk", flat=True):
        run_job(remembering.run, job_id)


def run_job(function, job_id: int) -> None:
    """Run a job here, as a worker would; if a live worker (a test's real one) holds it, wait for that one."""
    from editorial import jobs
    from editorial.models import Job

    try:
        function(job_id)
    except jobs.Busy:
        wait_for(lambda: Job.objects.get(pk=job_id).state in (Job.Status.SUCCEEDED, Job.Status.FAILED))


@pytest.fixture
def make_article(db, editor, translator):
    def make(state: str = State.SOURCE, paragraphs: int = 3) -> Article:
        return article_in(state, editor=editor, translator=translator, paragraphs=paragraphs)

    return make


@pytest.fixture
def libretranslate_engine(settings):
    """Drafts made by a LibreTranslate server speaking its real protocol on loopback (tests.fakes.mt_servers):
    the server, for a test to script or slow down."""
    from tests.fakes.mt_servers import LibreTranslateServer

    server = LibreTranslateServer()
    settings.MT_ENGINE = "libretranslate"
    settings.MT_ENGINE_SETTINGS = {**settings.MT_ENGINE_SETTINGS, "libretranslate": server.config()}
    yield server
    server.stop()


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture
def live_worker(transactional_db):
    """A real Celery worker (in a thread of this process) consuming from the configured Redis."""
    if not django_settings.REDIS_URL:
        pytest.skip("needs a Redis broker: REDIS_URL is empty (make test sets it for both passes)")
    from celery.contrib.testing.worker import start_worker

    from newsroom.celery import app

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30) as worker:
        yield worker


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.1):
    """Poll until predicate() is truthy; return its value or fail with what was last seen."""
    import time

    deadline = time.monotonic() + timeout
    value = predicate()
    while not value and time.monotonic() < deadline:
        time.sleep(interval)
        value = predicate()
    assert value, f"condition not met within {timeout}s"
    return value
