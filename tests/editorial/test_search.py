"""The article search's index (editorial.search): ranked matches, words marked, Arabic folded, English stemmed on
PostgreSQL, prefixes, the index made when a write commits (never from a rollback), long articles by the sweeper."""

import pytest
from django.db import transaction

from editorial import search, services
from editorial.models import SearchEntry, SearchLead, State
from tests.conftest import client_for, is_postgres, source_payload
from tests.editorial.test_desk import signed_in
from translations.normalize import normalize

pytestmark = pytest.mark.django_db


def imported(editor, title, body="خبر قصير عن المنطقة.", outlet="Horan Free League"):
    data = source_payload(1, title=title, body=body, outlet=outlet)
    return services.create_article(user=editor, keywords=["Daraa"], **data["source"])


def test_a_match_in_the_headline_ranks_first_and_the_words_are_marked(editor):
    in_body = imported(editor, "أخبار المنطقة الجنوبية", body="عاد الهدوء إلى مدينة نوى بعد يومين من التوتر.")
    in_title = imported(editor, "اتفاق تهدئة في مدينة نوى")
    search.index_stale()
    response = client_for(editor).get("/api/v1/articles/", {"q": "نوى"})
    results = response.json()["results"]
    assert [a["id"] for a in results] == [in_title.pk, in_body.pk]
    assert results[0]["found"]["rank"] > results[1]["found"]["rank"]
    assert results[0]["found"]["title"] == "اتفاق تهدئة في مدينة <mark>نوى</mark>"
    assert "<mark>نوى</mark> بعد يومين" in results[1]["found"]["snippet"]
    page = signed_in(editor).get("/desk/articles/", {"q": "نوى"}).content.decode()
    assert page.index(f"/desk/articles/{in_title.pk}/") < page.index(f"/desk/articles/{in_body.pk}/")
    assert "مدينة <mark>نوى</mark>" in page
    assert client_for(editor).get("/api/v1/articles/").json()["results"][0]["found"] is None  # no search, no marks


def test_arabic_is_folded_the_last_word_is_a_prefix_and_english_found_in_translations(editor, make_article):
    nawa = imported(editor, "اتفاق في مدينة نوى")
    translated = make_article(State.EDITING)
    segment = translated.document.segments.get(position=1)
    services.save_segment(translated.pk, segment.pk, editor, text="Roads reopened in Nawa on Tuesday.",
                          version=segment.version)
    search.index_stale()
    api = client_for(editor)

    def ids(q):
        return [a["id"] for a in api.get("/api/v1/articles/", {"q": q}).json()["results"]]

    assert ids("مدينهَ نوى") == [nawa.pk]  # a mark and ta marbuta typed otherwise
    assert ids("نو") == [nawa.pk]  # the last word as a prefix
    assert ids("reopen") == [translated.pk] and ids("NAWA tuesday") == [translated.pk]
    if is_postgres():  # the English configuration stems: "road" finds "Roads"
        assert ids("road") == [translated.pk]
    found = api.get("/api/v1/articles/", {"q": "reopened"}).json()["results"][0]["found"]
    assert found["snippet"] == "Roads <mark>reopened</mark> in Nawa on Tuesday."


@pytest.mark.parametrize("q", ['" OR *', "NEAR(a b)", "-x", "a:b", "'; DROP TABLE x; --", "***", "^", '"'])
def test_search_syntax_typed_by_hand_is_only_words(editor, q):
    imported(editor, "اتفاق في مدينة نوى")
    search.index_stale()
    response = client_for(editor).get("/api/v1/articles/", {"q": q})
    assert response.status_code == 200
    assert signed_in(editor).get("/desk/articles/", {"q": q}).status_code == 200


