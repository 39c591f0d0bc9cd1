"""The draft job: queued after commit, run by a real worker, drafted from the memory, exactly once."""

import pytest

from editorial import drafting, workflow
from editorial.models import Article, Job, State, StateChange
from tests.conftest import create_article, wait_for


def _published_with(editor, translator, paragraph_translation: str, *, worker: bool = False) -> Article:
    from editorial import services
    from editorial.models import Job
    from tests.conftest import article_in, run_memory_jobs

    article = article_in(State.EDITING, editor=editor, translator=translator)
    segment = article.document.segments.get(position=1)
    services.save_segment(article.pk, segment.pk, editor, text=paragraph_translation, version=segment.version)
    workflow.apply(article.pk, editor, "publish")
    if worker:  # the live worker stores it in the memory
        wait_for(lambda: Job.objects.filter(article=article, kind="memory", state="succeeded").exists())
    else:
        run_memory_jobs(article)
    return article


def test_draft_reuses_published_translations_of_identical_text(db, editor, translator):
    _published_with(editor, translator, "Life returned to normal in Jasim.")
    repeat = create_article(editor, paragraphs=3)
    _, job = workflow.apply(repeat.pk, editor, "draft")
    job = drafting.run_draft(job.pk)

    assert (job.state, job.done, job.total, job.error) == ("succeeded", 4, 4, None)
    segments = {s.position: s for s in repeat.document.segments.all()}
    # The title and paragraphs 2-3 were published too: every identical source text is reused.
    assert segments[1].text == "Life returned to normal in Jasim."
    assert (segments[1].origin, segments[1].engine, segments[1].machine_text) == (
        "memory", "memory", "Life returned to normal in Jasim."
    )
    repeat.refresh_from_db()
    assert repeat.state == State.MACHINE_DRAFT


def test_draft_leaves_unknown_text_empty(db, editor):
    article = create_article(editor)
    _, job = workflow.apply(article.pk, editor, "draft")
    job = drafting.run_draft(job.pk)
    assert job.state == "succeeded"
    assert all(s.text is None and s.origin is None for s in article.document.segments.all())
    assert Article.objects.get(pk=article.pk).state == State.MACHINE_DRAFT


def test_running_a_draft_job_twice_has_the_effect_of_once(db, editor, translator):
    _published_with(editor, translator, "Life returned to normal in Jasim.")
    article = create_article(editor)
    _, job = workflow.apply(article.pk, editor, "draft")
    drafting.run_draft(job.pk)
    versions = {s.pk: s.version for s in article.document.segments.all()}
    drafting.run_draft(job.pk)
    # Even if the job row were reset (a task redelivered after its worker died), nothing is drafted again.
    Job.objects.filter(pk=job.pk).update(state="running", heartbeat_at=None)
    drafting.run_draft(job.pk)
    assert {s.pk: s.version for s in article.document.segments.all()} == versions
    assert StateChange.objects.filter(article=article, action="draft").count() == 1


def test_draft_never_overwrites_text_a_human_typed(db, editor, translator):
    _published_with(editor, translator, "Life returned to normal in Jasim.")
    article = create_article(editor)
    _, job = workflow.apply(article.pk, editor, "draft")
    drafting.run_draft(job.pk)
    workflow.apply(article.pk, translator, "claim")
    segment = article.document.segments.get(position=1)
    from editorial import services

    services.save_segment(article.pk, segment.pk, translator, text="My own words.", version=segment.version)
    Job.objects.filter(pk=job.pk).update(state="running", heartbeat_at=None)
    drafting.run_draft(job.pk)
    segment.refresh_from_db()
    assert (segment.text, segment.origin) == ("My own words.", "human")


@pytest.mark.worker
def test_draft_action_is_run_by_a_real_worker(live_worker, api, editor, translator):
    _published_with(editor, translator, "Life returned to normal in Jasim.", worker=True)
    article = create_article(editor)
    response = api(editor).post(f"/api/v1/articles/{article.pk}/actions/draft/", {}, format="json")
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["job"]["state"] in ("queued", "running", "succeeded")
    assert body["article"]["state"] == "source"
    job_id = body["job"]["id"]

    def finished():
        job = api(editor).get(f"/api/v1/jobs/{job_id}/").json()
        return job if job["state"] in ("succeeded", "failed") else None

    job = wait_for(finished)
    assert job["state"] == "succeeded", job
    assert job["progress"] == {"done": 4, "total": 4}
    assert job["article"] == article.pk and job["finished_at"]
    detail = api(editor).get(f"/api/v1/articles/{article.pk}/").json()
    assert detail["state"] == "machine_draft"
    assert detail["segments"][1]["text"] == "Life returned to normal in Jasim."
    assert detail["segments"][1]["origin"] == "memory"
    assert "claim" in detail["actions"]
    assert StateChange.objects.filter(article=article, action="draft").count() == 1


