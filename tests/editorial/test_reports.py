"""Post-editing reports: edit rates of published segments, their groupings, time in state, the page, CSV and API.

The newsroom below is built through the real workflow. Rana translates one article from scratch, then a
second with the same sources, drafted from the memory the first one fed; Sami post-edits a LibreTranslate
draft (a local fake server) whose first paragraph comes from the memory. Every distance is counted by hand
in the comments: words are split on spaces, so "Jasim." is one word.
"""

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from editorial import drafting, reports, services, workflow
from editorial.models import Article, PublishedVersion, State, StateChange
from tests.conftest import PASSWORD, article_in, client_for, run_memory_jobs
from tests.fakes.mt_servers import LibreTranslateServer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _french_sources(settings):
    """The post-editing figures are counted on French sources (Latin letters, so that the kept "[en] ..." drafts
    are no untranslated-text error); this desk takes French besides Arabic."""
    settings.SOURCE_LANGUAGES = ["ar", "fr"]

JASIM = ["Accord à Jasim", "La vie a repris son cours normal à Jasim.", "Les routes ont rouvert mardi matin."]
# Rana, from scratch.
M0_FINAL = ["Deal ends fighting in Jasim", "Life returned to normal in Jasim.", "Roads reopened on Tuesday morning."]
# Rana again, on the memory's drafts (M0_FINAL): kept; one word inserted (1 of 7); every word replaced (6 of 6).
M1_FINAL = ["Deal ends fighting in Jasim", "Life slowly returned to normal in Jasim.",
            "The roads opened again that day."]
DETAINEES = ["Libération de détenus", JASIM[1], "Trois détenus seront libérés sous 48 heures.",
             "Les écoles ont rouvert mercredi."]
# Sami, on LibreTranslate's "[en] ..." drafts, except the second, which the memory drafted (M1_FINAL[1]):
# kept (0 of 4); kept (0 of 7); 3 replaced and 3 deleted before "48", "heures." replaced (7 of 5);
# "[en]" deleted (1 of 5).
L_FINAL = ["[en] Libération de détenus", "Life slowly returned to normal in Jasim.", "Three freed within 48 hours.",
           "Les écoles ont rouvert mercredi."]