def test_what_a_write_commits_is_indexed_and_what_it_rolls_back_never_is(editor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        kept = imported(editor, "افتتاح جسر في دير الزور")
    assert SearchEntry.objects.get(pk=kept.pk).stale is False
    api = client_for(editor)
    assert [a["id"] for a in api.get("/api/v1/articles/", {"q": "جسر"}).json()["results"]] == [kept.pk]
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                imported(editor, "جسر آخر لم يكتمل")
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
    assert [a["id"] for a in api.get("/api/v1/articles/", {"q": "جسر"}).json()["results"]] == [kept.pk]


@pytest.mark.django_db(transaction=True)
def test_a_saved_segment_makes_the_entry_again_when_it_commits(editor, make_article):
    """Real commits, as in production: every write of the article's making is indexed as it commits."""
    article = make_article(State.EDITING)
    assert not SearchEntry.objects.filter(stale=True).exists()
    api = client_for(editor)
    assert api.get("/api/v1/articles/", {"q": "bridge"}).json()["results"] == []
    segment = article.document.segments.get(position=1)
    services.save_segment(article.pk, segment.pk, editor, text="The bridge reopened.", version=segment.version)
    assert SearchEntry.objects.get(pk=article.pk).stale is False
    assert [a["id"] for a in api.get("/api/v1/articles/", {"q": "bridge"}).json()["results"]] == [article.pk]


def test_a_long_article_is_left_to_the_sweeper(editor, settings, django_capture_on_commit_callbacks):
    settings.SEARCH_INLINE_SEGMENTS = 1
    with django_capture_on_commit_callbacks(execute=True):
        long = imported(editor, "تقرير طويل عن الكهرباء")
    assert SearchEntry.objects.get(pk=long.pk).stale is True
    api = client_for(editor)
    assert api.get("/api/v1/articles/", {"q": "الكهرباء"}).json()["results"] == []
    assert search.index_stale() == 1
    assert [a["id"] for a in api.get("/api/v1/articles/", {"q": "الكهرباء"}).json()["results"]] == [long.pk]


def test_keywords_and_the_outlet_are_found_too(editor):
    article = imported(editor, "خبر", outlet="Enab Baladi")
    search.index_stale()
    api = client_for(editor)
    assert [a["id"] for a in api.get("/api/v1/articles/", {"q": "baladi"}).json()["results"]] == [article.pk]
    assert [a["id"] for a in api.get("/api/v1/articles/", {"q": "daraa"}).json()["results"]] == [article.pk]


def test_a_word_with_an_underscore_is_found_as_its_parts(editor):
    """Both indexes split "sham_fm" into two words (PostgreSQL's parser and FTS5's tokenizer read the underscore
    as a separator); the searched words are split alike. Read as one word, PostgreSQL made it a phrase
    ('sham' <-> 'fm'), which the entries' stripped vectors, without positions, never match."""
    tagged = imported(editor, "بث مباشر على sham_fm اليوم")
    imported(editor, "بث مباشر من دمشق")
    search.index_stale()
    for q in ("sham_fm", "sham_f", "sham fm"):
        results = client_for(editor).get("/api/v1/articles/", {"q": q}).json()["results"]
        assert [a["id"] for a in results] == [tagged.pk], q
    assert search.query_words("sham_fm") == ["sham", "fm"]
    assert search.highlight("sham_fm", "sham_fm") == "<mark>sham</mark>_<mark>fm</mark>"


def test_highlight_escapes_everything_but_its_marks():
    assert search.highlight('<b onclick="x">Nawa</b> & nawa', "nawa") == \
        "&lt;b onclick=&quot;x&quot;&gt;<mark>Nawa</mark>&lt;/b&gt; &amp; <mark>nawa</mark>"


def test_a_snippet_comes_from_the_first_text_holding_a_word_folded_as_the_index_folds_it():
    texts = ["Nothing to see.", "The bridge REOPENED today.", "وصل أحمد إلى نوى"]
    assert search.snippet(texts, search.query_words("reopened")) == "The bridge <mark>REOPENED</mark> today."
    assert search.snippet(texts, search.query_words("احمد نو")) == "وصل <mark>أحمد</mark> إلى <mark>نوى</mark>"
    assert search.snippet(texts, search.query_words("ahmad")) == ""


def test_the_snippet_finds_the_source_segment_from_the_folded_text_without_folding_those_before():
    title = "عنوان الخبر في نوى"
    sources = ["الفقرة الأولى هنا.", "ثم الثانية.", "وفي الثالثة وصلت القافلة إلى نوى.", "ونوى مرة أخرى."]
    folded = normalize("\n".join([title, *sources]))
    words = search.query_words("نوى")
    located = search._located_first(sources, title, folded, words)
    assert located == [sources[2], sources[0], sources[1], sources[3]]  # the first match's segment, then the rest
    assert search.snippet(located, words) == "وفي الثالثة وصلت القافلة إلى <mark>نوى</mark>."
    # A word the folding drops (tatweel alone) shifts the count: the segment named does not hold the word, and
    # the snippet is found in the others, in order.
    shifted = ["ـ ـ ـ ـ الأولى.", "ثم الثانية.", "القافلة في نوى.", "ونوى"]
    located = search._located_first(shifted, title, normalize("\n".join([title, *shifted])), words)
    assert located[0] == shifted[1] and search.snippet(located, words) == "القافلة في <mark>نوى</mark>."
    # Only the headline holds the word: no segment is folded to look for it.
    assert search._located_first(sources[:2], title, normalize("\n".join([title, *sources[:2]])), words) == []
    assert search._located_first(sources, title, folded, search.query_words("حلب")) == []


def test_the_index_command_makes_what_is_stale_or_everything(editor):
    from io import StringIO

    from django.core.management import call_command

    article = imported(editor, "اتفاق في مدينة نوى")
    out = StringIO()
    call_command("index_search", stdout=out)
    assert out.getvalue().strip() == "Indexed 1 article for search."
    call_command("index_search", stdout=out)
    assert out.getvalue().strip().endswith("Indexed 0 articles for search.")
    call_command("index_search", "--all", stdout=out)
    assert out.getvalue().strip().endswith("Indexed 1 article for search.")
    assert [a["id"] for a in client_for(editor).get("/api/v1/articles/", {"q": "نوى"}).json()["results"]] == [
        article.pk]


def test_the_api_filters_by_outlet_keyword_and_date_and_sorts(editor):
    from datetime import timedelta

    from django.utils import timezone

    from editorial.models import Article

    enab = imported(editor, "خبر من إدلب", outlet="Enab Baladi")
    horan = imported(editor, "خبر من درعا")
    Article.objects.filter(pk=horan.pk).update(created_at=timezone.now() - timedelta(days=40))
    search.index_stale()
    api = client_for(editor)

    def ids(**params):
        response = api.get("/api/v1/articles/", params)
        assert response.status_code == 200, response.content
        return [a["id"] for a in response.json()["results"]]

    assert ids(outlet="enab") == [enab.pk]
    assert ids(keyword="daraa", sort="oldest") == [horan.pk, enab.pk]
    since = (timezone.now() - timedelta(days=1)).date().isoformat()
    assert ids(since=since) == [enab.pk] and ids(until=since) == [horan.pk]
    assert ids(q="خبر", outlet="horan") == [horan.pk]
    for params, field in (({"since": "yesterday"}, "since"), ({"until": "2026-02-30"}, "until"),
                          ({"until": ""}, "until"), ({"sort": "loudest"}, "sort"), ({"sort": ""}, "sort")):
        refused = api.get("/api/v1/articles/", params)
        assert refused.status_code == 400 and field in refused.json()["error"]["details"], refused.content


def test_only_the_newest_matches_are_ranked_and_the_desk_says_so(editor, settings):
    from datetime import timedelta

    from django.utils import timezone

    from editorial.models import Article

    settings.SEARCH_RANK_WINDOW = 2
    oldest, middle, newest = (imported(editor, f"جسر في دير الزور {n}") for n in range(3))
    for age, article in ((3, oldest), (2, middle), (1, newest)):
        Article.objects.filter(pk=article.pk).update(created_at=timezone.now() - timedelta(days=age))
    search.index_stale()
    found = [a["id"] for a in client_for(editor).get("/api/v1/articles/", {"q": "جسر"}).json()["results"]]
    assert sorted(found) == sorted([middle.pk, newest.pk])
    page = signed_in(editor).get("/desk/articles/", {"q": "جسر"}).content.decode()
    assert "The 2 newest matches, best first (narrow the search to reach older ones)" in page
    assert [a["id"] for a in client_for(editor).get(
        "/api/v1/articles/", {"q": "جسر", "until": (timezone.now() - timedelta(days=3)).date().isoformat()}
    ).json()["results"]] == [oldest.pk]


def test_rare_and_common_words_find_the_newest_matches_ranked_whichever_way_they_are_looked_up(editor, settings,
                                                                                                monkeypatch):
    """On PostgreSQL words estimated to match at most FEW_MATCHES entries are taken from the GIN index, commoner
    ones found walking the articles newest first; either way the newest SEARCH_RANK_WINDOW matches come back ranked
    (a match in the headline first), in the same number of queries."""
    from datetime import timedelta

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from editorial.models import Article

    settings.SEARCH_RANK_WINDOW = 2
    monkeypatch.setattr(search, "FEW_MATCHES", 10)
    # In each group headline matches too old for the window, a newer headline match and, newest, a match in the
    # text only; made in another order than their dates, so that only sorting by date finds the window. "جسر" is in
    # 21 articles of 25 (more than FEW_MATCHES), "قافلة" in four, "دير" and "جسر" together in five.
    made = {}
    for n in range(16):
        old = imported(editor, f"جسر قديم {n}")
        Article.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=30 + n))
    for name, title, body, age in (
            ("common, newest", "أخبار الشرق", "افتتاح جسر جديد فوق النهر في دير الزور.", 1),
            ("common, old", "جسر في دير الزور", None, 9), ("common", "جسر في دير الزور اليوم", None, 2),
            ("common, older", "جسر آخر في دير الزور", None, 8), ("common, oldest", "جسر دير الزور", None, 10),
            ("rare, old", "قافلة إلى نوى", None, 6), ("rare", "قافلة مساعدات إلى نوى", None, 3),
            ("rare, older", "قافلة أخرى إلى نوى", None, 7),
            ("rare, newest", "أخبار الجنوب", "وصلت قافلة إلى مدينة نوى.", 0)):
        made[name] = imported(editor, title, **({"body": body} if body else {})).pk
        Article.objects.filter(pk=made[name]).update(created_at=timezone.now() - timedelta(days=age))
    search.index_stale()
    if is_postgres():  # the statistics the estimate reads, as autovacuum keeps them
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE editorial_searchentry")
    api, desk = client_for(editor), signed_in(editor)

    def ids(q):
        with CaptureQueriesContext(connection) as queries:
            found = [a["id"] for a in api.get("/api/v1/articles/", {"q": q}).json()["results"]]
        sql = [query["sql"] for query in queries.captured_queries]
        # The window's planner settings (search.WALKING, FROM_THE_INDEX), then the ranks' (one setting each)
        ways = {way for way, setting in (("walked", "enable_seqscan = off; SET LOCAL enable_bitmapscan = off"),
                                         ("index", "enable_seqscan = off; SET LOCAL enable_indexscan = off"))
                if any(setting in statement for statement in sql)}
        ranked_by = {way for way, setting in (("ids", "SET LOCAL enable_bitmapscan = off"),
                                              ("leads' index", "SET LOCAL enable_indexscan = off")) if setting in sql}
        return found, ways, ranked_by, [statement for statement in sql if statement.startswith(
            'SELECT "editorial_article"') and statement.endswith(" LIMIT 2")]

    for q, expected, walked, ranked_by in (("جسر", [made["common"], made["common, newest"]], True, "ids"),
                                           ("دير جس", [made["common"], made["common, newest"]], False, "ids"),
                                           ("قافلة", [made["rare"], made["rare, newest"]], False, "leads' index"),
                                           ("قافلة نو", [made["rare"], made["rare, newest"]], False, "ids")):
        found, ways, ranks_read, articles_read = ids(q)
        assert found == expected, q
        if is_postgres():  # the window is found walking the entries newest first (testing their words), or for
            # a word of few matches taken from the GIN index; with no filter, never from the articles' rows. Its
            # leads are found by their own index for one word of few matches only (several words' any-word
            # query may hold a common word's leads), else read by the window's ids.
            assert ways == {"walked" if walked else "index"} and not articles_read, (q, ways, articles_read)
            assert ranks_read == {ranked_by}, (q, ranks_read)
    # The same matches dated the other way round: the window follows the dates, whatever order the index keeps
    # (the entries copy the import date, which only a test changes, when they are made).
    for name, age in (("rare, old", 0), ("rare, older", 1), ("rare", 6), ("rare, newest", 7)):
        Article.objects.filter(pk=made[name]).update(created_at=timezone.now() - timedelta(days=age))
    search.index(made.values())
    assert ids("قافلة")[0] == [made["rare, old"], made["rare, older"]]
    # Filters that leave fewer than a window among the newest matches: the window is found among all of them.
    assert [a["id"] for a in api.get("/api/v1/articles/", {"q": "جسر", "outlet": "Enab"}).json()["results"]] == []
    for name in ("common, older", "common, oldest"):
        Article.objects.filter(pk=made[name]).update(source_outlet="Enab Baladi")
    monkeypatch.setattr(search, "FEW_MATCHES", 1000)  # "جسر" from the index too: its newest four are Horan's
    assert [a["id"] for a in api.get("/api/v1/articles/", {"q": "جسر", "outlet": "Enab", "sort": "newest"}).json()[
        "results"]] == [made["common, older"], made["common, oldest"]]
    monkeypatch.setattr(search, "FEW_MATCHES", 10)
    desk.get("/desk/articles/")  # the session's first request notes when it was seen (accounts.sessions): not counted
    counts = {q: _queries(desk, f"/desk/articles/?q={q}") for q in ("جسر", "قافلة", "")}
    # Where the list counts its articles and reads a page of ids, a search finds its window, then its ranks, and
    # reads the snippets' segments and folded texts. On PostgreSQL the matches are estimated first, and the
    # window (walked or from the index) and the ranks each read with the planner's settings for them, in a
    # transaction of their own (here a savepoint, the settings, the query, the settings' reset, the release).
    assert counts["جسر"] == counts["قافلة"] == counts[""] + (11 if is_postgres() else 2), counts
    if is_postgres():
        with connection.cursor() as cursor:
            cursor.execute("SHOW enable_seqscan; SHOW enable_indexscan; SHOW enable_bitmapscan")
            settings_now = [cursor.fetchone()[0]]
            while cursor.nextset():
                settings_now.append(cursor.fetchone()[0])
        assert settings_now == ["on", "on", "on"]  # the settings did not outlive the search's own query


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


