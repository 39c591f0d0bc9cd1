"""Version history through the HTTP API: the list, an article as it was, word-level diffs, revert, storage."""

from datetime import datetime, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from reversion.models import Version

from editorial import workflow
from editorial.models import Article, ArticleRevision, State
from translations.models import Segment

pytestmark = pytest.mark.django_db

PAGE_KEYS = {"count", "next", "previous", "results"}


def segment_at(article: Article, position: int) -> Segment:
    return Segment.objects.get(document=article.document_id, position=position)


def save(client, article: Article, position: int, text: str) -> int:
    """Save one segment through the API; return the id of the revision it left."""
    segment = segment_at(article, position)
    response = client.patch(
        f"/api/v1/articles/{article.pk}/segments/{segment.pk}/", {"text": text, "version": segment.version},
        format="json",
    )
    assert response.status_code == 200, response.json()
    return latest_revision(article)


def latest_revision(article: Article) -> int:
    return ArticleRevision.objects.filter(article=article).order_by("-revision_id").first().revision_id


def revision_ids(article: Article) -> list[int]:
    return list(ArticleRevision.objects.filter(article=article).order_by("revision_id").values_list(
        "revision_id", flat=True))


def texts_by_position(segments) -> dict[int, str | None]:
    return {s["position"]: s["text"] for s in segments}


# The list ---------------------------------------------------------------------------------------


def test_history_lists_revisions_newest_first(make_article, translator, api):
    article = make_article(State.TRANSLATION)
    other = make_article(State.TRANSLATION)  # its revisions must not leak into this article's history
    client = api(translator)
    save(client, article, 1, "First paragraph.")
    save(client, other, 1, "Another article's paragraph.")
    edited = save(client, article, 0, "A headline")

    response = client.get(f"/api/v1/articles/{article.pk}/history/")

    assert response.status_code == 200
    body = response.json()
    assert set(body) >= PAGE_KEYS
    results = body["results"]
    ids = [r["id"] for r in results]
    assert body["count"] == len(results) == 5  # import, draft, assign, two edits
    assert ids == sorted(revision_ids(article), reverse=True), "newest first, only this article's revisions"
    for row in results:
        assert set(row) >= {"id", "created_at", "user", "comment", "state"}
        assert datetime.fromisoformat(row["created_at"]).tzinfo is not None
    created = [datetime.fromisoformat(r["created_at"]) for r in results]
    assert created == sorted(created, reverse=True)

    newest = results[0]
    assert (newest["id"], newest["user"], newest["comment"], newest["state"]) == (
        edited, "sami", "Edited title 0", "translation"
    )
    assert (results[1]["user"], results[1]["comment"]) == ("sami", "Edited paragraph 1")
    assert (results[2]["user"], results[2]["comment"], results[2]["state"]) == ("layla", "Assign", "translation")
    assert (results[3]["user"], results[3]["state"]) == ("layla", "machine_draft")
    assert (results[4]["user"], results[4]["comment"], results[4]["state"]) == (
        "layla", "Imported from Horan Free League", "source"
    )


def test_history_of_a_scheduled_publication_has_no_user(make_article, translator, api):
    article = make_article(State.SCHEDULED)
    workflow.publish_due(now=timezone.now() + timedelta(days=2))

    newest = api(translator).get(f"/api/v1/articles/{article.pk}/history/").json()["results"][0]
    assert (newest["user"], newest["state"]) == (None, "published")
    assert newest["comment"] == "Publish scheduled: Published as scheduled"


def test_history_needs_credentials(make_article, api):
    article = make_article(State.TRANSLATION)
    revision = latest_revision(article)
    for url in (f"/api/v1/articles/{article.pk}/history/", f"/api/v1/articles/{article.pk}/history/{revision}/",
                f"/api/v1/articles/{article.pk}/diff/?from={revision}"):
        assert api().get(url).status_code == 401, url
    assert api().post(f"/api/v1/articles/{article.pk}/history/{revision}/revert/").status_code == 401


