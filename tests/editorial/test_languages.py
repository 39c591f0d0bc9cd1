"""A desk that takes several source languages: a Persian article goes through the whole pipeline with Persian's
checks, memory and glossary, and every page says which language and direction each text has."""

from html import escape

import pytest
from django.test import Client

from editorial import drafting, roles
from editorial.models import Article
from tests.conftest import make_user, run_job, run_memory_jobs
from tests.fakes.mt_servers import SERVERS
from tests.translations.test_languages import HEBREW, KURDISH, PERSIAN, PERSIAN_EN, TURKISH
from translations.models import GlossaryTerm

pytestmark = pytest.mark.django_db

PERSIAN_TITLE = "تورم سالانه به ۳۲٫۵ درصد رسید"
# The second paragraph as an Arabic keyboard types Persian: ي and ك for ی and ک.
PERSIAN_SECOND = "رئيس كل بانك مركزي گفت اين روند تا پايان سال ادامه خواهد داشت."
PERSIAN_SECOND_AS_WRITTEN = "رئیس کل بانک مرکزی گفت این روند تا پایان سال ادامه خواهد داشت."


@pytest.fixture
def desk(settings):
    settings.SOURCE_LANGUAGES = ["ar", "fa", "ckb", "he", "tr"]
    server = SERVERS["libretranslate"]()
    settings.MT_ENGINE = "libretranslate"
    settings.MT_ENGINE_SETTINGS = {**settings.MT_ENGINE_SETTINGS, "libretranslate": server.config()}
    yield server
    server.stop()


def _import(api, editor, language, title, body, **source):
    response = api(editor).post("/api/v1/articles/", {
        "source": {"title": title, "body": body, "language": language, "outlet": "Tasnim",
                   "url": "https://example.org/fa/1", **source},
        "target_language": "en", "keywords": ["Economy"]}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def _draft(api, editor, article_id):
    response = api(editor).post(f"/api/v1/articles/{article_id}/actions/draft/", {}, format="json")
    assert response.status_code == 202, response.json()
    run_job(drafting.run_draft, response.json()["job"]["id"])


def _save(api, user, article_id, segment, text):
    response = api(user).patch(f"/api/v1/articles/{article_id}/segments/{segment['id']}/",
                               {"text": text, "version": segment["version"]}, format="json")
    assert response.status_code == 200, response.json()
    return response.json()


def test_a_persian_article_goes_through_the_whole_pipeline_with_persians_checks(desk, api, editor, translator):
    created = _import(api, editor, "fa", PERSIAN_TITLE, f"{PERSIAN}\n\n{PERSIAN_SECOND}")
    sources = [s["source_text"] for s in created["segments"]]
    assert sources == [PERSIAN_TITLE, PERSIAN, PERSIAN_SECOND_AS_WRITTEN]  # kept with Persian's own letters
    assert created["source"]["language"] == "fa"

    _draft(api, editor, created["id"])
    assert {(r["json"]["source"], r["json"]["target"]) for r in desk.requests} == {("fa", "en")}
    assert api(editor).post(f"/api/v1/articles/{created['id']}/actions/assign/", {"assignee": translator.username},
                            format="json").status_code == 200
    segments = api(translator).get(f"/api/v1/articles/{created['id']}/").json()["segments"]

    # A number written in Persian digits with the Persian decimal mark, left out: an error.
    saved = _save(api, translator, created["id"], segments[0], "Annual inflation reaches a new high")
    assert {"code": "numbers", "severity": "error",
            "message": "32.5 in the source is missing in the translation."} in saved["issues"]
    # "8 trillion" is the source's ۸ هزار میلیارد (eight thousand billion): no issue.
    saved = _save(api, translator, created["id"], segments[1], PERSIAN_EN)
    assert saved["issues"] == []
    # Persian left in the translation is named as Persian.
    saved = _save(api, translator, created["id"], segments[2], "The governor said بانک مرکزی will go on.")
    assert {"code": "untranslated", "severity": "error",
            "message": "Persian text is left in the translation: بانک مرکزی."} in saved["issues"]
    refused = api(translator).post(f"/api/v1/articles/{created['id']}/actions/submit/", {}, format="json")
    assert refused.status_code == 409

    _save(api, translator, created["id"], saved, "The head of the Central Bank said the trend would continue "
                                                  "until the end of the year.")
    fixed = api(translator).get(f"/api/v1/articles/{created['id']}/").json()["segments"][0]
    _save(api, translator, created["id"], fixed, "Annual inflation reaches 32.5 percent")
    assert api(translator).post(f"/api/v1/articles/{created['id']}/actions/submit/", {},
                                format="json").status_code == 200
    published = api(editor).post(f"/api/v1/articles/{created['id']}/actions/publish/", {}, format="json")
    assert published.status_code == 200, published.json()

    article = Article.objects.get(pk=created["id"])
    page = Client().get(f"/articles/{article.slug}/").content.decode()
    assert "(<a href=\"https://example.org/fa/1\" rel=\"noopener noreferrer\" hreflang=\"fa\">original, Persian</a>)" \
        in page
    assert Client().get(f"/api/v1/published/{article.slug}/").json()["source"]["language"] == "fa"
    workspace = _workspace(editor, article)
    assert f'lang="fa" dir="rtl">{PERSIAN}' in workspace

    # Published, the Persian memory answers a Persian source typed on an Arabic keyboard, not an Arabic one.
    run_memory_jobs(article)
    again = _import(api, editor, "fa", "تورم", PERSIAN_SECOND, url="https://example.org/fa/2")
    _draft(api, editor, again["id"])
    drafted = api(editor).get(f"/api/v1/articles/{again['id']}/").json()["segments"][1]
    assert (drafted["origin"], drafted["machine_text"]) == (
        "memory", "The head of the Central Bank said the trend would continue until the end of the year.")
    arabic = _import(api, editor, "ar", "عنوان", PERSIAN_SECOND, url="https://example.org/ar/3")
    _draft(api, editor, arabic["id"])
    assert api(editor).get(f"/api/v1/articles/{arabic['id']}/").json()["segments"][1]["origin"] == "machine"


def _workspace(user, article):
    client = Client()
    client.force_login(user)
    response = client.get(f"/desk/articles/{article.pk}/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("language, text, direction", [("he", HEBREW, "rtl"), ("tr", TURKISH, "ltr"),
                                                       ("ckb", KURDISH, "rtl")])
