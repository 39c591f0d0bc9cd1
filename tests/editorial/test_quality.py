"""Quality in the newsroom: issues in the API and the workspace, blocking submit and publish, overrides,
the glossary, and the translation memory's fuzzy matches."""

from datetime import datetime

import pytest
from django.test import Client
from django.utils import timezone

from editorial import services, workflow
from editorial.errors import Refused
from editorial.models import Article, State
from tests.conftest import PASSWORD, create_article, fill_segments
from translations import glossary, memory
from translations.models import GlossaryTerm

pytestmark = pytest.mark.django_db


def _drop_a_number(article, user):
    """Translate the paragraph that says "48 hours" without its number."""
    segment = article.document.segments.get(position=3)
    assert "48" in segment.source_text
    services.save_segment(article.pk, segment.pk, user, text="The ceasefire holds for two days.",
                          version=segment.version)
    return segment


def test_a_dropped_number_is_flagged_in_the_api(api, make_article, translator):
    article = make_article(State.TRANSLATION)
    fill_segments(article, translator)
    segment = _drop_a_number(article, translator)
    body = api(translator).get(f"/api/v1/articles/{article.pk}/").json()
    issues = next(s["issues"] for s in body["segments"] if s["id"] == segment.pk)
    assert {"code": "numbers", "severity": "error",
            "message": "48 in the source is missing in the translation."} in issues
    # The segment save answers with the same issues.
    segment.refresh_from_db()
    saved = api(translator).patch(f"/api/v1/articles/{article.pk}/segments/{segment.pk}/",
                                  {"text": segment.text, "version": segment.version}, format="json").json()
    assert any(i["code"] == "numbers" for i in saved["issues"])


def test_it_cannot_be_submitted_until_fixed(api, make_article, translator):
    article = make_article(State.TRANSLATION)
    fill_segments(article, translator)
    segment = _drop_a_number(article, translator)
    response = api(translator).post(f"/api/v1/articles/{article.pk}/actions/submit/", {}, format="json")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "quality_issues"
    assert error["details"]["issues"] == [{"position": 3, "segment": segment.pk, "code": "numbers",
                                           "message": "48 in the source is missing in the translation."}]
    segment.refresh_from_db()
    services.save_segment(article.pk, segment.pk, translator, text="The ceasefire holds for 48 hours.",
                          version=segment.version)
    assert api(translator).post(f"/api/v1/articles/{article.pk}/actions/submit/", {}, format="json").status_code == 200


def test_or_until_an_editor_overrides_it_with_a_reason(api, make_article, translator, editor):
    article = make_article(State.TRANSLATION)
    fill_segments(article, translator)
    segment = _drop_a_number(article, translator)
    url = f"/api/v1/articles/{article.pk}/segments/{segment.pk}/overrides/"
    assert api(translator).post(url, {"code": "numbers", "reason": "fine"}, format="json").status_code == 403
    assert api(editor).post(url, {"code": "numbers", "reason": ""}, format="json").status_code == 400
    assert api(editor).post(url, {"code": "punctuation", "reason": "x"}, format="json").status_code == 409
    response = api(editor).post(url, {"code": "numbers", "reason": "The source repeats the figure."}, format="json")
    assert response.status_code == 201
    numbers = next(i for i in response.json()["issues"] if i["code"] == "numbers")
    assert numbers["overridden"] == {"reason": "The source repeats the figure.", "by": "layla"}
    workflow.apply(article.pk, translator, "submit")
    assert Article.objects.get(pk=article.pk).state == State.EDITING


def test_an_override_lapses_when_the_text_changes(make_article, translator, editor):
    from editorial import quality

    article = make_article(State.TRANSLATION)
    fill_segments(article, translator)
    segment = _drop_a_number(article, translator)
    quality.override(article.pk, segment.pk, editor, code="numbers", reason="ok")
    segment.refresh_from_db()
    services.save_segment(article.pk, segment.pk, translator, text="It holds for two days now.",
                          version=segment.version)
    with pytest.raises(Refused) as refused:
        workflow.apply(article.pk, translator, "submit")
    assert refused.value.code == "quality_issues"


def test_blocking_issues_are_in_the_publish_checklist(api, make_article, translator, editor):
    article = make_article(State.EDITING)
    segment = article.document.segments.get(position=1)
    services.save_segment(article.pk, segment.pk, editor, text="The city of جاسم calmed.", version=segment.version)
    response = api(editor).post(f"/api/v1/articles/{article.pk}/actions/publish/", {}, format="json")
    assert response.status_code == 409
    reasons = response.json()["error"]["details"]["reasons"]
    assert [r["code"] for r in reasons] == ["quality_issues"]
    assert reasons[0]["issues"][0]["code"] == "untranslated"