def test_a_job_is_not_sent_before_its_transaction_commits(db, editor, django_capture_on_commit_callbacks):
    article = create_article(editor)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _, job = workflow.apply(article.pk, editor, "draft")
    assert len(callbacks) == 1
    assert Job.objects.get(pk=job.pk).sent_at is None


def test_a_running_job_with_a_live_lease_is_not_taken_twice(db, editor, settings):
    """A second delivery while a worker holds the job waits for the lease; a silent job is taken over."""
    from datetime import timedelta

    from django.utils import timezone

    from editorial import jobs

    settings.JOB_STALL_SECONDS = 60
    article = create_article(editor, paragraphs=2)
    _, job = workflow.apply(article.pk, editor, "draft")
    assert jobs.start(job.pk, "task-1").attempts == 1  # the first worker takes it
    with pytest.raises(jobs.Busy) as busy:
        drafting.run_draft(job.pk, "task-2")  # another delivery (the sweeper's): refused, nothing drafted
    assert 55 < busy.value.seconds <= 60
    assert not article.document.segments.filter(machine_text__isnull=False).exists()
    assert Job.objects.get(pk=job.pk).attempts == 1
    # The holder itself, retrying after a failure of its own (the database went away), takes its lease back.
    assert jobs.start(job.pk, "task-1").attempts == 2

    # The first worker went silent (killed): its lease ran out, the next delivery takes over and finishes.
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=61))
    finished = drafting.run_draft(job.pk, "task-2")
    assert (finished.state, finished.attempts, finished.leased_by) == ("succeeded", 3, "task-2")
    assert drafting.run_draft(job.pk, "task-3").attempts == 3  # a delivery after it finished does nothing


def test_an_unexpected_error_fails_the_job_with_a_reason_instead_of_leaving_it_running(db, editor, settings):
    settings.MT_ENGINES = {**settings.MT_ENGINES, "broken": "translations.machinery.memory.NoSuchEngine"}
    settings.MT_ENGINE = "broken"
    article = create_article(editor, paragraphs=2)
    _, job = workflow.apply(article.pk, editor, "draft")
    failed = drafting.run_draft(job.pk)
    assert failed.state == "failed" and "unexpected error (ImportError)" in failed.error
    assert Article.objects.get(pk=article.pk).state == State.SOURCE  # the article stays where it was


def test_retry_delays_have_jitter_and_honour_retry_after(settings):
    from editorial import jobs

    settings.JOB_RETRY_BASE_SECONDS, settings.JOB_RETRY_MAX_SECONDS = 2, 60
    for retries, backoff in ((0, 2), (3, 16), (10, 60)):
        delays = [jobs.retry_delay(retries) for _ in range(200)]
        assert all(backoff / 2 <= d <= backoff for d in delays)
        assert len({round(d, 3) for d in delays}) > 50  # spread out, not one instant for every job
    asked = [jobs.retry_delay(0, asked=7) for _ in range(200)]
    assert all(7 <= d <= 8 for d in asked) and len({round(d, 3) for d in asked}) > 50
    assert jobs.retry_delay(0, asked=600) == 60  # asked again at the cap, below the broker's visibility timeout


def test_when_retries_run_out_the_job_fails_with_its_reason_and_a_user_can_retry_it(db, editor, settings,
                                                                                   libretranslate_engine):
    """An engine that answers 503 every time: JOB_MAX_ATTEMPTS attempts, then a failed job saying why, the
    article left in source; an editor's retry starts the count again and, the engine back, the draft is made."""
    from editorial import jobs

    server = libretranslate_engine
    settings.JOB_MAX_ATTEMPTS = 2
    article = create_article(editor, paragraphs=2)
    _, job = workflow.apply(article.pk, editor, "draft")
    server.script = [server.unavailable()] * 2
    with pytest.raises(drafting.RetryLater):
        drafting.run_draft(job.pk)
    failed = drafting.run_draft(job.pk)
    assert (failed.state, failed.attempts) == ("failed", 2)
    assert "503" in failed.error or "unavailable" in failed.error.lower(), failed.error
    assert [n["message"].split(":")[0] for n in failed.notes] == ["Attempt 1 failed", "Failed"]
    assert Article.objects.get(pk=article.pk).state == State.SOURCE

    retried = jobs.retry(job.pk, editor)
    assert (retried.state, retried.attempts, retried.error) == ("queued", 0, None)
    done = drafting.run_draft(job.pk)
    assert done.state == "succeeded"
    assert Article.objects.get(pk=article.pk).state == State.MACHINE_DRAFT
