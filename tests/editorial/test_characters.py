"""One rule for characters no stored text may hold (translations/characters.py), at every door.

A single U+000B in a published segment used to answer 500 on both feeds for every reader. Typed text is refused
with the character and its position; text from outside (paste, address, feed) has them removed, and the import
says so; the feeds drop what older text may still hold.
"""

import importlib
import io

import feedparser
import pytest
from django.apps import apps
from django.test import Client
from translate.storage import xliff as toolkit

from editorial.models import Article, Comment, PublishedVersion, State
from tests.conftest import source_payload
from translations import characters
from translations.models import GlossaryTerm, Segment

pytestmark = pytest.mark.django_db

C0 = [chr(c) for c in range(0x20) if chr(c) not in "\t\n\r"]
OTHERS = ["\x7f", "\x85", "\x9f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068",
          "\u2069", "\ufffe", "\uffff", "\ufdd0", "\U0001fffe", "\ud800"]
ALLOWED = ["\t", "\n", "\r", "\u200e", "\u200f", "\u061c", "é", "ش", "\u00a0", "📰", "\u200d"]


def test_the_rule():
    for character in C0 + OTHERS:
        found = characters.first_forbidden(f"ab{character}c")
        assert found is not None and found.position == 3 and found.code == f"U+{ord(character):04X}", repr(character)
    for character in ALLOWED:
        assert characters.first_forbidden(f"ab{character}c") is None, repr(character)
    assert characters.Found("\u202e", 1).describe() == "U+202E (RIGHT-TO-LEFT OVERRIDE)"
    assert characters.Found("\x0b", 1).describe() == "U+000B (a control character)"
    assert characters.strip_forbidden("a\x0bb\u202ec\x01") == ("abc", 3)


def _segment(article) -> Segment:
    return article.document.segments.get(position=1)


def test_every_forbidden_character_in_a_segment_save_is_refused_by_name_and_position(api, translator, make_article):
    article = make_article(State.TRANSLATION)
    segment = _segment(article)
    before = (segment.text, segment.version)
    client = api(translator)
    for character in C0 + OTHERS[:-1]:  # a lone surrogate cannot travel in UTF-8 JSON; see below
        response = client.patch(f"/api/v1/articles/{article.pk}/segments/{segment.pk}/",
                                {"text": f"Life{character} returned", "version": segment.version}, format="json")
        assert response.status_code == 400, (repr(character), response.content)
        error = response.json()["error"]
        code = f"U+{ord(character):04X}"
        if character == "\x00":  # refused by the field, before the service: a field error naming it
            assert error["code"] == "invalid"
            assert f"{code} (a control character) at character 5" in str(error["details"])
            continue
        assert error["code"] == "invalid_character" and code in error["message"] and "character 5" in error["message"]
        assert (error["details"]["character"], error["details"]["position"]) == (code, 5)
    # JSON's \ud800 escape does carry a lone surrogate: DRF's own field validator names it.
    body = f'{{"text": "x\\ud800", "version": {segment.version}}}'
    response = client.patch(f"/api/v1/articles/{article.pk}/segments/{segment.pk}/", data=body,
                            content_type="application/json")
    assert response.status_code == 400 and "U+D800" in str(response.json()["error"]["details"])
    segment.refresh_from_db()
    assert (segment.text, segment.version) == before


def test_details_keywords_and_override_reasons_are_refused(api, editor, make_article):
    article = make_article(State.EDITING)
    client = api(editor)
    base = f"/api/v1/articles/{article.pk}/"
    response = client.patch(base, {"standfirst": "A deal\x0b ends", "version": article.version}, format="json")
    assert response.status_code == 400 and response.json()["error"]["details"]["position"] == 7
    response = client.patch(base, {"keywords": ["Daraa", "Jas\u202eim"], "version": article.version}, format="json")
    assert response.status_code == 400 and "U+202E" in response.json()["error"]["message"]
    assert Article.objects.get(pk=article.pk).version == article.version