def test_workspace_shows_issues_glossary_terms_and_an_override_form(make_article, translator, editor):
    GlossaryTerm.objects.create(source_term="جاسم", target_term="Jasim", do_not_translate=True)
    article = make_article(State.TRANSLATION)
    fill_segments(article, translator)
    _drop_a_number(article, translator)
    client = Client()
    client.force_login(editor)
    html = client.get(f"/desk/articles/{article.pk}/").content.decode()
    assert "48 in the source is missing in the translation." in html
    assert 'glossary: <span lang="ar" dir="rtl">جاسم</span> → <strong lang="en">Jasim</strong> (name)' in html
    assert 'name="reason"' in html  # editors may override
    client.force_login(translator)
    assert 'name="reason"' not in client.get(f"/desk/articles/{article.pk}/").content.decode()


def test_the_desk_override_form(make_article, translator, editor):
    article = make_article(State.TRANSLATION)
    fill_segments(article, translator)
    segment = _drop_a_number(article, translator)
    client = Client()
    client.force_login(editor)
    response = client.post(f"/desk/articles/{article.pk}/segments/{segment.pk}/override/",
                           {"code": "numbers", "reason": "Checked with the outlet."})
    assert response.status_code == 302
    html = client.get(f"/desk/articles/{article.pk}/").content.decode()
    assert "overridden by layla: Checked with the outlet." in html


def test_glossary_matching_ignores_optional_marks_and_prefixes():
    terms = [GlossaryTerm.objects.create(source_term="درعا", target_term="Daraa"),
             GlossaryTerm.objects.create(source_term="الجيش الحُرّ", target_term="Free Army")]
    found = glossary.find_terms("وقال مصدر من ريف دَرعا إن الجيش الحر انسحب", terms)
    assert [t.target for t in found] == ["Daraa", "Free Army"]


def test_glossary_export_cannot_run_formulas_in_a_spreadsheet_and_still_round_trips(editor):
    GlossaryTerm.objects.create(source_term="الهلال الأحمر", target_term="=HYPERLINK(\"http://x.test\",\"Red\")",
                                note="@SUM(1+1) -- a risky note")
    GlossaryTerm.objects.create(source_term="إدلب", target_term="'-5 (a quoted figure)", note="")
    client = Client()
    client.force_login(editor)
    exported = client.get("/desk/glossary/export.csv").content.decode()
    row = next(line for line in exported.splitlines() if "HYPERLINK" in line)
    assert row.split(",")[1].startswith('"\'=HYPERLINK') and ",'@SUM(1+1) -- a risky note," in row
    from django.core.files.uploadedfile import SimpleUploadedFile

    GlossaryTerm.objects.all().delete()
    response = client.post("/desk/glossary/import/", {"file": SimpleUploadedFile("g.csv", exported.encode())})
    assert response.status_code == 302
    term = GlossaryTerm.objects.get(source_term="الهلال الأحمر")
    assert (term.target_term, term.note) == ("=HYPERLINK(\"http://x.test\",\"Red\")", "@SUM(1+1) -- a risky note")
    assert GlossaryTerm.objects.get(source_term="إدلب").target_term == "'-5 (a quoted figure)"


def test_glossary_csv_round_trip(editor):
    client = Client()
    client.force_login(editor)
    from django.core.files.uploadedfile import SimpleUploadedFile

    csv_text = "source_term,target_term,note,do_not_translate\nجاسم,Jasim,town in Daraa,yes\nهدنة,truce,,no\n"
    upload = SimpleUploadedFile("g.csv", csv_text.encode(), content_type="text/csv")
    response = client.post("/desk/glossary/import/", {"file": upload})
    assert response.status_code == 302
    assert GlossaryTerm.objects.get(source_term="جاسم").do_not_translate
    exported = client.get("/desk/glossary/export.csv").content.decode()
    assert exported.splitlines()[0] == "source_term,target_term,note,do_not_translate"
    assert "جاسم,Jasim,town in Daraa,yes" in exported
    bad = SimpleUploadedFile("g.csv", b"arabic,english\nx,y\n", content_type="text/csv")
    response = client.post("/desk/glossary/import/", {"file": bad})
    assert response.status_code == 400 and "missing: source_term, target_term" in response.content.decode()


def test_translators_read_the_glossary_but_do_not_edit_it(translator):
    client = Client()
    assert client.login(username="sami", password=PASSWORD)
    assert client.get("/desk/glossary/").status_code == 200
    assert client.post("/desk/glossary/", {"source_term": "x", "target_term": "y"}).status_code == 404


def _remember(pairs):
    memory.store([memory.Pair(source, target) for source, target in pairs], "ar", "en", timezone.now())


def test_fuzzy_matches_with_a_percentage_best_first():
    _remember([
        ("عادت الحياة إلى طبيعتها في مدينة جاسم", "Life returned to normal in the city of Jasim"),
        ("عادت الحياة إلى طبيعتها في مدينة درعا", "Life returned to normal in the city of Daraa"),
        ("ارتفعت أسعار الخبز في دمشق", "Bread prices rose in Damascus"),
    ])
    matches = memory.fuzzy_matches("عادَت الحياة الى طبيعتها في مدينة جاسم", "ar", "en")
    assert matches[0].target == "Life returned to normal in the city of Jasim" and matches[0].score == 100
    assert matches[1].target == "Life returned to normal in the city of Daraa" and 80 <= matches[1].score < 100
    assert all(m.target != "Bread prices rose in Damascus" for m in matches)


