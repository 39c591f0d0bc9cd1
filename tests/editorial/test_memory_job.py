"""Publishing feeds the translation memory through a background job: a real worker runs it, it is safe to run
twice or late, corrections replace what was remembered, and the desk does not mistake it for a draft."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from editorial import jobs, remembering, services, workflow
from editorial.models import Job, State
from tests.conftest import fill_segments, run_memory_jobs, wait_for
from translations import memory
from translations.models import MemoryEntry, MemoryWord


def _ready_to_publish(make_article):
    return make_article(State.EDITING)


@pytest.mark.django_db
def test_publishing_queues_a_memory_job_with_the_text_as_published(make_article, editor, translator):
    article = _ready_to_publish(make_article)
    workflow.apply(article.pk, editor, "publish")
    job = Job.objects.get(article=article, kind=Job.Kind.MEMORY)
    assert job.state == Job.Status.QUEUED and MemoryEntry.objects.count() == 0
    segments = list(article.document.segments.order_by("position"))
    assert job.total == len(segments) == len(job.payload["segments"])
    assert job.payload["segments"][1] == [segments[1].pk, segments[1].source_text, segments[1].text.strip()]

    # A correction begins before the job runs: the memory still gets the text that was published.
    workflow.apply(article.pk, editor, "correct", comment="Fix the town's name")
    services.save_segment(article.pk, segments[1].pk, editor, text="Changed after publishing",
                          version=article.document.segments.get(pk=segments[1].pk).version)
    job = remembering.run(job.pk)
    assert (job.state, job.done, job.total) == ("succeeded", len(segments), len(segments))
    entry = MemoryEntry.objects.get(source_text=segments[1].source_text)
    assert entry.target_text == segments[1].text.strip() != "Changed after publishing"
    article.refresh_from_db()
    assert entry.translator == translator and entry.published_at == article.published_at
    assert entry.origin_segment_id == segments[1].pk


@pytest.mark.django_db
def test_running_the_job_twice_stores_nothing_twice(make_article, editor):
    article = _ready_to_publish(make_article)
    workflow.apply(article.pk, editor, "publish")
    job = Job.objects.get(article=article, kind=Job.Kind.MEMORY)
    remembering.run(job.pk)
    entries, counts = MemoryEntry.objects.count(), dict(MemoryWord.objects.values_list("word", "entries"))
    # A repeated delivery of a finished job does nothing; the same job made to run again changes nothing.
    assert remembering.run(job.pk).attempts == 1
    Job.objects.filter(pk=job.pk).update(state=Job.Status.QUEUED)
    assert remembering.run(job.pk).state == Job.Status.SUCCEEDED
    assert MemoryEntry.objects.count() == entries
    assert dict(MemoryWord.objects.values_list("word", "entries")) == counts


@pytest.mark.django_db
def test_a_late_job_of_an_earlier_publication_does_not_bring_back_old_text(make_article, editor, translator):
    article = _ready_to_publish(make_article)
    workflow.apply(article.pk, editor, "publish")
    first = Job.objects.get(article=article, kind=Job.Kind.MEMORY)
    workflow.apply(article.pk, editor, "correct", comment="Better wording")
    segment = article.document.segments.get(position=1)
    services.save_segment(article.pk, segment.pk, editor, text="Corrected wording", version=segment.version)
    workflow.apply(article.pk, editor, "publish", comment="Better wording")
    second = Job.objects.filter(article=article, kind=Job.Kind.MEMORY).exclude(pk=first.pk).get()
    remembering.run(second.pk)
    remembering.run(first.pk)  # its worker was slow
    assert MemoryEntry.objects.get(source_text=segment.source_text).target_text == "Corrected wording"


@pytest.mark.django_db
def test_a_scheduled_publication_queues_the_job_when_it_goes_out(make_article, editor):
    article = make_article(State.SCHEDULED)
    assert not Job.objects.filter(article=article, kind=Job.Kind.MEMORY).exists()
    workflow.publish_due(now=timezone.now() + timedelta(days=2))
    run_memory_jobs(article)
    title = article.document.segments.get(position=0)
    assert memory.exact_matches([title.source_text], "ar", "en") == {title.source_text: title.text.strip()}


@pytest.mark.django_db
def test_the_memory_job_is_not_shown_as_a_draft_in_progress(make_article, editor):
    article = _ready_to_publish(make_article)
    workflow.apply(article.pk, editor, "publish")
    workflow.apply(article.pk, editor, "correct", comment="A typo")
    assert Job.objects.filter(article=article, kind=Job.Kind.MEMORY, state=Job.Status.QUEUED).exists()
    client = Client()
    client.force_login(editor)
    html = client.get(f"/desk/articles/{article.pk}/").content.decode()
    assert "Machine draft:" not in html and 'class="job card"' not in html
    assert "Machine draft:" in client.get(f"/desk/jobs/{Job.objects.get(kind='draft', article=article).pk}/"
                                          ).content.decode()  # the draft job's card still renders
    desk = client.get("/desk/").content.decode()
    assert 'aria-label="Drafted"' not in desk


@pytest.mark.worker
def test_a_real_worker_stores_a_published_article(live_worker, api, make_article, editor, translator):
    article = make_article(State.TRANSLATION)
    fill_segments(article, translator)
    assert api(translator).post(f"/api/v1/articles/{article.pk}/actions/submit/", {}, format="json").status_code == 200
    response = api(editor).post(f"/api/v1/articles/{article.pk}/actions/publish/", {}, format="json")
    assert response.status_code == 200, response.content
    job = wait_for(lambda: Job.objects.filter(article=article, kind="memory", state="succeeded").first())
    assert job.notes[-1]["message"] == f"{job.total} of {job.total} segments stored in the translation memory"
    paragraph = article.document.segments.get(position=2)
    found = api(translator).get("/api/v1/memory/", {"q": paragraph.source_text}).json()["results"][0]
    assert (found["target"], found["score"], found["article"], found["translator"]) == (
        paragraph.text.strip(), 100, article.pk, translator.username)


@pytest.mark.worker
def test_a_job_that_never_reached_the_broker_is_sent_by_the_sweeper(live_worker, make_article, editor):
    article = _ready_to_publish(make_article)
    workflow.apply(article.pk, editor, "publish")
    job = Job.objects.get(article=article, kind=Job.Kind.MEMORY)
    wait_for(lambda: Job.objects.get(pk=job.pk).state == Job.Status.SUCCEEDED)
    # As if the broker had been down at publish time: queued, never sent.
    MemoryEntry.objects.all().delete()
    Job.objects.filter(pk=job.pk).update(state=Job.Status.QUEUED, sent_at=None,
                                         created_at=timezone.now() - timedelta(minutes=1))
    assert jobs.send_queued() == 1
    wait_for(lambda: MemoryEntry.objects.filter(origin_segment__document=article.document).exists())


@pytest.mark.django_db
def test_the_demo_data_comes_with_its_published_article_in_the_memory():
    import io

    from django.core.management import call_command

    call_command("seed_demo", stdout=io.StringIO())
    job = Job.objects.get(kind=Job.Kind.MEMORY)
    assert job.state == Job.Status.SUCCEEDED and job.done == job.total > 0
    assert MemoryEntry.objects.filter(origin_segment__document=job.article.document).count() == job.total


@pytest.mark.django_db
def test_a_translator_deleted_before_the_job_runs_is_left_out_not_fatal(make_article, editor, translator):
    article = _ready_to_publish(make_article)
    workflow.apply(article.pk, editor, "publish")
    job = Job.objects.get(article=article, kind=Job.Kind.MEMORY)
    translator.delete()
    job = remembering.run(job.pk)
    assert job.state == Job.Status.SUCCEEDED
    assert MemoryEntry.objects.filter(translator__isnull=True).count() == job.total


@pytest.mark.django_db
def test_a_job_that_cannot_be_done_fails_with_its_reason_and_can_be_retried(make_article, editor, translator, api):
    article = _ready_to_publish(make_article)
    workflow.apply(article.pk, editor, "publish")
    job = Job.objects.get(article=article, kind=Job.Kind.MEMORY)
    payload = job.payload
    Job.objects.filter(pk=job.pk).update(payload={**payload, "published_at": "not a date"})
    job = remembering.run(job.pk)
    assert job.state == Job.Status.FAILED and not MemoryEntry.objects.exists()
    assert job.error.startswith("The published text could not be stored in the translation memory: ")
    assert job.notes[-1]["message"] == f"Failed: {job.error}"
    # Mended (by an admin), then retried by an editor: it runs again from the start.
    Job.objects.filter(pk=job.pk).update(payload=payload)
    # Translators may not retry jobs, through the API or the desk.
    response = api(translator).post(f"/api/v1/jobs/{job.pk}/retry/", {}, format="json")
    assert response.status_code == 403 and response.json()["error"]["message"] == (
        "Only editors and admins may retry jobs.")
    desk = Client()
    desk.force_login(translator)
    desk.post(f"/desk/jobs/{job.pk}/retry/")
    assert Job.objects.get(pk=job.pk).state == Job.Status.FAILED
    assert api(editor).post(f"/api/v1/jobs/{job.pk}/retry/", {}, format="json").status_code == 200
    assert remembering.run(job.pk).state == Job.Status.SUCCEEDED
    assert MemoryEntry.objects.count() == job.total


@pytest.mark.django_db
def test_the_job_of_a_deleted_article_is_gone_quietly(make_article, editor):
    article = _ready_to_publish(make_article)
    workflow.apply(article.pk, editor, "publish")
    job_id = Job.objects.get(article=article, kind=Job.Kind.MEMORY).pk
    Job.objects.filter(pk=job_id).delete()
    assert remembering.run(job_id) is None
