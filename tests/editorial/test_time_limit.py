"""A task's soft time limit is a signal (billiard raises SoftTimeLimitExceeded from its handler). When it
strikes while psycopg waits on the server, during a COMMIT here, the connection is left mid-request and Django's
transaction cannot end on it: `jobs.out_of_time` recognises the limit behind the error it caused and drops the
connection, so the task can record where it stopped (drafting carries on at the next attempt)."""

import signal
from contextlib import contextmanager

import psycopg
import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import connection, transaction

from editorial import drafting, jobs, remembering, workflow
from editorial.models import Job, State, StateChange
from translations.models import MemoryEntry

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _slow_commits(table: str, seconds: float = 1, event: str = "INSERT") -> None:
    """Make a transaction that wrote to `table` (`event`: INSERT or UPDATE) take `seconds` to COMMIT: a deferred
    constraint trigger sleeps when it commits (once per transaction, whatever the number of rows)."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE FUNCTION slow_commit_sleep() RETURNS trigger AS $$ BEGIN "
                       "IF current_setting('slow_commit.slept', true) = 'yes' THEN RETURN NULL; END IF; "
                       f"PERFORM set_config('slow_commit.slept', 'yes', true); PERFORM pg_sleep({seconds}); "
                       "RETURN NULL; END $$ LANGUAGE plpgsql")
        cursor.execute(f"CREATE CONSTRAINT TRIGGER slow_commit_sleeps AFTER {event} ON {table} DEFERRABLE "
                       "INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION slow_commit_sleep()")


@pytest.fixture
def slow_commit():
    """A table whose COMMIT takes a second."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE slow_commit (id int)")
    _slow_commits("slow_commit")
    yield
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE slow_commit")
        cursor.execute("DROP FUNCTION slow_commit_sleep()")


@contextmanager
def soft_time_limit(seconds: float):
    """What billiard does at a task's soft time limit: a signal whose handler raises SoftTimeLimitExceeded."""
    previous = signal.signal(signal.SIGALRM, _limit)
    try:
        signal.setitimer(signal.ITIMER_REAL, seconds)
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _limit(signum, frame):
    raise SoftTimeLimitExceeded()


def test_a_time_limit_during_a_commit_leaves_a_connection_the_task_can_carry_on_with(slow_commit):
    with soft_time_limit(0.3), pytest.raises(Exception) as raised:  # while the COMMIT below waits on the server
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("INSERT INTO slow_commit VALUES (1)")
    assert jobs.out_of_time(raised.value)
    assert Job.objects.count() == 0  # the next query runs, on a new connection
    with transaction.atomic():  # and a transaction begins and ends as usual
        assert not Job.objects.exists()
    assert not jobs.out_of_time(ValueError("something else"))


@pytest.fixture
def slow_commits_on():
    tables = []

    def slow(model, seconds: float = 1, event: str = "INSERT"):
        _slow_commits(model._meta.db_table, seconds, event)
        tables.append(model._meta.db_table)

    yield slow
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"DROP TRIGGER slow_commit_sleeps ON {table}")
            cursor.execute("DROP FUNCTION slow_commit_sleep()")


# Struck during its COMMIT, a job's transaction still commits: the server finishes what it was asked (it notices
# the dropped client only when it answers). The job reads its row under the lock that COMMIT holds
# (jobs.settled) and finds itself finished, instead of queueing again work that is done.

def test_the_memory_job_struck_during_its_commit_finds_it_went_through(make_article, editor, slow_commits_on):
    article = make_article(State.EDITING)
    workflow.apply(article.pk, editor, "publish")
    job = Job.objects.get(article=article, kind=Job.Kind.MEMORY)
    slow_commits_on(MemoryEntry)
    with soft_time_limit(0.3):
        job = remembering.run(job.pk)
    assert job.state == Job.Status.SUCCEEDED and job.error is None
    assert not any("time limit" in n["message"] for n in job.notes)
    assert MemoryEntry.objects.count() == article.document.segments.count()


def test_the_memory_job_out_of_time_before_its_commit_stores_nothing_and_is_tried_again(make_article, editor):
    article = make_article(State.EDITING)
    workflow.apply(article.pk, editor, "publish")
    job = Job.objects.get(article=article, kind=Job.Kind.MEMORY)
    with _another_connection() as other:  # the memory's table is locked: the attempt waits inside its transaction
        other.execute(f"LOCK TABLE {MemoryEntry._meta.db_table}")
        with soft_time_limit(0.5), pytest.raises(SoftTimeLimitExceeded):  # the task retries on it
            remembering.run(job.pk)
    job.refresh_from_db()
    assert job.state == Job.Status.QUEUED and job.error is None
    limit = settings.TASK_SOFT_TIME_LIMIT_SECONDS
    assert job.notes[-1]["message"] == f"Attempt 1 reached the time limit ({limit} s); trying again"
    assert not MemoryEntry.objects.exists()
    assert remembering.run(job.pk).state == Job.Status.SUCCEEDED  # the next attempt, with time enough
    assert MemoryEntry.objects.count() == article.document.segments.count()