def test_history_is_paginated(make_article, translator, api):
    article = make_article(State.TRANSLATION)
    client = api(translator)
    for i in range(30):
        save(client, article, 1 + i % 3, f"Edit number {i}")
    expected = sorted(revision_ids(article), reverse=True)
    assert len(expected) == 33

    first = client.get(f"/api/v1/articles/{article.pk}/history/").json()
    assert first["count"] == 33 and first["previous"] is None and first["next"]
    second = client.get(f"/api/v1/articles/{article.pk}/history/?page=2").json()
    assert second["next"] is None and second["previous"]
    assert [r["id"] for r in first["results"] + second["results"]] == expected
    assert first["results"][0]["comment"] == "Edited paragraph 3"  # edit 29 went to position 1 + 29 % 3


# An article as it was ---------------------------------------------------------------------------


def test_revision_shows_the_article_as_it_was(make_article, translator, editor, api):
    article = make_article(State.TRANSLATION)
    client = api(translator)
    imported, drafted, assigned = revision_ids(article)
    titled = save(client, article, 0, "Ceasefire ends four days of fighting")
    first = save(client, article, 1, "Life returned to normal.")
    middle = save(client, article, 1, "Life returned to normal in Jasim.")
    last = save(client, article, 1, "Life in Jasim returned to normal.")

    def at(revision):
        response = client.get(f"/api/v1/articles/{article.pk}/history/{revision}/")
        assert response.status_code == 200, response.json()
        return response.json()

    shown = at(middle)
    assert shown["title"] == "Ceasefire ends four days of fighting"
    assert shown["state"] == "translation"
    assert [s["position"] for s in shown["segments"]] == [0, 1, 2, 3]
    assert texts_by_position(shown["segments"]) == {
        0: "Ceasefire ends four days of fighting", 1: "Life returned to normal in Jasim.", 2: None, 3: None,
    }
    assert texts_by_position(at(first)["segments"])[1] == "Life returned to normal."
    assert texts_by_position(at(last)["segments"])[1] == "Life in Jasim returned to normal."
    before_title = at(assigned)
    assert before_title["title"] is None
    assert set(texts_by_position(before_title["segments"]).values()) == {None}
    assert at(titled)["title"] == "Ceasefire ends four days of fighting"
    assert texts_by_position(at(titled)["segments"])[1] is None
    assert at(imported)["state"] == "source"
    assert at(drafted)["state"] == "machine_draft"
    # The source text travels with each segment.
    sources = {s.position: s.source_text for s in article.document.segments.all()}
    assert {s["position"]: s["source_text"] for s in shown["segments"]} == sources


def test_revision_shows_standfirst_and_keywords_as_they_were(make_article, editor, api):
    article = make_article(State.TRANSLATION)
    client = api(editor)
    response = client.patch(f"/api/v1/articles/{article.pk}/",
                            {"standfirst": "Old standfirst", "keywords": ["Daraa", "Jasim"], "version": 1},
                            format="json")
    assert response.status_code == 200, response.json()
    old = latest_revision(article)
    response = client.patch(f"/api/v1/articles/{article.pk}/",
                            {"standfirst": "New standfirst", "keywords": ["Syria"], "version": 2}, format="json")
    assert response.status_code == 200, response.json()

    shown = client.get(f"/api/v1/articles/{article.pk}/history/{old}/").json()
    assert (shown["standfirst"], shown["keywords"]) == ("Old standfirst", ["Daraa", "Jasim"])
    shown = client.get(f"/api/v1/articles/{article.pk}/history/{latest_revision(article)}/").json()
    assert (shown["standfirst"], shown["keywords"]) == ("New standfirst", ["Syria"])


# Diff -------------------------------------------------------------------------------------------


