"""Jobs survive faults: a worker killed mid-draft, Redis restarted, the broker down, a flaky engine."""

import time
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from editorial import jobs, workflow
from editorial.models import Article, Job, State, StateChange
from editorial.tasks import publish_due_articles
from tests.conftest import article_in, create_article, wait_for
from tests.fakes.mt_servers import fake_translation

pytestmark = pytest.mark.faults


def _unique_article(editor, paragraphs: int) -> Article:
    """An article whose every segment is new text, so the engine drafts all of them."""
    article = create_article(editor, paragraphs=paragraphs)
    return article


def _job(job_id: int) -> Job:
    return Job.objects.get(pk=job_id)


def _finished(job_id: int):
    job = _job(job_id)
    return job if job.state in ("succeeded", "failed") else None


def _assert_drafted_once(article: Article) -> None:
    segments = list(article.document.segments.all())
    assert all(s.machine_text == fake_translation(s.source_text) for s in segments)
    assert all(s.text == s.machine_text and s.origin == "machine" for s in segments)
    # version 1 at import, +1 for the one draft: never drafted twice.
    assert {s.version for s in segments} == {2}
    assert StateChange.objects.filter(article=article, action="draft").count() == 1
    assert Article.objects.get(pk=article.pk).state == State.MACHINE_DRAFT


def test_kill_9_of_the_worker_mid_draft_then_a_new_worker_finishes(start_worker, libretranslate, editor, settings):
    libretranslate.delay = 0.15
    article = _unique_article(editor, paragraphs=299)
    first = start_worker()
    _, job = workflow.apply(article.pk, editor, "draft")
    wait_for(lambda: _job(job.pk).done >= 50, timeout=60)
    first.kill_hard()
    killed_at = _job(job.pk)
    assert killed_at.state == "running" and killed_at.done < 300

    # The unacknowledged message waits in Redis for its visibility timeout; the sweeper (a beat task every
    # 30 s) sends the silent job again sooner, once its lease (JOB_STALL_SECONDS, the same on every host) ends.
    start_worker(JOB_STALL_SECONDS="1")
    settings.JOB_STALL_SECONDS = 1
    time.sleep(1.5)
    assert jobs.send_queued() == 1
    job = wait_for(lambda: _finished(job.pk), timeout=90)
    assert job.state == "succeeded", job.error
    assert job.attempts == 2 and (job.done, job.total) == (300, 300)
    _assert_drafted_once(article)
    # Only what was in flight when the worker died was asked of the engine twice.
    sent = sum(len(r["json"]["q"]) for r in libretranslate.requests)
    assert 300 <= sent <= 300 + 25


def test_redis_restarted_during_a_job_and_while_articles_are_scheduled(
    start_worker, redis_server, libretranslate, editor, translator, settings
):
    libretranslate.delay = 0.1
    scheduled = article_in(State.EDITING, editor=editor, translator=translator)
    workflow.apply(scheduled.pk, editor, "publish", publish_at=timezone.now() + timedelta(seconds=2))
    article = _unique_article(editor, paragraphs=149)
    start_worker(JOB_STALL_SECONDS="3")
    _, job = workflow.apply(article.pk, editor, "draft")
    wait_for(lambda: _job(job.pk).done >= 25, timeout=60)

    redis_server.restart()  # no persistence: every queued message is gone

    settings.JOB_STALL_SECONDS = 3
    deadline = time.monotonic() + 90
    while not _finished(job.pk) and time.monotonic() < deadline:
        jobs.send_queued()  # what beat does every 30 s
        time.sleep(1)
    job = _job(job.pk)
    assert job.state == "succeeded", (job.state, job.error, job.notes)
    _assert_drafted_once(article)

    # The schedule lives in the database: the beat task, through the restarted broker, publishes on time.
    time.sleep(max(0.0, (Article.objects.get(pk=scheduled.pk).publish_at - timezone.now()).total_seconds()))
    publish_due_articles.delay()
    published = wait_for(lambda: Article.objects.get(pk=scheduled.pk).state == State.PUBLISHED and True)
    assert published
    assert StateChange.objects.filter(article=scheduled, action="publish_scheduled").count() == 1