def test_a_draft_struck_while_committing_its_finish_stays_finished(make_article, editor, slow_commits_on):
    article = make_article(State.SOURCE)
    _, job = workflow.apply(article.pk, editor, "draft")
    slow_commits_on(StateChange, seconds=2)  # finishing the draft records a state change
    with soft_time_limit(1):
        job = drafting.run_draft(job.pk)
    assert job.state == Job.Status.SUCCEEDED and job.attempts == 1
    assert not any("time limit" in n["message"] for n in job.notes)
    article.refresh_from_db()
    assert article.state == State.MACHINE_DRAFT
    assert list(StateChange.objects.filter(article=article).values_list("action", flat=True)) == ["draft"]


@contextmanager
def _another_connection():
    """A second session on the test database, in a transaction rolled back at the end."""
    db = connection.settings_dict
    with psycopg.connect(dbname=db["NAME"], user=db["USER"], host=db["HOST"], port=db["PORT"] or None,
                         password=db["PASSWORD"] or None) as other:
        try:
            yield other
        finally:
            other.rollback()


def test_a_feed_poll_out_of_time_stops_and_leaves_the_feeds_left_due(admin_user, slow_commits_on):
    """Struck while an entry's import commits, polling stops there: not logged as an unexpected error on the
    feed, not carrying on with the next feed in a task whose time is up. The feed not reached stays due."""
    from editorial import feeds
    from editorial.models import Article, SourceFeed
    from tests.editorial.test_feeds import register, serve_summaries_feed
    from tests.fakes.feed_server import FeedServer

    server = FeedServer()
    try:
        first = register(admin_user, serve_summaries_feed(server, "/first.xml"), name="Horan Free League")
        second = register(admin_user, serve_summaries_feed(server, "/second.xml"), name="Enab Baladi")
        slow_commits_on(Article, seconds=2)  # each imported entry commits its article
        with soft_time_limit(0.5), pytest.raises(Exception) as raised:
            feeds.poll_due()
        assert jobs.out_of_time(raised.value)
    finally:
        server.stop()
    polled = {feed.pk: feed for feed in SourceFeed.objects.filter(pk__in=[first.pk, second.pk])}
    assert not any("unexpected error" in (feed.last_error or "") for feed in polled.values())
    assert sum(feed.last_polled_at is None for feed in polled.values()) == 1  # the other is due at the next run


def test_a_draft_struck_mid_query_after_saving_a_batch_carries_on_without_using_up_an_attempt(
        editor, settings, libretranslate_engine):
    """The limit strikes while a batch's UPDATE waits (on a row another session holds). The attempt saved a batch
    before: it carries on, and its attempt does not count."""
    from editorial.models import Article
    from tests.conftest import create_article
    from translations.models import Segment

    settings.JOB_MAX_ATTEMPTS = 2
    article = create_article(editor, paragraphs=60)
    _, job = workflow.apply(article.pk, editor, "draft")
    held = Segment.objects.get(document=article.document, position=50)  # in a batch after the first
    with _another_connection() as other:
        other.execute("SELECT 1 FROM translations_segment WHERE id = %s FOR UPDATE", [held.pk])
        with soft_time_limit(1), pytest.raises(drafting.RetryLater):
            drafting.run_draft(job.pk)
    job.refresh_from_db()
    assert (job.state, job.attempts) == (Job.Status.QUEUED, 0) and 0 < job.done < job.total
    assert job.notes[-1]["message"].endswith("; carrying on"), job.notes
    done = drafting.run_draft(job.pk)
    assert (done.state, done.attempts, done.done) == (Job.Status.SUCCEEDED, 1, done.total)
    assert Article.objects.get(pk=article.pk).state == State.MACHINE_DRAFT


def test_a_draft_struck_while_committing_a_batch_carries_on_without_using_up_an_attempt(
        editor, slow_commits_on, libretranslate_engine):
    """The limit strikes during a batch's COMMIT, which goes through on the server, and the connection is left
    mid-request. The batch is saved: the attempt carries on and does not count."""
    from tests.conftest import create_article
    from translations.models import Segment

    article = create_article(editor, paragraphs=60)
    _, job = workflow.apply(article.pk, editor, "draft")
    slow_commits_on(Segment, seconds=2, event="UPDATE")  # each batch's commit
    with soft_time_limit(1), pytest.raises(drafting.RetryLater):
        drafting.run_draft(job.pk)
    job.refresh_from_db()
    assert (job.state, job.attempts) == (Job.Status.QUEUED, 0) and 0 < job.done < job.total, job.notes
    assert job.notes[-1]["message"].endswith("; carrying on"), job.notes