def test_diff_gives_word_level_ops_per_segment(make_article, translator, api):
    article = make_article(State.TRANSLATION)
    client = api(translator)
    quick = save(client, article, 1, "The quick fox")
    slow = save(client, article, 1, "The slow fox")

    response = client.get(f"/api/v1/articles/{article.pk}/diff/?from={quick}&to={slow}")

    assert response.status_code == 200, response.json()
    rows = response.json()["segments"]
    assert [r["position"] for r in rows] == [0, 1, 2, 3]
    for row in rows:
        assert set(row) >= {"position", "kind", "from", "to", "changed", "ops"}
    segment_ids = list(article.document.segments.order_by("position").values_list("pk", flat=True))
    assert [r["id"] for r in rows] == segment_ids  # which segment each row is (to restore it)
    assert rows[1] == {
        "id": segment_ids[1], "position": 1, "kind": "paragraph", "from": "The quick fox", "to": "The slow fox",
        "changed": True,
        "ops": [["equal", "The "], ["delete", "quick"], ["insert", "slow"], ["equal", " fox"]],
    }
    assert rows[0]["kind"] == "title"
    for row in (rows[0], rows[2], rows[3]):
        assert (row["from"], row["to"], row["changed"], row["ops"]) == (None, None, False, [])

    # Backwards, the same change undone.
    backwards = client.get(f"/api/v1/articles/{article.pk}/diff/?from={slow}&to={quick}").json()["segments"]
    assert backwards[1]["ops"] == [["equal", "The "], ["delete", "slow"], ["insert", "quick"], ["equal", " fox"]]


def test_diff_to_current(make_article, translator, api):
    article = make_article(State.TRANSLATION)
    client = api(translator)
    assigned = latest_revision(article)
    save(client, article, 2, "Roads reopened on Tuesday.")
    slow = save(client, article, 1, "The slow fox")
    save(client, article, 1, "The slow brown fox")

    body = client.get(f"/api/v1/articles/{article.pk}/diff/?from={slow}&to=current").json()
    assert body["to"] == "current"
    rows = body["segments"]
    assert rows[1]["ops"] == [["equal", "The slow "], ["insert", "brown "], ["equal", "fox"]]
    assert (rows[1]["from"], rows[1]["to"], rows[1]["changed"]) == ("The slow fox", "The slow brown fox", True)
    assert rows[2] == {"id": rows[2]["id"], "position": 2, "kind": "paragraph", "from": "Roads reopened on Tuesday.",
                       "to": "Roads reopened on Tuesday.", "changed": False,
                       "ops": [["equal", "Roads reopened on Tuesday."]]}

    # `to` defaults to the current text.
    default = client.get(f"/api/v1/articles/{article.pk}/diff/?from={assigned}").json()
    assert [r["changed"] for r in default["segments"]] == [False, True, True, False]
    assert default["segments"][2]["ops"] == [["insert", "Roads reopened on Tuesday."]]


@pytest.mark.parametrize("query", [
    "", "?to=current", "?from=", "?from=abc", "?from=1.5",
    "?from={rev}&to=abc", "?from={rev}&to=1.5", "?from={rev}&to=-", "?from=0x10",
])
def test_diff_rejects_bad_revision_values(make_article, translator, api, query):
    article = make_article(State.TRANSLATION)
    response = api(translator).get(f"/api/v1/articles/{article.pk}/diff/" + query.format(rev=latest_revision(article)))
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "invalid"


def test_revision_of_another_article_is_not_found(make_article, translator, editor, api):
    article = make_article(State.TRANSLATION)
    other = make_article(State.TRANSLATION)
    mine, foreign = latest_revision(article), latest_revision(other)
    missing = max(foreign, mine) + 1000
    base = f"/api/v1/articles/{article.pk}"
    for url in (f"{base}/history/{foreign}/", f"{base}/history/{missing}/",
                f"{base}/diff/?from={foreign}&to=current", f"{base}/diff/?from={mine}&to={foreign}",
                f"{base}/diff/?from={missing}"):
        response = api(translator).get(url)
        assert response.status_code == 404, url
        assert response.json()["error"]["code"] == "not_found", url
    for revision in (foreign, missing):
        response = api(editor).post(f"{base}/history/{revision}/revert/")
        assert response.status_code == 404, response.json()
    assert revision_ids(article)[-1] == mine, "a refused revert leaves no revision"
    unknown = api(translator).get(f"/api/v1/articles/{other.pk + 1000}/history/")
    assert unknown.status_code == 404