def _deep_body(word: str) -> str:
    """A body whose only `word` comes after search.LEAD_WORDS other words."""
    filler = " ".join(f"قالت مصادر{n} إن الأوضاع هادئة." for n in range(300))  # words enough for kilobytes
    return f"{filler} وأضافت أن {word} استقبلت عائلات جديدة."


def test_headline_then_lead_then_the_rest_newest_first(editor):
    """Ranking reads the headline, the lead and the keywords (the compact vector on PostgreSQL): a match only
    further down is found all the same, after them; among those, the newest first."""
    from datetime import timedelta

    from django.utils import timezone

    from editorial.models import Article

    deep_old = imported(editor, "أخبار الشمال", body=_deep_body("سرمدا"))
    in_lead = imported(editor, "أخبار المخيمات", body="وصلت إلى سرمدا قافلة مساعدات إنسانية.")
    deep_new = imported(editor, "أخبار الريف", body=_deep_body("سرمدا"))
    in_title = imported(editor, "سرمدا تستقبل النازحين")
    for age, article in ((4, deep_old), (3, in_title), (2, in_lead), (1, deep_new)):
        Article.objects.filter(pk=article.pk).update(created_at=timezone.now() - timedelta(days=age))
    search.index_stale()
    results = client_for(editor).get("/api/v1/articles/", {"q": "سرمدا"}).json()["results"]
    found = [a["id"] for a in results]
    assert found[0] == in_title.pk and set(found) == {in_title.pk, in_lead.pk, deep_new.pk, deep_old.pk}
    if is_postgres():  # bm25 (SQLite) weighs how often and in which column, not where in the text
        assert found == [in_title.pk, in_lead.pk, deep_new.pk, deep_old.pk]
        entry = SearchEntry.objects.get(pk=deep_new.pk)
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_column_size(e.vector), pg_column_size(l.vector) FROM editorial_searchentry e "
                           "JOIN editorial_searchlead l USING (article_id) WHERE article_id = %s", [entry.pk])
            whole, compact = cursor.fetchone()
            cursor.execute("SELECT vector = strip(vector) FROM editorial_searchentry WHERE article_id = %s",
                           [entry.pk])
            stripped = cursor.fetchone()[0]
        assert compact < 1000 < whole  # in the row, where ranking 1,000 matches reads it without detoasting
        assert stripped  # the whole vector: its words only, half the size with their positions


