"""XLIFF round trip over the API: export an article, edit it in an outside tool, import it back version-safely."""

import json
import re
from xml.sax.saxutils import escape

import pytest
from reversion.models import Version
from translate.storage import xliff as toolkit

from editorial.models import ArticleRevision, State
from tests.conftest import fill_segments
from tests.editorial.test_api_permissions import ANON, ASSIGNEE, STATES, WHO, expected_segment_status
from tests.editorial.test_concurrency import race
from translations.models import Segment

pytestmark = pytest.mark.django_db

MEDIA_TYPE = "application/x-xliff+xml"
# Markup-like text, quotes and Arabic: what a translator may well type, all of which must come back as typed.
EDITED = 'The <b>deal</b> & the "ceasefire" in Jasim, \'at last\' (جاسم)'


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def people(translator, other_translator, editor, admin_user):
    return {ASSIGNEE: translator, "other_translator": other_translator, "editor": editor, "admin": admin_user,
            ANON: None}


def url(article) -> str:
    return f"/api/v1/articles/{article.pk}/xliff/"


def export(client, article) -> bytes:
    response = client.get(url(article))
    assert response.status_code == 200, response.content[:500]
    return response.content


def put(client, article, data: bytes, content_type: str = MEDIA_TYPE):
    return client.put(url(article), data, content_type=content_type)


def segments_of(article) -> list[Segment]:
    return list(Segment.objects.filter(document_id=article.document_id).order_by("position"))


def snapshot(article):
    """What a refused import must leave as it was: every segment's text, version and author, and the history."""
    return (
        [(s.text, s.version, s.changed_by_id, s.origin) for s in segments_of(article)],
        ArticleRevision.objects.filter(article=article).count(),
    )


def with_machine_draft(article, engine: str = "deepl"):
    """Segments drafted by an engine, as the draft job leaves them."""
    for segment in segments_of(article):
        Segment.objects.filter(pk=segment.pk).update(
            machine_text=f"Machine draft {segment.position}", text=f"Machine draft {segment.position}",
            origin=Segment.Origin.MACHINE, engine=engine,
        )


def edited_by_a_cat_tool(data: bytes, targets: dict[int, str]) -> bytes:
    """The file after a translator changed some targets (by segment id) in a tool built on translate-toolkit."""
    store = toolkit.xlifffile.parsestring(data)
    for unit in store.units:
        segment_id = int(unit.getid().split("\x04")[-1])
        if segment_id in targets:
            unit.target = targets[segment_id]
    return bytes(store)


def assert_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json")
    body = json.loads(response.content)
    assert set(body) == {"error"} and {"code", "message", "details"} <= set(body["error"]), body
    assert body["error"]["message"].strip()
    if code is not None:
        assert body["error"]["code"] == code, body
    return body["error"]


def revisions(client, article) -> list[dict]:
    response = client.get(f"/api/v1/articles/{article.pk}/history/")
    assert response.status_code == 200
    return response.json()["results"]


# Export ---------------------------------------------------------------------------------------------------------------


def test_export_is_an_xliff_file_named_after_the_article(api, translator, make_article):
    article = make_article(State.TRANSLATION)
    with_machine_draft(article)

    response = api(translator).get(url(article))

    assert response.status_code == 200
    assert response["Content-Type"] == MEDIA_TYPE
    assert response["Content-Disposition"] == f'attachment; filename="article-{article.pk}.xlf"'
    store = toolkit.xlifffile.parsestring(response.content)
    segments = segments_of(article)
    assert [u.getid().split("\x04")[-1] for u in store.units] == [str(s.pk) for s in segments]
    assert [str(u.source) for u in store.units] == [s.source_text for s in segments]
    assert store.getsourcelanguage() == "ar" and store.gettargetlanguage() == "en"
    for unit, segment in zip(store.units, segments, strict=True):
        assert [(str(a.target), a.xmlelement.get("origin")) for a in unit.getalttrans()] == [
            (segment.machine_text, "deepl")
        ]
        assert f"version={segment.version}" in unit.getnotes("tarjama")
        assert f"kind={segment.kind} position={segment.position}" in unit.getnotes("tarjama")


def test_export_answers_a_client_that_asks_for_xliff(api, translator, make_article):
    article = make_article(State.TRANSLATION)

    response = api(translator).get(url(article), HTTP_ACCEPT=MEDIA_TYPE)

    assert response.status_code == 200
    assert response["Content-Type"] == MEDIA_TYPE