HUGE = 10**20  # wider than any database integer column


@pytest.mark.parametrize("suffix", ["history/{huge}/", "diff/?from={huge}", "diff/?from={rev}&to={huge}"])
def test_out_of_range_revision_ids_are_not_found_not_a_server_error(make_article, translator, api, suffix):
    article = make_article(State.TRANSLATION)
    client = api(translator)
    client.raise_request_exception = False  # a crash must show up as the 500 it would be in production
    url = f"/api/v1/articles/{article.pk}/" + suffix.format(huge=HUGE, rev=latest_revision(article))
    response = client.get(url)
    # A revision id is a well-formed number here; there is simply no such revision.
    assert response.status_code == 404, (url, response.status_code, response.content[:300])
    assert response.json()["error"]["code"] == "not_found"


def test_revert_to_an_out_of_range_revision_is_not_found(make_article, editor, api):
    article = make_article(State.TRANSLATION)
    client = api(editor)
    client.raise_request_exception = False
    response = client.post(f"/api/v1/articles/{article.pk}/history/{HUGE}/revert/")
    assert response.status_code == 404, (response.status_code, response.content[:300])


# Revert -----------------------------------------------------------------------------------------


def test_editor_reverts_to_a_past_revision(make_article, translator, editor, api):
    article = make_article(State.TRANSLATION)
    client = api(translator)
    first = save(client, article, 1, "First version of the paragraph.")
    save(client, article, 1, "Second version of the paragraph.")
    save(client, article, 2, "A paragraph written after the revision.")
    versions_before = {s.position: s.version for s in article.document.segments.all()}

    response = api(editor).post(f"/api/v1/articles/{article.pk}/history/{first}/revert/")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["id"] == article.pk and body["state"] == "translation"
    assert texts_by_position(body["segments"]) == {0: None, 1: "First version of the paragraph.", 2: None, 3: None}
    versions_after = {s["position"]: s["version"] for s in body["segments"]}
    assert versions_after == {0: versions_before[0], 1: versions_before[1] + 1, 2: versions_before[2] + 1,
                              3: versions_before[3]}, "changed segments get a new version, others keep theirs"
    stored = {s.position: s.text for s in article.document.segments.all()}
    assert stored == texts_by_position(body["segments"])

    newest = client.get(f"/api/v1/articles/{article.pk}/history/").json()["results"][0]
    assert (newest["comment"], newest["user"], newest["state"]) == (f"Reverted to revision {first}", "layla",
                                                                    "translation")
    # The revert is itself a revision showing the restored text, and nothing differs from the target.
    assert texts_by_position(
        client.get(f"/api/v1/articles/{article.pk}/history/{newest['id']}/").json()["segments"]
    ) == texts_by_position(body["segments"])
    diff = client.get(f"/api/v1/articles/{article.pk}/diff/?from={first}&to=current").json()
    assert not any(row["changed"] for row in diff["segments"])
    # Someone still holding the old version is refused, not silently overwritten.
    segment = segment_at(article, 1)
    stale = client.patch(f"/api/v1/articles/{article.pk}/segments/{segment.pk}/",
                         {"text": "From a stale tab", "version": versions_before[1]}, format="json")
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "stale_version"


def test_revert_restores_standfirst_and_keywords(make_article, editor, api):
    article = make_article(State.EDITING)
    client = api(editor)
    assert client.patch(f"/api/v1/articles/{article.pk}/", {"standfirst": "Before", "version": 1},
                        format="json").status_code == 200
    target = latest_revision(article)
    assert client.patch(f"/api/v1/articles/{article.pk}/",
                        {"standfirst": "After", "keywords": ["Jasim"], "version": 2}, format="json").status_code == 200

    body = client.post(f"/api/v1/articles/{article.pk}/history/{target}/revert/").json()

    assert (body["standfirst"], body["keywords"], body["version"]) == ("Before", ["Daraa"], 4)
    assert body["state"] == "editing"


