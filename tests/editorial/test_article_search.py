"""The desk's article search: Arabic folded, translations, filters, sort and pages, within the reading rules."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from editorial import search, services
from editorial.models import Article, State
from tests.conftest import create_article, source_payload
from tests.editorial.test_desk import _count_queries, signed_in

pytestmark = pytest.mark.django_db


def found(client, **params) -> list[int]:
    # The test's transaction never commits, so what a commit would index at once is indexed here.
    search.index_stale(limit=10_000)
    response = client.get("/desk/articles/", params)
    assert response.status_code == 200, response.content[:300]
    return [int(pk) for pk in re.findall(r'class="card-link" href="/desk/articles/(\d+)/"', response.content.decode())]


def imported(editor, title, outlet="Horan Free League", keywords=("Daraa",)):
    data = source_payload(1, title=title, outlet=outlet)
    return services.create_article(user=editor, keywords=list(keywords), **data["source"])


def test_arabic_is_searched_folded_and_english_in_the_translations(editor, translator, make_article):
    nawa = imported(editor, "اتفاق في مدينة نوى")
    homs = imported(editor, "أخبار من حمص")
    client = signed_in(editor)
    # Marks, hamza and ta marbuta as typed differently from the source.
    assert found(client, q="مدينهَ نوى") == [nawa.pk]
    assert found(client, q="اخبار") == [homs.pk]
    translated = make_article(State.EDITING)
    segment = translated.document.segments.get(position=1)
    services.save_segment(translated.pk, segment.pk, editor, text="Roads reopened in Nawa.", version=segment.version)
    assert found(client, q="nawa") == [translated.pk]


def test_filters_sort_and_pages(editor, translator, make_article):
    client = signed_in(editor)
    mine = make_article(State.TRANSLATION)
    other_outlet = imported(editor, "خبر", outlet="Enab Baladi", keywords=["Idlib"])
    assert found(client, state="translation") == [mine.pk]
    assert found(client, assignee="sami") == [mine.pk]
    assert found(signed_in(translator), assignee="me") == [mine.pk]
    assert found(client, outlet="enab") == [other_outlet.pk]
    assert found(client, keyword="idlib") == [other_outlet.pk]
    old = imported(editor, "قديم")
    Article.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    since = (timezone.now() - timedelta(days=1)).date().isoformat()
    assert old.pk not in found(client, since=since) and old.pk in found(client, until=since)
    assert found(client, sort="oldest")[0] == old.pk
    Article.objects.filter(pk=other_outlet.pk).update(deadline=timezone.now() + timedelta(hours=1))
    assert found(client, sort="deadline")[0] == other_outlet.pk

    for i in range(24):
        imported(editor, f"خبر رقم {i}")
    first, second = found(client), found(client, page=2)
    assert len(first) == 25 and len(second) == Article.objects.count() - 25 and not set(first) & set(second)
    assert client.get("/desk/articles/", {"since": "not a date"}).status_code == 400


def test_a_translator_finds_only_what_they_may_read(editor, translator, make_article):
    undrafted = imported(editor, "مصدر لم يرسل")
    drafted = make_article(State.MACHINE_DRAFT)
    assert found(signed_in(translator)) == [drafted.pk]
    assert undrafted.pk in found(signed_in(editor))


def test_the_search_costs_the_same_queries_whatever_the_number_of_articles(editor, django_assert_num_queries):
    client = signed_in(editor)
    for _ in range(3):
        create_article(editor, paragraphs=1)
    client.get("/desk/articles/")
    small = _count_queries(client, "/desk/articles/?q=جاسم", django_assert_num_queries)
    for _ in range(30):
        create_article(editor, paragraphs=1)
    with django_assert_num_queries(small):
        client.get("/desk/articles/?q=جاسم")


def test_cards_give_the_sources_word_count(editor):
    article = imported(editor, "خبر قصير")
    words = len(" ".join(s.source_text for s in article.document.segments.all()).split())
    assert f"Horan Free League · {words} words" in signed_in(editor).get("/desk/").content.decode()
    assert f"Horan Free League · {words} words" in signed_in(editor).get("/desk/articles/").content.decode()
