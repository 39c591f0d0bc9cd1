"""A task's soft time limit is a signal (billiard raises SoftTimeLimitExceeded from its handler). When it
strikes while psycopg waits on the server, during a COMMIT here, the connection is left mid-request and Django's
transaction cannot end on it: `jobs.out_of_time` recognises the limit behind the error it caused and drops the
connection, so the task can record where it stopped (drafting carries on at the next attempt)."""

import signal

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.db import connection, transaction

from editorial import jobs
from editorial.models import Job

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def slow_commit():
    """A table whose COMMIT takes a second: a deferred constraint trigger sleeps when the transaction commits."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE slow_commit (id int)")
        cursor.execute("CREATE FUNCTION slow_commit_sleep() RETURNS trigger AS $$ BEGIN PERFORM pg_sleep(1); "
                       "RETURN NULL; END $$ LANGUAGE plpgsql")
        cursor.execute("CREATE CONSTRAINT TRIGGER slow_commit_sleeps AFTER INSERT ON slow_commit DEFERRABLE "
                       "INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION slow_commit_sleep()")
    yield
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE slow_commit")
        cursor.execute("DROP FUNCTION slow_commit_sleep()")


def _limit(signum, frame):
    raise SoftTimeLimitExceeded()


def test_a_time_limit_during_a_commit_leaves_a_connection_the_task_can_carry_on_with(slow_commit):
    previous = signal.signal(signal.SIGALRM, _limit)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.3)  # while the COMMIT below waits on the server
        with pytest.raises(Exception) as raised:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("INSERT INTO slow_commit VALUES (1)")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert jobs.out_of_time(raised.value)
    assert Job.objects.count() == 0  # the next query runs, on a new connection
    with transaction.atomic():  # and a transaction begins and ends as usual
        assert not Job.objects.exists()
    assert not jobs.out_of_time(ValueError("something else"))