@pytest.mark.postgres  # SQLite ranks with FTS5 and has no compact vector
def test_an_entry_indexed_before_the_compact_vector_is_ranked_by_its_whole_one(editor):
    """Migration 0025 marks the old entries stale; migration 0028 gives those without a lead their whole vector as
    one, which holds no weights (it is stripped: a match in its headline counts as one anywhere else), until the
    sweeper makes their lead, where the headline ranks first."""
    import importlib

    from django.db import connection

    old = imported(editor, "جسر في دير الزور")
    new = imported(editor, "أخبار الشرق", body="افتتاح جسر جديد في المدينة.")
    half_made = imported(editor, "جسر على العاصي")  # a lead row without its vector yet
    search.index_stale()
    SearchLead.objects.filter(pk=old.pk).delete()
    SearchLead.objects.filter(pk=half_made.pk).update(vector=None)
    migration = importlib.import_module("editorial.migrations.0028_search_leads_indexed")
    with connection.schema_editor() as schema_editor:
        migration.lead_for_every_entry(None, schema_editor)
    # Both have a lead now, their whole vector, and are left to the sweeper to make their own; the others are not
    assert set(SearchEntry.objects.filter(stale=True).values_list("pk", flat=True)) == {old.pk, half_made.pk}
    for pk in (old.pk, half_made.pk):
        assert SearchLead.objects.get(pk=pk).vector == SearchEntry.objects.get(pk=pk).vector

    def ranks():
        results = client_for(editor).get("/api/v1/articles/", {"q": "جسر"}).json()["results"]
        return {a["id"]: a["found"]["rank"] for a in results}

    before = ranks()
    assert set(before) == {old.pk, new.pk, half_made.pk} and 0 < before[old.pk] < before[new.pk]
    search.index_stale()
    assert SearchLead.objects.get(pk=old.pk).vector != SearchEntry.objects.get(pk=old.pk).vector
    after = ranks()
    assert after[old.pk] > after[new.pk] and after[half_made.pk] > after[new.pk]