def test_short_strings_match_too():
    _remember([("مدرسة جديدة", "A new school")])
    assert memory.fuzzy_matches("مدرسه جديده", "ar", "en")[0].score == 100
    assert memory.fuzzy_matches("مدرسة جديد", "ar", "en")[0].target == "A new school"


def test_memory_api(api, make_article, editor, translator):
    article = make_article(State.PUBLISHED)
    paragraph = article.document.segments.get(position=1)
    response = api(translator).get("/api/v1/memory/", {"q": paragraph.source_text, "source": "ar", "target": "en"})
    assert response.status_code == 200
    best = response.json()["results"][0]
    published_at = best.pop("published_at")
    assert best == {"source": paragraph.source_text, "target": paragraph.text, "score": 100, "article": article.pk,
                    "translator": translator.username}
    assert datetime.fromisoformat(published_at) == article.published_at
    assert api(translator).get("/api/v1/memory/").status_code == 400
    assert api().get("/api/v1/memory/", {"q": "x"}).status_code == 401


@pytest.mark.parametrize("q, first", [
    ("مدرسة\x07جديدة في إدلب وريفها الجنوبي", "A new school in southern Idlib"),
    ("مدرسة\x07 جديدة", "A new school"),
    ("\x1b", None),
])
def test_memory_lookups_ignore_control_characters(api, translator, q, first):
    _remember([("مدرسة جديدة في إدلب وريفها الجنوبي", "A new school in southern Idlib"),
               ("مدرسة جديدة", "A new school")])
    response = api(translator).get("/api/v1/memory/", {"q": q})
    assert response.status_code == 200
    results = response.json()["results"]
    assert (results[0]["target"], results[0]["score"]) == (first, 100) if first else results == []


def test_a_nul_in_a_memory_lookup_is_refused(api, translator):
    response = api(translator).get("/api/v1/memory/", {"q": "مدرسة\x00جديدة"})
    assert response.status_code == 400 and "NUL character" in response.json()["error"]["message"]


@pytest.mark.parametrize("params, field, message", [
    ({"q": "مدرسة", "source": "a b"}, "source",
     "'a b' is not a source language of this desk; it translates from ar (Arabic) (SOURCE_LANGUAGES)."),
    ({"q": "مدرسة", "target": "e" * 40}, "target", "Use a language code such as 'ar' or 'en'."),
    ({"q": "مدرسة", "source": "'; DROP TABLE x; --"}, "source",
     "''; DROP TABLE x; --' is not a source language of this desk; it translates from ar (Arabic) (SOURCE_LANGUAGES)."),
])
def test_memory_api_refuses_bad_language_codes(api, translator, params, field, message):
    response = api(translator).get("/api/v1/memory/", params)
    assert response.status_code == 400
    assert response.json()["error"]["details"] == {field: [message]}


def test_workspace_memory_matches_load_on_focus(make_article, editor, translator):
    published = make_article(State.PUBLISHED)
    article = create_article(editor)
    client = Client()
    client.force_login(editor)  # a source not yet drafted: translators do not read it (workflow, "Reading")
    segment = article.document.segments.get(position=1)
    html = client.get(f"/desk/articles/{article.pk}/segments/{segment.pk}/matches/").content.decode()
    expected = published.document.segments.get(position=1).text
    assert "memory 100%" in html and expected in html and f"#{published.pk}" in html


@pytest.mark.parametrize("state, allowed", [
    (State.SOURCE, False), (State.MACHINE_DRAFT, False), (State.TRANSLATION, True), (State.EDITING, True),
    (State.SCHEDULED, False), (State.PUBLISHED, False), (State.ARCHIVED, False),
])
def test_checks_are_overridden_only_while_the_text_can_change(make_article, editor, state, allowed):
    """A source or a draft has no text to judge yet; a scheduled, published or archived one is frozen."""
    from editorial import quality

    article = make_article(state)
    segment = article.document.segments.get(position=1)
    # An error to override in every state: Arabic left in the translation.
    from translations.models import Segment

    Segment.objects.filter(pk=segment.pk).update(text="The city of جاسم calmed.")
    if allowed:
        quality.override(article.pk, segment.pk, editor, code="untranslated", reason="The name as printed.")
    else:
        with pytest.raises(Refused) as refused:
            quality.override(article.pk, segment.pk, editor, code="untranslated", reason="The name as printed.")
        assert (refused.value.status, refused.value.code) == (409, "invalid_state")
    assert quality.OVERRIDABLE_STATES == workflow.EDITABLE_STATES