def test_export_of_an_unknown_article_is_404_and_anonymous_callers_401(api, translator, make_article):
    article = make_article(State.TRANSLATION)
    assert_error(api(translator).get("/api/v1/articles/999999/xliff/"), 404, "not_found")
    assert_error(api(translator).put("/api/v1/articles/999999/xliff/", b"<x/>", content_type=MEDIA_TYPE), 404)
    assert_error(api(None).get(url(article)), 401)


# The round trip ------------------------------------------------------------------------------------------------------


def test_an_article_survives_a_round_trip_through_a_cat_tool(api, translator, make_article):
    article = make_article(State.TRANSLATION)
    with_machine_draft(article)
    client = api(translator)
    before = {s.pk: s.version for s in segments_of(article)}
    revisions_before = len(revisions(client, article))
    new_texts = {pk: f"{EDITED} #{i}" for i, pk in enumerate(before)}

    response = put(client, article, edited_by_a_cat_tool(export(client, article), new_texts))

    assert response.status_code == 200, response.content[:500]
    body = response.json()
    assert sorted(body["updated"]) == sorted(before)
    assert (body["unchanged"], body["conflicts"]) == (0, [])
    assert body["article"] == client.get(f"/api/v1/articles/{article.pk}/").json()
    for segment in segments_of(article):
        assert segment.text == new_texts[segment.pk]
        assert segment.version == before[segment.pk] + 1
        assert (segment.changed_by, segment.origin) == (translator, Segment.Origin.HUMAN)
        assert segment.machine_text == f"Machine draft {segment.position}", "the machine draft is kept as it was"
    history = revisions(client, article)
    assert len(history) == revisions_before + 1, "one revision for the whole import"
    assert (history[0]["comment"], history[0]["user"]) == ("Imported from XLIFF", translator.username)
    revision_id = history[0]["id"]
    assert Version.objects.filter(revision_id=revision_id, content_type__model="segment").count() == len(before)


def test_targets_edited_in_the_xml_text_directly_are_imported(api, editor, make_article):
    article = make_article(State.EDITING)
    client = api(editor)
    first, second = segments_of(article)[1:3]
    xml = export(client, article).decode("utf-8")
    # By hand in a text editor: replace the text between the <target ...> tags of two units.
    replacements = {first: "Life returned to normal in Jasim & Daraa <after> the \"deal\".", second: "عاد الهدوء"}
    for segment, text in replacements.items():
        pattern = re.compile(r"(<target[^>]*>)" + re.escape(escape(segment.text)) + "</target>")
        xml, count = pattern.subn(lambda m, t=text: m.group(1) + escape(t) + "</target>", xml)
        assert count == 1, f"the target of segment {segment.position} should appear once in the file"

    response = put(client, article, xml.encode("utf-8"), content_type="text/xml")

    assert response.status_code == 200, response.content[:500]
    body = response.json()
    assert sorted(body["updated"]) == sorted([first.pk, second.pk])
    assert body["unchanged"] == len(segments_of(article)) - 2
    for segment, text in replacements.items():
        segment.refresh_from_db()
        assert (segment.text, segment.changed_by) == (text, editor)
    assert revisions(client, article)[0]["comment"] == "Imported from XLIFF"


def test_importing_the_same_file_twice_changes_nothing_the_second_time(api, translator, make_article):
    article = make_article(State.TRANSLATION)
    client = api(translator)
    title = segments_of(article)[0]
    data = edited_by_a_cat_tool(export(client, article), {title.pk: "Deal ends escalation in Jasim"})
    assert put(client, article, data, content_type="application/xml").json()["updated"] == [title.pk]
    before = snapshot(article)

    response = put(client, article, data)

    assert response.status_code == 200
    assert (response.json()["updated"], response.json()["conflicts"]) == ([], [])
    assert response.json()["unchanged"] == len(segments_of(article))
    assert snapshot(article) == before, "an import that changes nothing leaves no revision"


def test_empty_targets_never_clear_a_translation(api, translator, make_article):
    article = make_article(State.TRANSLATION)
    fill_segments(article, translator)
    client = api(translator)
    segment = segments_of(article)[1]
    before = snapshot(article)

    response = put(client, article, edited_by_a_cat_tool(export(client, article), {segment.pk: ""}))

    assert response.status_code == 200
    assert response.json()["updated"] == []
    assert snapshot(article) == before