@pytest.mark.postgres  # SQLite ranks with FTS5
def test_only_the_leads_holding_a_searched_word_are_ranked_and_as_ts_rank_ranks_them(editor):
    """Ranks are read for the matches whose lead holds any searched word, found by the leads' GIN index for a word
    of few matches or read by their ids for a common one, alike either way; the others rank 0 unread. Each rank is
    ts_rank's over the lead, for a query of several words and English stems too."""
    from django.contrib.postgres.search import SearchQuery
    from django.db import connection

    made = [imported(editor, title, body=body).pk for title, body in (
        ("جسر في دير الزور", "افتتاح جسر جديد."), ("أخبار الشرق", _deep_body("جسر")),
        ("Bridge reopened in Deir ez-Zor", "The bridges reopen today."), ("أخبار الشمال", "لا شيء هنا."))]
    search.index_stale()
    for query, holding in (
            (SearchQuery("جسر:*", config="simple", search_type="raw"), {made[0]}),
            (SearchQuery("جسر & دير:*", config="simple", search_type="raw"), {made[0]}),
            (SearchQuery("bridg:*", config="simple", search_type="raw")
             | SearchQuery("bridges reopening", config="english", search_type="plain"), {made[2]}),
            # a lead holding one word of two: ranked (above 0) for the English words' `|`, unlike `&` alone
            (SearchQuery("bridges & news:*", config="simple", search_type="raw")
             | SearchQuery("bridges news", config="english", search_type="plain"), {made[2]}),
            # ... and for `&` alone ts_rank's 1e-20, as for a lead holding neither word: both rank 0
            (SearchQuery("جسر & نهر:*", config="simple", search_type="raw"), set())):
        ways = [search._ranks_postgresql(query, few=few)(made) for few in (True, False)]
        assert ways[0] == ways[1] and set(ways[0]) == holding, ways
        with connection.cursor() as cursor:
            cursor.execute("SELECT article_id, ts_rank(vector, %s::tsquery) FROM editorial_searchlead WHERE "
                           "article_id = ANY(%s)", [_tsquery_text(query), made])
            every = dict(cursor.fetchall())
        assert {pk: rank for pk, rank in every.items() if rank > 1e-20} == ways[0]
    # The leads' own index is there for the first way (PostgreSQL reads a GIN index through bitmaps only; on four
    # rows it would rather read the window's ids, so here only the words are asked for).
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN SELECT article_id FROM editorial_searchlead WHERE vector @@ %s::tsquery",
                       [_tsquery_text(SearchQuery("جسر:*", config="simple", search_type="raw"))])
        assert "editorial_searchlead_vector_gin" in " ".join(row[0] for row in cursor.fetchall())