def signed_in(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def publish(editor, translator, sources: list[str], finals: list[str], *, send_back: bool = False) -> Article:
    """Import, draft with the configured engine, assign, type what differs from the draft, submit, publish."""
    article = services.create_article(user=editor, title=sources[0], body="\n\n".join(sources[1:]), language="fr",
                                      outlet="Horan Free League", keywords=["Daraa"])
    _, job = workflow.apply(article.pk, editor, "draft")
    drafting.run_draft(job.pk)
    workflow.apply(article.pk, editor, "assign", assignee=translator.username)
    for segment, final in zip(article.document.segments.order_by("position"), finals, strict=True):
        if segment.text != final:
            services.save_segment(article.pk, segment.pk, translator, text=final, version=segment.version)
    workflow.apply(article.pk, translator, "submit")
    if send_back:
        workflow.apply(article.pk, editor, "request_changes", comment="Check the count.")
        workflow.apply(article.pk, translator, "submit")
    workflow.apply(article.pk, editor, "publish")
    run_memory_jobs(article)
    return Article.objects.get(pk=article.pk)


def set_published(article: Article, when: datetime) -> None:
    PublishedVersion.objects.filter(article=article).update(published_at=when)
    Article.objects.filter(pk=article.pk).update(published_at=when)


def set_timeline(article: Article, start: datetime, hours: list[float]) -> None:
    """The article created at `start`, and its transitions, oldest first, `hours` after it."""
    Article.objects.filter(pk=article.pk).update(created_at=start)
    changes = list(StateChange.objects.filter(article=article).order_by("id"))
    assert len(changes) == len(hours)
    for change, offset in zip(changes, hours, strict=True):
        StateChange.objects.filter(pk=change.pk).update(created_at=start + timedelta(hours=offset))


@pytest.fixture
def libretranslate(settings):
    """Call it to draft with LibreTranslate from then on, served by a local fake."""
    server = LibreTranslateServer()

    def use():
        settings.MT_ENGINE = "libretranslate"
        settings.MT_ENGINE_SETTINGS = {**settings.MT_ENGINE_SETTINGS, "libretranslate": server.config()}

    yield use
    server.stop()


@pytest.fixture
def newsroom(editor, translator, other_translator, libretranslate):
    """M0 and M1 by Rana (memory engine), L by Sami (LibreTranslate); M0 in January, the others in February."""
    m0 = publish(editor, other_translator, JASIM, M0_FINAL)
    m1 = publish(editor, other_translator, JASIM, M1_FINAL)
    libretranslate()
    detainees = publish(editor, translator, DETAINEES, L_FINAL, send_back=True)
    engines = list(detainees.document.segments.order_by("position").values_list("engine", flat=True))
    assert engines == ["libretranslate", "memory", "libretranslate", "libretranslate"]
    set_published(m0, datetime(2025, 1, 15, 12, tzinfo=UTC))
    set_published(m1, datetime(2025, 2, 10, 12, tzinfo=UTC))
    set_published(detainees, datetime(2025, 2, 20, 12, tzinfo=UTC))
    start = datetime(2025, 1, 1, tzinfo=UTC)
    # In hours: M0 source 2, machine draft 2, translation 20, editing 1; M1 1, 2, 10, 2;
    # L 0.5, 1, translation 4 + 2 (sent back once), editing 1 + 1.
    set_timeline(m0, start, [2, 4, 24, 25])
    set_timeline(m1, start, [1, 3, 13, 15])
    set_timeline(detainees, start, [0.5, 1.5, 5.5, 6.5, 8.5, 9.5])
    return {"m0": m0, "m1": m1, "detainees": detainees}


def _by(rows, key):
    return {row[key]: row for row in rows}


@pytest.mark.parametrize(("draft", "final", "edits"), [
    ("Roads reopened on Tuesday morning.", "Roads reopened on Tuesday morning.", 0),
    ("Roads  reopened on Tuesday\nmorning.", "Roads reopened on Tuesday morning.", 0),  # spacing is not a word
    ("Roads reopened on Tuesday morning.", "Roads reopened on Monday morning.", 1),
    ("Roads reopened on Tuesday morning.", "roads reopened on Tuesday morning.", 1),  # case counts
    ("Roads reopened on Tuesday morning.", "Roads reopened on Tuesday.", 2),  # "morning." out, "Tuesday" -> "."
    ("a b c d", "d c b a", 4),
])
def test_word_edits_counts_words_inserted_deleted_or_replaced(draft, final, edits):
    assert reports.word_edits(draft, final) == edits


def test_each_published_segment_has_its_hand_counted_edit_distance(newsroom):
    segments = {(s.article_id, s.position): s for s in reports.published_segments()}
    assert len(segments) == 10
    m0, m1, detainees = newsroom["m0"].pk, newsroom["m1"].pk, newsroom["detainees"].pk
    # M0 was translated from scratch: counted apart, not as 0.
    assert [(segments[m0, p].edits, segments[m0, p].hter, segments[m0, p].engine) for p in range(3)] == [
        (None, None, None)] * 3
    assert [(segments[m1, p].edits, segments[m1, p].words) for p in range(3)] == [(0, 5), (1, 7), (6, 6)]
    assert [segments[m1, p].hter for p in range(3)] == [0, pytest.approx(1 / 7), 1.0]
    assert [(segments[detainees, p].edits, segments[detainees, p].words) for p in range(4)] == [
        (0, 4), (0, 7), (7, 5), (1, 5)]
    assert segments[detainees, 2].hter == pytest.approx(1.4)  # more edits than final words
    assert segments[detainees, 2].machine_text == "[en] Trois détenus seront libérés sous 48 heures."
    assert segments[detainees, 1].engine == "memory" and segments[detainees, 1].translator == "sami"


def test_aggregates_per_engine_translator_month_and_article(newsroom):
    report = reports.post_editing()
    assert report["segments"] == 10
    assert report["overall"] == {"articles": 3, "segments": 10, "drafted": 7, "from_scratch": 3, "kept": 3,
                                 "words": 39, "edits": 15, "hter": pytest.approx(15 / 39)}
    engines = _by(report["by_engine"], "engine")
    assert list(engines) == ["libretranslate", "memory"]
    # LibreTranslate: 0 + 7 + 1 edits over 4 + 5 + 5 words; memory: M1's 0 + 1 + 6 and L's 0 over 5 + 7 + 6 + 7.
    assert (engines["libretranslate"]["segments"], engines["libretranslate"]["kept"]) == (3, 1)
    assert engines["libretranslate"]["hter"] == pytest.approx(8 / 14)
    assert (engines["memory"]["articles"], engines["memory"]["segments"], engines["memory"]["kept"]) == (2, 4, 2)
    assert engines["memory"]["hter"] == pytest.approx(7 / 25)

    translators = _by(report["by_translator"], "translator")
    assert list(translators) == ["rana", "sami"]
    rana, sami = translators["rana"], translators["sami"]
    assert (rana["articles"], rana["segments"], rana["drafted"], rana["from_scratch"], rana["kept"]) == (2, 6, 3, 3, 1)
    assert rana["hter"] == pytest.approx(7 / 18)
    assert (sami["articles"], sami["segments"], sami["from_scratch"], sami["kept"]) == (1, 4, 0, 2)
    assert sami["hter"] == pytest.approx(8 / 21)

    months = _by(report["by_month"], "month")
    assert list(months) == ["2025-01", "2025-02"]
    assert (months["2025-01"]["articles"], months["2025-01"]["from_scratch"], months["2025-01"]["hter"]) == (
        1, 3, None)
    assert (months["2025-02"]["articles"], months["2025-02"]["segments"]) == (2, 7)
    assert months["2025-02"]["hter"] == pytest.approx(15 / 39)

    # Newest publication first.
    assert [row["article"] for row in report["by_article"]] == [
        newsroom["detainees"].pk, newsroom["m1"].pk, newsroom["m0"].pk]
    assert report["by_article"][0]["headline"] == "[en] Libération de détenus"
    assert report["by_article"][1]["hter"] == pytest.approx(7 / 18)


def test_time_in_each_state_from_the_transitions(newsroom):
    rows = _by(reports.post_editing()["time_in_state"], "state")
    assert list(rows) == ["source", "machine_draft", "translation", "editing"]
    assert all(row["articles"] == 3 for row in rows.values())
    assert (rows["translation"]["mean_hours"], rows["translation"]["median_hours"]) == (12, 10)  # 20, 10, 4 + 2
    assert (rows["editing"]["mean_hours"], rows["editing"]["median_hours"]) == (pytest.approx(5 / 3), 2)
    assert (rows["source"]["mean_hours"], rows["source"]["median_hours"]) == (pytest.approx(3.5 / 3), 1)
    assert rows["machine_draft"]["median_hours"] == 2


def test_filters_by_dates_engine_and_translator(newsroom):
    from datetime import date

    january = reports.post_editing(date_to=date(2025, 1, 31))
    assert [row["article"] for row in january["by_article"]] == [newsroom["m0"].pk]
    assert [row["state"] for row in january["time_in_state"]] == ["source", "machine_draft", "translation",
                                                                   "editing"]
    assert january["time_in_state"][2]["mean_hours"] == 20
    february = reports.post_editing(date_from=date(2025, 2, 1), date_to=date(2025, 2, 28))
    assert february["segments"] == 7
    assert reports.post_editing(date_from=date(2025, 3, 1))["segments"] == 0

    memory = reports.post_editing(engine="memory")
    assert memory["segments"] == 4 and [row["engine"] for row in memory["by_engine"]] == ["memory"]
    assert _by(memory["by_translator"], "translator")["sami"]["segments"] == 1

    sami = reports.post_editing(translator="sami")
    assert [row["article"] for row in sami["by_article"]] == [newsroom["detainees"].pk]
    assert _by(sami["time_in_state"], "state")["translation"]["mean_hours"] == 6


def test_a_correction_in_progress_counts_what_was_published_and_who_translated_it(newsroom, editor,
                                                                                   other_translator):
    detainees = newsroom["detainees"]
    workflow.apply(detainees.pk, editor, "correct")
    workflow.apply(detainees.pk, editor, "request_changes", comment="Redo the count.")
    workflow.apply(detainees.pk, editor, "assign", assignee=other_translator.username)
    segment = detainees.document.segments.get(position=2)
    services.save_segment(detainees.pk, segment.pk, other_translator, text="Three freed in 48 hours.",
                          version=segment.version)
    assert Article.objects.get(pk=detainees.pk).assignee == other_translator

    rows = [s for s in reports.published_segments() if s.article_id == detainees.pk]
    assert rows[2].final_text == "Three freed within 48 hours." and rows[2].edits == 7
    assert {s.translator for s in rows} == {"sami"}


def test_an_unpublished_article_still_counts(newsroom, editor):
    workflow.apply(newsroom["m1"].pk, editor, "unpublish", comment="Legal asked.")
    report = reports.post_editing()
    assert report["segments"] == 10 and newsroom["m1"].pk in [row["article"] for row in report["by_article"]]


def test_articles_not_yet_published_are_not_counted(make_article):
    make_article(State.EDITING)
    make_article(State.SCHEDULED)
    assert reports.post_editing()["segments"] == 0


# The desk page ----------------------------------------------------------------------------------


def test_editor_sees_tables_and_svg_charts(newsroom, editor):
    response = signed_in(editor).get("/desk/reports/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<a href="/desk/reports/" aria-current="page">Reports</a>' in html
    charts = re.findall(r'<svg role="img" aria-labelledby="(chart-\w+-title) chart-\w+-desc"', html)
    assert charts == ["chart-engine-title", "chart-translator-title", "chart-month-title"]
    assert '<title id="chart-engine-title">Edit rate per engine</title>' in html
    assert re.search(r'<desc id="chart-engine-desc">libretranslate: 0\.57; memory: 0\.28</desc>', html)
    assert html.count("<rect ") == 2 + 2 + 1  # January has no machine draft, so no rate
    # The strict Content-Security-Policy allows neither inline styles nor inline scripts.
    assert "style=" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    table = html.split('data-table="translator"')[1].split("</table>")[0]
    assert re.search(r'>sami</a></th><td>1</td><td>4</td><td>4</td><td>2</td><td>0</td><td>0\.38</td>', table)
    assert f'href="/desk/articles/{newsroom["m0"].pk}/"' in html
    assert "Translation</th><td>3</td><td>10.0</td><td>12.0</td>" in html


def test_the_page_filters_and_says_when_nothing_matches(newsroom, editor):
    client = signed_in(editor)
    html = client.get("/desk/reports/?translator=sami&engine=libretranslate").content.decode()
    assert re.search(r'<desc id="chart-engine-desc">libretranslate: 0\.57</desc>', html)
    assert 'href="/desk/reports/post-editing.csv?translator=sami&amp;engine=libretranslate"' in html
    empty = client.get("/desk/reports/?from=2030-01-01").content.decode()
    assert "No published article matches these filters." in empty
    refused = client.get("/desk/reports/?from=2025-03-01&to=2025-01-01")
    assert refused.status_code == 400 and "The first day comes after the last one." in refused.content.decode()
    assert client.get("/desk/reports/?from=yesterday").status_code == 400


def test_translators_are_refused_the_reports(newsroom, translator):
    client = signed_in(translator)
    assert client.get("/desk/reports/").status_code == 404
    assert client.get("/desk/reports/post-editing.csv").status_code == 404
    assert "/desk/reports/" not in client.get("/desk/").content.decode()


def test_csv_has_one_row_per_published_segment(newsroom, admin_user):
    response = signed_in(admin_user).get("/desk/reports/post-editing.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="post-editing.csv"' in response["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(response.content.decode())))
    assert lines[0] == ["article_id", "position", "engine", "translator", "published_on", "machine_text",
                        "final_text", "edit_distance", "words", "hter"]
    rows = {(int(r["article_id"]), int(r["position"])): r for r in csv.DictReader(io.StringIO(
        response.content.decode()))}
    assert len(lines) == 11 and len(rows) == 10
    hard = rows[newsroom["detainees"].pk, 2]
    assert hard == {"article_id": str(newsroom["detainees"].pk), "position": "2", "engine": "libretranslate",
                    "translator": "sami", "published_on": "2025-02-20",
                    "machine_text": "[en] Trois détenus seront libérés sous 48 heures.",
                    "final_text": "Three freed within 48 hours.", "edit_distance": "7", "words": "5", "hter": "1.4000"}
    scratch = rows[newsroom["m0"].pk, 0]
    assert (scratch["engine"], scratch["machine_text"], scratch["edit_distance"], scratch["hter"]) == ("", "", "", "")
    assert scratch["final_text"] == "Deal ends fighting in Jasim" and scratch["translator"] == "rana"
    only_memory = signed_in(admin_user).get("/desk/reports/post-editing.csv?engine=memory").content.decode()
    assert len(list(csv.DictReader(io.StringIO(only_memory)))) == 4


# The API ----------------------------------------------------------------------------------------


def test_api_returns_the_report_as_json(newsroom, editor):
    response = client_for(editor).get("/api/v1/reports/post-editing/")
    assert response.status_code == 200
    body = response.json()
    assert {"segments", "by_engine", "by_translator", "by_month", "by_article", "time_in_state"} <= set(body)
    assert body["segments"] == 10
    assert _by(body["by_engine"], "engine")["memory"]["hter"] == pytest.approx(7 / 25)
    assert _by(body["by_translator"], "translator")["sami"]["edits"] == 8
    assert [row["month"] for row in body["by_month"]] == ["2025-01", "2025-02"]
    assert body["by_article"][0]["published_at"].startswith("2025-02-20T12:00:00")
    assert _by(body["time_in_state"], "state")["translation"]["median_hours"] == 10
    filtered = client_for(editor).get("/api/v1/reports/post-editing/", {"from": "2025-02-01", "engine": "memory",
                                                                         "translator": "rana"}).json()
    assert filtered["segments"] == 3 and [row["article"] for row in filtered["by_article"]] == [newsroom["m1"].pk]


def test_api_refuses_translators_and_bad_filters(newsroom, editor, translator):
    refused = client_for(translator).get("/api/v1/reports/post-editing/")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    assert client_for().get("/api/v1/reports/post-editing/").status_code == 401
    bad = client_for(editor).get("/api/v1/reports/post-editing/", {"from": "2025-13-01", "engine": "babel"})
    assert bad.status_code == 400 and set(bad.json()["error"]["details"]) == {"from", "engine"}
    backwards = client_for(editor).get("/api/v1/reports/post-editing/", {"from": "2025-03-01", "to": "2025-01-01"})
    assert backwards.status_code == 400 and "to" in backwards.json()["error"]["details"]


# Query counts -----------------------------------------------------------------------------------


def _count_queries(request):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert request().status_code == 200
    return len(ctx.captured_queries)


def test_page_csv_and_api_use_the_same_queries_at_3_and_30_articles(editor, translator, other_translator,
                                                                    django_assert_num_queries):
    page, api = signed_in(editor), client_for(editor)
    requests = {
        "page": lambda: page.get("/desk/reports/"),
        "csv": lambda: page.get("/desk/reports/post-editing.csv"),
        "api": lambda: api.get("/api/v1/reports/post-editing/"),
    }
    for i in range(3):
        article_in(State.PUBLISHED, editor=editor, translator=(translator, other_translator)[i % 2], paragraphs=2)
    for request in requests.values():
        request()
    counts = {name: _count_queries(request) for name, request in requests.items()}
    for i in range(27):
        article_in(State.PUBLISHED, editor=editor, translator=(translator, other_translator)[i % 2], paragraphs=2)
    assert reports.post_editing()["overall"]["articles"] == 30
    for name, request in requests.items():
        with django_assert_num_queries(counts[name]):
            request()


def test_csv_cells_cannot_run_as_spreadsheet_formulas(editor, translator, admin_user):
    article = article_in(State.EDITING, editor=editor, translator=translator)
    segment = article.document.segments.get(position=1)
    services.save_segment(article.pk, segment.pk, editor, text='=HYPERLINK("http://x.test","Jasim")',
                          version=segment.version)
    workflow.apply(article.pk, editor, "publish")
    content = signed_in(admin_user).get("/desk/reports/post-editing.csv").content.decode()
    row = next(r for r in csv.DictReader(io.StringIO(content)) if r["position"] == "1")
    assert row["final_text"] == '\'=HYPERLINK("http://x.test","Jasim")'