# Conflicts -----------------------------------------------------------------------------------------------------------


def test_a_segment_changed_here_after_the_export_is_a_conflict_and_keeps_the_newer_text(
    api, translator, editor, make_article
):
    article = make_article(State.TRANSLATION)
    translator_client = api(translator)
    title, first, second = segments_of(article)[:3]
    data = export(translator_client, article)
    # Meanwhile the editor changes the first paragraph in the desk.
    patched = api(editor).patch(f"/api/v1/articles/{article.pk}/segments/{first.pk}/",
                                {"text": "The editor's newer text", "version": first.version}, format="json")
    assert patched.status_code == 200
    edited = edited_by_a_cat_tool(data, {first.pk: "The translator's older edit", second.pk: "Second paragraph"})

    response = put(translator_client, article, edited)

    assert response.status_code == 200, response.content[:500]
    body = response.json()
    assert body["updated"] == [second.pk]
    assert body["unchanged"] == len(segments_of(article)) - 2
    [conflict] = body["conflicts"]
    assert {k: conflict[k] for k in ("segment", "position", "their_text", "current_text", "changed_by", "version")} == {
        "segment": first.pk, "position": first.position, "their_text": "The translator's older edit",
        "current_text": "The editor's newer text", "changed_by": editor.username, "version": first.version + 1,
    }
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.text, first.version, first.changed_by) == ("The editor's newer text", 2, editor)
    assert (second.text, second.changed_by) == ("Second paragraph", translator)
    by_id = {s["id"]: s for s in body["article"]["segments"]}
    assert by_id[first.pk]["text"] == "The editor's newer text"
    assert by_id[second.pk]["text"] == "Second paragraph"
    title.refresh_from_db()
    assert title.version == 1


def test_a_file_with_only_conflicts_saves_nothing_and_leaves_no_revision(api, translator, editor, make_article):
    article = make_article(State.TRANSLATION)
    segment = segments_of(article)[0]
    data = export(api(translator), article)
    api(editor).patch(f"/api/v1/articles/{article.pk}/segments/{segment.pk}/",
                      {"text": "Editor's title", "version": segment.version}, format="json")
    before = snapshot(article)

    response = put(api(translator), article, edited_by_a_cat_tool(data, {segment.pk: "Translator's title"}))

    assert response.status_code == 200
    assert [c["segment"] for c in response.json()["conflicts"]] == [segment.pk]
    assert snapshot(article) == before


# Permissions: as for segment edits ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("state", STATES)
def test_import_permissions_match_segment_edits(api, people, editor, make_article, state, who):
    article = make_article(state)
    segment = segments_of(article)[1]
    data = edited_by_a_cat_tool(export(api(editor), article), {segment.pk: "Life returned to normal in Jasim."})
    before = snapshot(article)
    expected = expected_segment_status(who, state)

    response = put(api(people[who]), article, data)

    if expected == 200:
        assert response.status_code == 200, (who, state, response.content[:500])
        assert response.json()["updated"] == [segment.pk]
        segment.refresh_from_db()
        assert (segment.text, segment.changed_by) == ("Life returned to normal in Jasim.", people[who])
    else:
        assert_error(response, expected)
        assert snapshot(article) == before, f"a refused import by {who} in {state} changed something"


# Bad files -----------------------------------------------------------------------------------------------------------


def _set_unit_id(data: bytes, old_id: int, new_id: str) -> bytes:
    return data.replace(f'id="{old_id}"'.encode(), f'id="{new_id}"'.encode(), 1)


@pytest.mark.parametrize("case", ["garbage", "empty", "html", "json_as_xml", "xliff2", "no_version_note"])
def test_a_file_that_is_not_our_xliff_is_refused_with_a_reason(api, translator, make_article, case):
    article = make_article(State.TRANSLATION)
    client = api(translator)
    title = segments_of(article)[0]
    good = edited_by_a_cat_tool(export(client, article), {title.pk: "Deal ends escalation"})
    data, message = {
        "garbage": ("\x00\x01 not a file at all \u062e".encode(), "not well-formed XML"),
        "empty": (b"", "not well-formed XML"),
        "html": (b"<html><body><p>Deal ends escalation</p></body></html>", "not XLIFF"),
        "json_as_xml": (json.dumps({"text": "Deal"}).encode(), "not well-formed XML"),
        "xliff2": (b'<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="ar"/>',
                   "XLIFF 1.2"),
        "no_version_note": (re.sub(rb'<note from="tarjama">[^<]*</note>', b"", good), "version"),
    }[case]
    before = snapshot(article)

    error = assert_error(put(client, article, data), 400, "invalid_xliff")

    assert message in error["message"], error
    assert snapshot(article) == before