def _tsquery_text(query) -> str:
    from django.db import connection

    compiler = SearchLead.objects.all().query.get_compiler(connection=connection)
    sql, params = compiler.compile(query.resolve_expression(compiler.query))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT ({sql})::text", params)
        return cursor.fetchone()[0]


def test_pages_of_matches_follow_one_order_and_are_counted_without_reading_them_twice(editor, settings):
    """Paging reads the window (search.Results): the count is its length, each page its own slice of one order,
    whatever the sort; a page past the end is refused as for any list."""
    from datetime import timedelta

    from django.utils import timezone

    from editorial.models import Article

    settings.SEARCH_RANK_WINDOW = 40
    made = []
    for n in range(31):
        article = imported(editor, f"قافلة رقم {n}" if n % 3 == 0 else f"أخبار اليوم {n}",
                           body="وصلت قافلة إلى المدينة." if n % 3 else "خبر قصير عن المنطقة.")
        Article.objects.filter(pk=article.pk).update(created_at=timezone.now() - timedelta(hours=n))
        made.append(article.pk)
    imported(editor, "أخبار بلا ذكر", body="لا شيء هنا.")
    for n, pk in enumerate(made[::4]):  # some deadlines, two alike, the rest none
        Article.objects.filter(pk=pk).update(deadline=timezone.now() + timedelta(days=n // 2))
    search.index_stale()
    api = client_for(editor)

    def listed(params):  # every page of the list
        return [a["id"] for n in (1, 2) for a in api.get("/api/v1/articles/", {**params, "page": n}).json()["results"]]

    # Each sort orders the matches as the database orders the whole list (the window is ordered in Python).
    for sort in ("newest", "oldest", "updated", "deadline"):
        assert listed({"q": "قافلة", "sort": sort}) == [pk for pk in listed({"sort": sort}) if pk in made], sort
    for sort, expected in (("newest", made), ("oldest", made[::-1]), ("", None)):
        pages = [api.get("/api/v1/articles/", {"q": "قافلة", "sort": sort, "page": n} if sort else
                         {"q": "قافلة", "page": n}).json() for n in (1, 2)]
        assert pages[0]["count"] == pages[1]["count"] == 31
        found = [a["id"] for page in pages for a in page["results"]]
        assert len(pages[0]["results"]) == 25 and len(found) == 31 and set(found) == set(made)
        if expected:
            assert found == expected, sort
        else:  # relevance: the headline matches (every third, newest first), then the rest, newest first
            titled = [pk for n, pk in enumerate(made) if n % 3 == 0]
            assert found == titled + [pk for pk in made if pk not in titled]
            ranks = [a["found"]["rank"] for page in pages for a in page["results"]]
            assert ranks == sorted(ranks, reverse=True)
    assert api.get("/api/v1/articles/", {"q": "قافلة", "page": 3}).status_code == 404
    desk = signed_in(editor).get("/desk/articles/", {"q": "قافلة", "page": 2}).content.decode()
    assert "31 articles, page 2 of 2" in desk and desk.count('class="card"') >= 6


def test_a_page_leaves_out_an_article_deleted_since_its_window_was_read(editor):
    from editorial.models import Article

    kept, gone = imported(editor, "خبر باق"), imported(editor, "خبر محذوف")
    window = [{"pk": a.pk, "id": a.pk, "created_at": a.created_at} for a in (kept, gone)]
    results = search.Results(Article.objects.all(), window, lambda ids: {}, ("-created_at", "-id"))
    Article.objects.filter(pk=gone.pk).delete()
    assert results.count() == 2 and [a.pk for a in results[0:25]] == [kept.pk]