def test_each_languages_source_is_shown_with_its_lang_and_direction(desk, api, editor, language, text, direction):
    created = _import(api, editor, language, text.split(",")[0], text)
    html = _workspace(editor, Article.objects.get(pk=created["id"]))
    assert f'<div class="source" lang="{language}" dir="{direction}">{escape(text)}</div>' in html
    listing = Client()
    listing.force_login(editor)
    incoming = listing.get("/desk/incoming/").content.decode()
    assert f'lang="{language}" dir="{direction}"' in incoming


def test_an_article_in_a_language_the_desk_does_not_take_is_refused_with_the_list(api, editor, settings):
    settings.SOURCE_LANGUAGES = ["ar"]
    response = api(editor).post("/api/v1/articles/", {"source": {
        "title": "عنوان", "body": PERSIAN, "language": "fa", "outlet": "Tasnim"}}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["details"]["source"]["language"] == [
        "'fa' is not a source language of this desk; it translates from ar (Arabic) (SOURCE_LANGUAGES)."]
    # The desk's form offers only the languages it takes, and refuses another.
    client = Client()
    client.force_login(editor)
    form = client.get("/desk/new/").content.decode()
    assert '<option value="ar" selected>Arabic</option>' in form and 'value="fa"' not in form
    posted = client.post("/desk/new/", {"title": "عنوان", "body": PERSIAN, "outlet": "Tasnim", "language": "fa"})
    assert posted.status_code == 400 and not Article.objects.exists()


def test_the_glossary_keeps_one_list_per_language_and_matches_as_each_writes(desk, api, editor, translator):
    client = Client()
    client.force_login(editor)
    page = client.get("/desk/glossary/?language=fa").content.decode()
    assert '<label for="id_source_term">Persian term</label>' in page
    assert '<input type="text" name="source_term" maxlength="200" dir="rtl" lang="fa"' in page
    # Typed with Arabic letters, found in a Persian text written with Persian ones.
    added = client.post("/desk/glossary/", {"language": "fa", "source_term": "بانك مركزي",
                                            "target_term": "Central Bank"})
    assert added.status_code == 302 and added["Location"] == "/desk/glossary/?language=fa"
    assert GlossaryTerm.objects.get().source_language == "fa"
    assert '<td lang="fa" dir="rtl">بانك مركزي</td>' in client.get("/desk/glossary/?language=fa").content.decode()
    # The Arabic glossary does not hold it, and the same letters are a new Arabic term there.
    assert "بانك مركزي" not in client.get("/desk/glossary/").content.decode()
    assert client.post("/desk/glossary/", {"language": "ar", "source_term": "بانك مركزي",
                                           "target_term": "Central Bank"}).status_code == 302
    assert client.post("/desk/glossary/", {"language": "fa", "source_term": "بانک مرکزی",
                                           "target_term": "Central Bank"}).status_code == 400  # already there
    assert client.get("/desk/glossary/?language=xx").status_code == 404  # not a glossary of this desk
    assert client.get("/desk/glossary/export.csv?language=fa").content.decode().splitlines()[1].startswith(
        "بانك مركزي,Central Bank")

    created = _import(api, editor, "fa", PERSIAN_TITLE, PERSIAN_SECOND)
    _draft(api, editor, created["id"])
    api(editor).post(f"/api/v1/articles/{created['id']}/actions/assign/", {"assignee": translator.username},
                     format="json")
    segment = api(translator).get(f"/api/v1/articles/{created['id']}/").json()["segments"][1]
    saved = _save(api, translator, created["id"], segment, "The governor said the trend would continue.")
    assert any(i["code"] == "glossary" and "Central Bank" in i["message"] for i in saved["issues"])


def test_feeds_take_only_the_desks_languages(api, settings):
    settings.SOURCE_LANGUAGES = ["ar", "he"]
    admin = make_user(roles.ADMIN, "feeds-admin")
    response = api(admin).post("/api/v1/feeds/", {"name": "Kan", "url": "https://example.org/feed.xml",
                                                  "language": "tr"}, format="json")
    assert response.status_code == 400
    assert "'tr' is not a source language of this desk" in response.json()["error"]["details"]["language"][0]
    ok = api(admin).post("/api/v1/feeds/", {"name": "Kan", "url": "https://example.org/feed.xml",
                                            "language": "he"}, format="json")
    assert ok.status_code == 201 and ok.json()["language"] == "he"
