"""Query counts: reading an article, the list, the history and a diff cost the same whatever their size.

Each test measures the queries of a request at a small size, then requires exactly
that number at a large size. Every request is made once before it is measured, so
one-time work (the publication row, the content-type cache) is not counted.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from editorial import search, services, workflow
from editorial.models import Article, ArticleRevision, State
from tests.conftest import article_in, create_article

pytestmark = pytest.mark.django_db


def measure(client, url: str) -> int:
    """The number of queries one GET of `url` makes (after a warm-up request)."""
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return len(context.captured_queries)


def assert_queries(django_assert_num_queries, client, url: str, expected: int):
    assert client.get(url).status_code == 200
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return response.json()


def editing_article(editor, translator, paragraphs: int) -> Article:
    """An article in editing: every segment translated, a few touched by the editor too."""
    article = article_in(State.EDITING, editor=editor, translator=translator, paragraphs=paragraphs)
    for segment in article.document.segments.filter(position__in=[1, 2]):
        services.save_segment(article.pk, segment.pk, editor, text=f"Edited by the editor {segment.position}",
                              version=segment.version)
    services.update_details(article.pk, editor, version=article.version, standfirst="A standfirst",
                            keywords=["Daraa", "Jasim", "Ceasefire"])
    return Article.objects.get(pk=article.pk)


def revisions_of(article: Article) -> list[int]:
    return list(ArticleRevision.objects.filter(article=article).order_by("revision_id").values_list(
        "revision_id", flat=True))


ENDPOINTS = {
    "detail": lambda article: f"/api/v1/articles/{article.pk}/",
    "history": lambda article: f"/api/v1/articles/{article.pk}/history/",
    "revision": lambda article: f"/api/v1/articles/{article.pk}/history/{revisions_of(article)[-3]}/",
    "diff_to_current": lambda article: f"/api/v1/articles/{article.pk}/diff/?from={revisions_of(article)[0]}",
    "diff_between_revisions": lambda article: (
        f"/api/v1/articles/{article.pk}/diff/?from={revisions_of(article)[0]}&to={revisions_of(article)[-2]}"
    ),
}


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_article_reads_do_not_grow_with_segments(django_assert_num_queries, editor, translator, api, endpoint):
    small = editing_article(editor, translator, paragraphs=9)
    large = editing_article(editor, translator, paragraphs=299)
    assert (small.document.segments.count(), large.document.segments.count()) == (10, 300)
    url = ENDPOINTS[endpoint]

    for user in (editor, translator):
        client = api(user)
        expected = measure(client, url(small))
        body = assert_queries(django_assert_num_queries, client, url(large), expected)
        if endpoint == "history":
            assert body["count"] == len(revisions_of(large)) > 300
        else:
            assert len(body["segments"]) == 300


# The article list -------------------------------------------------------------------------------

# Each "kind" of article the list must show without extra queries: its state, and who it is assigned to.
KINDS = ["source_drafting", "machine_draft", "translation_sami", "translation_rana", "editing", "scheduled",
         "published", "archived", "source"]


def build(kind: str, *, editor, translator, other_translator) -> Article:
    if kind == "source_drafting":  # a draft job still queued: the list shows no "draft" action
        article = create_article(editor, paragraphs=1)
        workflow.apply(article.pk, editor, "draft")
        return article
    if kind == "translation_rana":
        article = article_in(State.MACHINE_DRAFT, editor=editor, translator=translator, paragraphs=1)
        workflow.apply(article.pk, editor, "assign", assignee=other_translator.username)
        return article
    state = kind.removesuffix("_sami")
    return article_in(state, editor=editor, translator=translator, paragraphs=1)


def add_articles(count: int, kinds: list[str], **users) -> None:
    for i in range(count):
        build(kinds[i % len(kinds)], **users)


# Every URL returns some articles at both sizes (an empty page would skip the prefetch queries).
LIST_URLS = {
    "editor": ["/api/v1/articles/", "/api/v1/articles/?assignee=sami", "/api/v1/articles/?state=translation",
               "/api/v1/articles/?q=Horan"],
    "translator": ["/api/v1/articles/", "/api/v1/articles/?assignee=me", "/api/v1/articles/?state=editing"],
}


def test_article_list_does_not_grow_with_articles(django_assert_num_queries, editor, translator, other_translator,
                                                  api):
    users = {"editor": editor, "translator": translator, "other_translator": other_translator}
    # Small: 5 articles in different states, some assigned.
    add_articles(5, ["source_drafting", "translation_rana", "translation_sami", "editing", "published"], **users)
    assert Article.objects.count() == 5
    clients = {"editor": api(editor), "translator": api(translator)}
    search.index_stale(limit=10_000)  # what the commits would have indexed (the test's transaction never commits)
    expected = {(who, url): measure(clients[who], url) for who, urls in LIST_URLS.items() for url in urls}

    # Large: 500 articles; the newest page holds every state and several assignees.
    for _ in range(470):
        create_article(editor, paragraphs=1)
    add_articles(25, KINDS, **users)
    assert Article.objects.count() == 500
    search.index_stale(limit=10_000)
    assert Article.objects.filter(assignee=translator).count() >= 5
    assert Article.objects.filter(assignee=other_translator).count() >= 2

    for (who, url), count in expected.items():
        body = assert_queries(django_assert_num_queries, clients[who], url, count)
        assert body["results"], (who, url)
        if url == "/api/v1/articles/" and who == "editor":
            assert body["count"] == 500
            assert len(body["results"]) == 25
            assert {a["state"] for a in body["results"]} == set(State)
            assert {a["assignee"] for a in body["results"]} >= {"sami", "rana", None}
        elif url == "/api/v1/articles/":  # translators read neither sources nor archived articles
            assert body["count"] == Article.objects.exclude(state__in=[State.SOURCE, State.ARCHIVED]).count()
            assert {a["state"] for a in body["results"]} == set(State) - {State.SOURCE, State.ARCHIVED}
            assert {a["assignee"] for a in body["results"]} >= {"sami", "rana", None}