def test_broker_down_when_a_draft_is_asked_for(start_worker, redis_server, api, editor):
    article = _unique_article(editor, paragraphs=3)
    redis_server.kill()
    response = api(editor).post(f"/api/v1/articles/{article.pk}/actions/draft/", {}, format="json")
    assert response.status_code == 202, response.content
    job_id = response.json()["job"]["id"]
    job = _job(job_id)
    assert (job.state, job.sent_at) == ("queued", None)

    redis_server.start()
    start_worker()
    Job.objects.filter(pk=job_id).update(created_at=timezone.now() - timedelta(seconds=11))
    assert jobs.send_queued() == 1
    job = wait_for(lambda: _finished(job_id), timeout=60)
    assert job.state == "succeeded"
    _assert_drafted_once(article)


@pytest.mark.django_db(transaction=True)
def test_broker_down_when_a_reset_is_asked_for(redis_server, mailbox, translator):
    redis_server.kill()
    try:
        asked = Client(REMOTE_ADDR="10.1.2.3").post("/account/reset/", {"email": "translator@example.org"})
        assert asked.status_code == 302 and asked["Location"] == "/account/reset/sent/"
        [message] = mailbox.wait("translator@example.org", timeout=10)  # the request sent it, with no broker
        assert message["Subject"] == "Set a new password for Tarjama"
    finally:
        redis_server.process.wait()
        redis_server.start()


def test_an_engine_that_answers_503_three_times_then_succeeds(start_worker, libretranslate, api, editor):
    for _ in range(3):
        libretranslate.script.append(libretranslate.unavailable())
    article = _unique_article(editor, paragraphs=5)
    start_worker()
    _, job = workflow.apply(article.pk, editor, "draft")
    job = wait_for(lambda: _finished(job.pk), timeout=60)
    assert job.state == "succeeded", job.error
    body = api(editor).get(f"/api/v1/jobs/{job.pk}/").json()
    assert body["attempts"] == 4
    failures = [n["message"] for n in body["notes"] if n["message"].startswith("Attempt")]
    assert len(failures) == 3 and all("HTTP 503" in m for m in failures)
    assert body["error"] is None
    _assert_drafted_once(article)


def test_a_rejected_key_fails_the_job_in_plain_words_and_a_user_can_retry(start_worker, libretranslate, api, editor):
    article = _unique_article(editor, paragraphs=2)
    bad = start_worker(LIBRETRANSLATE_API_KEY="expired")
    _, job = workflow.apply(article.pk, editor, "draft")
    job = wait_for(lambda: _finished(job.pk), timeout=60)
    assert job.state == "failed"
    assert job.error.startswith("LibreTranslate rejected the API key")
    assert Article.objects.get(pk=article.pk).state == State.SOURCE
    bad.stop()

    start_worker()  # the admin fixed the key
    response = api(editor).post(f"/api/v1/jobs/{job.pk}/retry/", {}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "queued"
    job = wait_for(lambda: _finished(job.pk), timeout=60)
    assert job.state == "succeeded"
    _assert_drafted_once(article)


def test_a_draft_that_outlives_the_task_time_limit_carries_on_until_it_is_done(start_worker, libretranslate, editor):
    """The soft limit stops each attempt cleanly; what it drafted stays, and the next attempt carries on from
    there. Attempts that made progress do not use up JOB_MAX_ATTEMPTS, so a long article still finishes."""
    libretranslate.delay = 0.3  # about 12 requests of 25 segments: 3.6 s of engine time, against a 1 s limit
    article = _unique_article(editor, paragraphs=299)
    start_worker(TASK_SOFT_TIME_LIMIT_SECONDS="1", TASK_TIME_LIMIT_SECONDS="20", JOB_MAX_ATTEMPTS="2")
    _, job = workflow.apply(article.pk, editor, "draft")
    job = wait_for(lambda: _finished(job.pk), timeout=90)
    assert job.state == "succeeded", job.error
    out_of_time = [n["message"] for n in job.notes if "reached the time limit (1 s)" in n["message"]]
    assert len(out_of_time) >= 2 and all(m.endswith("carrying on") for m in out_of_time), job.notes
    assert job.attempts == 1  # the attempt counter counts attempts that got nowhere
    assert (job.done, job.total) == (300, 300)
    _assert_drafted_once(article)
    sent = sum(len(r["json"]["q"]) for r in libretranslate.requests)
    assert 300 <= sent <= 300 + 25 * len(out_of_time)  # only the batch in flight at each limit is asked again