def test_units_for_unknown_segments_or_another_articles_are_refused_listing_them(api, translator, make_article):
    article = make_article(State.TRANSLATION)
    other = make_article(State.TRANSLATION)
    client = api(translator)
    first, second = segments_of(article)[:2]
    foreign = segments_of(other)[0]
    data = edited_by_a_cat_tool(export(client, article), {first.pk: "Edited", second.pk: "Edited too"})
    data = _set_unit_id(_set_unit_id(data, first.pk, "999999"), second.pk, str(foreign.pk))
    before, other_before = snapshot(article), snapshot(other)

    error = assert_error(put(client, article, data), 400, "unknown_segments")

    assert error["details"]["units"] == ["999999", str(foreign.pk)]
    assert "999999" in error["message"] and str(foreign.pk) in error["message"]
    assert snapshot(article) == before and snapshot(other) == other_before


def test_a_file_exported_from_another_article_is_refused(api, translator, make_article):
    article = make_article(State.TRANSLATION)
    other = make_article(State.TRANSLATION)
    client = api(translator)
    data = edited_by_a_cat_tool(export(client, other), {segments_of(other)[0].pk: "Edited"})
    before, other_before = snapshot(article), snapshot(other)

    error = assert_error(put(client, article, data), 400, "wrong_article")

    assert f"article {article.pk}" in error["message"]
    assert snapshot(article) == before and snapshot(other) == other_before


def test_an_overlong_target_refuses_the_whole_import(api, translator, make_article, settings):
    settings.MAX_SEGMENT_CHARS = 50
    article = make_article(State.TRANSLATION)
    client = api(translator)
    first, second = segments_of(article)[:2]
    data = edited_by_a_cat_tool(export(client, article), {first.pk: "Short", second.pk: "x" * 51})
    before = snapshot(article)

    assert_error(put(client, article, data), 413, "too_large")
    assert snapshot(article) == before


def test_a_json_body_is_an_unsupported_media_type(api, translator, make_article):
    article = make_article(State.TRANSLATION)
    before = snapshot(article)

    response = api(translator).put(url(article), {"text": "x"}, format="json")

    assert_error(response, 415, "unsupported_media_type")
    assert snapshot(article) == before


def test_the_schema_documents_the_xliff_endpoint(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()

    operations = schema["paths"]["/api/v1/articles/{article_id}/xliff/"]
    assert {"get", "put"} <= set(operations)
    assert MEDIA_TYPE in operations["put"]["requestBody"]["content"]


# A real race (PostgreSQL) --------------------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_import_racing_a_segment_save_never_loses_either(api, translator, editor, make_article):
    article = make_article(State.TRANSLATION)
    segment = segments_of(article)[1]
    translator_client, editor_client = api(translator), api(editor)
    segment_url = f"/api/v1/articles/{article.pk}/segments/{segment.pk}/"

    for round_no in range(5):
        segment.refresh_from_db()
        version = segment.version
        theirs, ours = f"Round {round_no}: from the CAT tool", f"Round {round_no}: from the desk"
        data = edited_by_a_cat_tool(export(translator_client, article), {segment.pk: theirs})

        def import_file(data=data):
            response = put(translator_client, article, data)
            return response.status_code, response.json()

        def save_in_desk(text=ours, version=version):
            response = editor_client.patch(segment_url, {"text": text, "version": version}, format="json")
            return response.status_code, response.json()

        (import_status, imported), (save_status, saved) = race(import_file, save_in_desk)

        segment.refresh_from_db()
        assert import_status == 200, imported
        assert segment.version == version + 1, f"round {round_no}: exactly one of the two writes happened"
        if imported["updated"] == [segment.pk]:
            assert save_status == 409 and saved["error"]["details"]["text"] == theirs
            assert segment.text == theirs
        else:
            assert save_status == 200
            assert [(c["segment"], c["current_text"]) for c in imported["conflicts"]] == [(segment.pk, ours)]
            assert segment.text == ours