def test_comments_and_glossary_refuse_them_on_the_desk(editor, make_article):
    article = make_article(State.EDITING)
    desk = Client()
    desk.force_login(editor)
    response = desk.post(f"/desk/articles/{article.pk}/comments/", {"text": "Check\x07 the figures"})
    assert response.status_code == 400 and "U+0007" in response.content.decode()
    assert not Comment.objects.exists()
    response = desk.post("/desk/glossary/", {"source_term": "درعا", "target_term": "Dar\x1ba", "note": ""})
    assert response.status_code == 400 and "U+001B" in response.content.decode()
    csv = io.BytesIO("source_term,target_term\nدرعا,Daraa\nجاسم,Jas\u2066im\n".encode())
    csv.name = "terms.csv"
    response = desk.post("/desk/glossary/import/", {"file": csv}, follow=True)
    assert "Line 3" in response.content.decode() and "U+2066" in response.content.decode()
    assert not GlossaryTerm.objects.exists()


def test_imports_remove_them_and_say_how_many(api, editor):
    payload = source_payload(paragraphs=2)
    payload["source"]["title"] = "عودة\x0b الحياة\u202b إلى جاسم\u202c"
    payload["source"]["body"] = "الفقرة\x01 الأولى.\n\nالفقرة الثانية\x7f."
    response = api(editor).post("/api/v1/articles/", payload, format="json")
    assert response.status_code == 201, response.content
    article = Article.objects.get(pk=response.json()["id"])
    texts = [article.document.source_title, article.document.source_body,
             *article.document.segments.values_list("source_text", flat=True)]
    assert not any(characters.first_forbidden(text) for text in texts)
    assert article.document.source_title == "عودة الحياة إلى جاسم"
    history = api(editor).get(f"/api/v1/articles/{article.pk}/history/").json()["results"]
    assert "5 invisible control or direction characters removed" in history[-1]["comment"]
    # An outlet of nothing but such characters is no outlet: the credit cannot be blank.
    payload["source"]["outlet"] = "\x19\u202e"
    response = api(editor).post("/api/v1/articles/", payload, format="json")
    assert response.status_code == 400 and "outlet" in response.json()["error"]["details"]["source"]


def test_xliff_targets_are_refused_by_unit(api, translator, make_article):
    article = make_article(State.TRANSLATION)
    client = api(translator)
    exported = client.get(f"/api/v1/articles/{article.pk}/xliff/").content
    store = toolkit.xlifffile.parsestring(exported)
    unit = store.units[1]
    unit.target = "Life \u202ereturned"
    response = client.put(f"/api/v1/articles/{article.pk}/xliff/", bytes(store),
                          content_type="application/x-xliff+xml")
    assert response.status_code == 400, response.content
    message = response.json()["error"]["message"]
    assert "U+202E" in message and f"unit {unit.getid().split(chr(4))[-1]} " in message
    # An unedited export comes back unchanged: nothing in it was altered on the way out.
    response = client.put(f"/api/v1/articles/{article.pk}/xliff/", exported, content_type="application/x-xliff+xml")
    assert response.status_code == 200 and response.json()["updated"] == []


def test_text_stored_before_the_rule_costs_a_character_not_the_feeds(make_article):
    article = make_article(State.PUBLISHED)
    version = PublishedVersion.objects.get(pk=article.live_version_id)
    version.headline = "Life\x0b returned & \"normal\" — عادت الحياة"
    version.body = [{"kind": "paragraph", "text": "One\x01 two"}]
    version.save()
    for address in ("/feed/", "/feed/atom/"):
        response = Client().get(address)
        assert response.status_code == 200, address
        parsed = feedparser.parse(response.content)
        assert not parsed.bozo, (address, parsed.get("bozo_exception"))
        assert parsed.entries[0].title == "Life returned & \"normal\" — عادت الحياة"


def test_the_migration_cleans_what_was_stored_before(make_article):
    article = make_article(State.PUBLISHED)
    segment = _segment(article)
    Segment.objects.filter(pk=segment.pk).update(text="Life\x0b returned\u202e")
    version = PublishedVersion.objects.get(pk=article.live_version_id)
    version.body = [{"kind": "paragraph", "text": "One\x02 two"}]
    version.keyword_names = ["Dar\x1baa"]
    version.headline = "Head\x0cline"
    version.save()
    migration = importlib.import_module("editorial.migrations.0013_strip_forbidden_characters")

    migration.strip(apps, None)

    assert Segment.objects.get(pk=segment.pk).text == "Life returned"
    version.refresh_from_db()
    assert (version.headline, version.body[0]["text"], version.keyword_names) == ("Headline", "One two", ["Daraa"])
