"""Real races on PostgreSQL: two users hit the same row at the same moment, through the HTTP API.

Each test releases two threads together with a barrier; each thread has its own
APIClient and its own database connection (closed when the thread ends). Exactly
one request may win; the other must be refused with 409, and the loser must leave
no trace (no second save, no second StateChange, no second revision).
"""

import threading

import pytest
from django.db import connection
from reversion.models import Version

from editorial import roles
from editorial.models import Article, ArticleRevision, State, StateChange
from tests.conftest import make_user
from translations.models import Segment

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = 10


def race(*calls):
    """Run each zero-argument callable in its own thread, released together; return their results in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)
    errors = []

    def run(index, call):
        try:
            connection.ensure_connection()  # connect before the barrier so both start the request together
            barrier.wait(timeout=30)
            results[index] = call()
        except BaseException as exc:  # noqa: BLE001 - reported to the main thread below
            errors.append(exc)
            barrier.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a racing request never finished (deadlock?)"
    assert not errors, f"a racing thread raised: {errors!r}"
    return results


def request(client, method: str, url: str, data: dict):
    def call():
        response = getattr(client, method)(url, data, format="json")
        return response.status_code, response.json()

    return call


def winner_and_loser(results):
    """(index of the 200, the loser's body); fails unless exactly one 200 and one 409."""
    statuses = sorted(status for status, _ in results)
    summary = [(status, body.get("error", {}).get("code")) for status, body in results]
    assert statuses == [200, 409], f"expected one 200 and one 409, got {summary}"
    winner = next(i for i, (status, _) in enumerate(results) if status == 200)
    return winner, results[1 - winner][1]


def segment_versions(segment) -> int:
    return Version.objects.get_for_object(segment).count()


def test_simultaneous_segment_saves_one_wins_one_gets_stale_version(make_article, translator, editor, api):
    article = make_article(State.TRANSLATION)
    segment = article.document.segments.get(position=1)
    users = [translator, editor]
    clients = [api(translator), api(editor)]
    url = f"/api/v1/articles/{article.pk}/segments/{segment.pk}/"

    for round_no in range(ROUNDS):
        segment.refresh_from_db()
        version_before = segment.version
        revisions_before = segment_versions(segment)
        article_revisions_before = ArticleRevision.objects.filter(article=article).count()
        texts = [f"Round {round_no}: the translator's text", f"Round {round_no}: the editor's text"]

        results = race(*[
            request(client, "patch", url, {"text": text, "version": version_before})
            for client, text in zip(clients, texts, strict=True)
        ])

        winner, loser_body = winner_and_loser(results)
        assert results[winner][1]["text"] == texts[winner]
        assert results[winner][1]["version"] == version_before + 1
        assert loser_body["error"]["code"] == "stale_version"
        # The loser is told what it is up against: the winner's text, version and name.
        details = loser_body["error"]["details"]
        assert details["text"] == texts[winner]
        assert details["version"] == version_before + 1
        assert details["changed_by"] == users[winner].username

        segment.refresh_from_db()
        assert segment.text == texts[winner], f"round {round_no}: the loser's text overwrote the winner's"
        assert segment.version == version_before + 1
        assert segment.changed_by_id == users[winner].pk
        assert segment_versions(segment) == revisions_before + 1, "exactly one new revision of the segment"
        assert ArticleRevision.objects.filter(article=article).count() == article_revisions_before + 1


def test_simultaneous_publish_by_two_editors_happens_once(make_article, editor, api):
    second_editor = make_user(roles.EDITOR, "nadia")
    editors = [editor, second_editor]
    clients = [api(editor), api(second_editor)]

    for round_no in range(ROUNDS):
        article = make_article(State.EDITING)
        revisions_before = ArticleRevision.objects.filter(article=article).count()
        url = f"/api/v1/articles/{article.pk}/actions/publish/"

        results = race(*[request(client, "post", url, {}) for client in clients])

        winner, loser_body = winner_and_loser(results)
        assert results[winner][1]["state"] == State.PUBLISHED
        assert loser_body["error"]["code"] == "invalid_state", f"round {round_no}: {loser_body!r}"
        assert loser_body["error"]["details"]["state"] == State.PUBLISHED
        assert "publish" not in loser_body["error"]["details"]["allowed"]

        article.refresh_from_db()
        assert article.state == State.PUBLISHED
        changes = list(StateChange.objects.filter(article=article, action="publish"))
        assert len(changes) == 1, f"round {round_no}: {len(changes)} publish records"
        assert changes[0].user_id == editors[winner].pk
        assert (changes[0].from_state, changes[0].to_state) == (State.EDITING, State.PUBLISHED)
        new = ArticleRevision.objects.filter(article=article).select_related("revision")
        assert new.count() == revisions_before + 1, "exactly one revision for the transition"
        latest = new.order_by("-revision_id").first()
        assert latest.state == State.PUBLISHED
        assert latest.revision.user_id == editors[winner].pk


def test_simultaneous_claim_by_two_translators_assigns_one(make_article, translator, other_translator, api):
    translators = [translator, other_translator]
    clients = [api(translator), api(other_translator)]

    for round_no in range(ROUNDS):
        article = make_article(State.MACHINE_DRAFT)
        revisions_before = ArticleRevision.objects.filter(article=article).count()
        url = f"/api/v1/articles/{article.pk}/actions/claim/"

        results = race(*[request(client, "post", url, {}) for client in clients])

        winner, loser_body = winner_and_loser(results)
        assert results[winner][1]["assignee"] == translators[winner].username
        assert loser_body["error"]["code"] == "invalid_state", f"round {round_no}: {loser_body!r}"
        assert loser_body["error"]["details"]["state"] == State.TRANSLATION

        article.refresh_from_db()
        assert (article.state, article.assignee_id) == (State.TRANSLATION, translators[winner].pk)
        changes = list(StateChange.objects.filter(article=article, action="claim"))
        assert len(changes) == 1, f"round {round_no}: {len(changes)} claim records"
        assert changes[0].user_id == translators[winner].pk
        assert ArticleRevision.objects.filter(article=article).count() == revisions_before + 1
        assert ArticleRevision.objects.filter(article=article, revision__comment="Claim").count() == 1


def test_simultaneous_detail_patches_with_the_same_version_one_wins(make_article, translator, editor, api):
    article = make_article(State.TRANSLATION)
    users = [translator, editor]
    clients = [api(translator), api(editor)]
    url = f"/api/v1/articles/{article.pk}/"

    for round_no in range(ROUNDS):
        article.refresh_from_db()
        version_before = article.version
        revisions_before = ArticleRevision.objects.filter(article=article).count()
        standfirsts = [f"Round {round_no}: standfirst by the translator", f"Round {round_no}: standfirst by the editor"]

        results = race(*[
            request(client, "patch", url, {"standfirst": standfirst, "version": version_before})
            for client, standfirst in zip(clients, standfirsts, strict=True)
        ])

        winner, loser_body = winner_and_loser(results)
        assert results[winner][1]["standfirst"] == standfirsts[winner]
        assert results[winner][1]["version"] == version_before + 1
        assert loser_body["error"]["code"] == "stale_version", f"round {round_no}: {loser_body!r}"
        assert loser_body["error"]["details"]["version"] == version_before + 1
        assert loser_body["error"]["details"]["standfirst"] == standfirsts[winner]

        article.refresh_from_db()
        assert article.standfirst == standfirsts[winner]
        assert article.version == version_before + 1
        revisions = ArticleRevision.objects.filter(article=article).select_related("revision")
        assert revisions.count() == revisions_before + 1
        latest = revisions.order_by("-revision_id").first()
        assert latest.revision.comment == "Edited standfirst"
        assert latest.revision.user_id == users[winner].pk


def test_segment_race_leaves_other_segments_alone(make_article, translator, editor, api):
    """Two people saving two different segments at once both succeed: the article lock does not lose work."""
    article = make_article(State.TRANSLATION)
    first, second = article.document.segments.filter(position__in=[1, 2]).order_by("position")
    clients = [api(translator), api(editor)]

    for round_no in range(ROUNDS):
        first.refresh_from_db()
        second.refresh_from_db()
        before = (first.version, second.version)
        texts = [f"Round {round_no}: first", f"Round {round_no}: second"]
        results = race(
            request(clients[0], "patch", f"/api/v1/articles/{article.pk}/segments/{first.pk}/",
                    {"text": texts[0], "version": first.version}),
            request(clients[1], "patch", f"/api/v1/articles/{article.pk}/segments/{second.pk}/",
                    {"text": texts[1], "version": second.version}),
        )
        assert [status for status, _ in results] == [200, 200], results
        stored = dict(Segment.objects.filter(pk__in=[first.pk, second.pk]).values_list("pk", "text"))
        assert stored == {first.pk: texts[0], second.pk: texts[1]}
        first.refresh_from_db()
        second.refresh_from_db()
        assert (first.version, second.version) == (before[0] + 1, before[1] + 1)
        assert Article.objects.get(pk=article.pk).state == State.TRANSLATION


def test_two_imports_with_the_same_new_keyword_both_succeed(editor, api):
    """Found by the cluster tests: concurrent imports naming a keyword nobody used yet once gave one a 500."""
    import uuid

    from editorial.models import Keyword
    from tests.conftest import source_payload

    for _ in range(ROUNDS):
        keyword = f"Keyword {uuid.uuid4().hex[:8]}"
        payload = {**source_payload(), "keywords": [keyword]}
        results = race(*(request(api(editor), "post", "/api/v1/articles/", payload) for _ in range(2)))
        assert [status for status, _ in results] == [201, 201], results
        assert [body["keywords"] for _, body in results] == [[keyword], [keyword]]
        assert Keyword.objects.filter(name=keyword).count() == 1