def test_admin_may_revert(make_article, translator, admin_user, api):
    article = make_article(State.TRANSLATION)
    first = save(api(translator), article, 1, "Kept text")
    save(api(translator), article, 1, "Newer text")

    response = api(admin_user).post(f"/api/v1/articles/{article.pk}/history/{first}/revert/")

    assert response.status_code == 200, response.json()
    assert segment_at(article, 1).text == "Kept text"
    newest = ArticleRevision.objects.filter(article=article).select_related("revision__user").first()
    assert (newest.revision.comment, newest.revision.user) == (f"Reverted to revision {first}", admin_user)


def test_translator_may_not_revert(make_article, translator, api):
    article = make_article(State.TRANSLATION)
    client = api(translator)
    first = save(client, article, 1, "Kept text")
    save(client, article, 1, "Newer text")
    revisions = revision_ids(article)

    response = client.post(f"/api/v1/articles/{article.pk}/history/{first}/revert/")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert segment_at(article, 1).text == "Newer text"
    assert revision_ids(article) == revisions


@pytest.mark.parametrize("state", [State.SOURCE, State.MACHINE_DRAFT, State.SCHEDULED, State.PUBLISHED,
                                   State.ARCHIVED])
def test_revert_refused_where_the_text_is_not_editable(make_article, editor, api, state):
    article = make_article(state)
    revisions = revision_ids(article)
    texts = dict(article.document.segments.values_list("pk", "text"))

    response = api(editor).post(f"/api/v1/articles/{article.pk}/history/{revisions[0]}/revert/")

    assert response.status_code == 409, response.json()
    assert response.json()["error"]["code"] == "invalid_state"
    assert revision_ids(article) == revisions
    assert dict(article.document.segments.values_list("pk", "text")) == texts


# Storage ----------------------------------------------------------------------------------------


def version_totals() -> tuple[int, int]:
    sizes = list(Version.objects.values_list("serialized_data", flat=True))
    return len(sizes), sum(len(data) for data in sizes)


def test_a_segment_edit_stores_one_segment_not_the_article(make_article, translator, api):
    article = make_article(State.TRANSLATION, paragraphs=299)
    assert article.document.segments.count() == 300
    imported = revision_ids(article)[0]
    initial = list(Version.objects.filter(revision_id=imported).values_list("content_type", "serialized_data"))
    segment_type = ContentType.objects.get_for_model(Segment)
    assert sum(1 for content_type, _ in initial if content_type == segment_type.pk) == 300
    initial_bytes = sum(len(data) for _, data in initial)
    count_before, bytes_before = version_totals()

    client = api(translator)
    edited = [segment_at(article, p).pk for p in range(1, 300, 15)]
    assert len(edited) == 20
    edit_revisions = []
    for n, position in enumerate(range(1, 300, 15)):
        edit_revisions.append(save(client, article, position, f"Edit {n}: the paragraph at position {position}."))

    count_after, bytes_after = version_totals()
    new_versions = Version.objects.filter(revision_id__in=edit_revisions)
    one_segment = len(new_versions.order_by("pk").first().serialized_data)
    assert count_after - count_before == 20, "each edit stores exactly one version"
    assert set(new_versions.values_list("content_type", flat=True)) == {segment_type.pk}
    assert sorted(int(i) for i in new_versions.values_list("object_id", flat=True)) == sorted(edited)
    growth = bytes_after - bytes_before
    assert growth < 25 * one_segment, (growth, one_segment)
    assert growth < initial_bytes / 5, (growth, initial_bytes)  # so far below 20 articles' worth

    # And the article is still rebuilt correctly from those partial revisions.
    shown = client.get(f"/api/v1/articles/{article.pk}/history/{edit_revisions[9]}/").json()
    texts = texts_by_position(shown["segments"])
    assert len(texts) == 300
    for n, position in enumerate(range(1, 300, 15)):
        expected = f"Edit {n}: the paragraph at position {position}." if n <= 9 else None
        assert texts[position] == expected, position
    assert sum(1 for text in texts.values() if text is not None) == 10
