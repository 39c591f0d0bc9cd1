"""Bad input on the desk and the public site: a clear 4xx, never a 500, and nothing typed is lost."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from editorial.models import State
from translations.models import GlossaryTerm

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_nul_character_is_refused_before_it_reaches_the_database(make_article, editor):
    article = make_article(State.EDITING)
    response = signed_in(editor).post(f"/desk/articles/{article.pk}/actions/request_changes/",
                                      {"comment": "Check\x00 this"})
    assert response.status_code == 400 and "NUL character" in response.content.decode()
    assert Client().get("/keywords/%00/").status_code == 400
    api = Client()
    api.force_login(editor)
    response = api.get("/api/v1/articles/", {"q": "a\x00b"})
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid"


def test_an_impossible_publishing_time_is_a_clear_error_and_keeps_the_comment(make_article, editor):
    article = make_article(State.EDITING)
    response = signed_in(editor).post(f"/desk/articles/{article.pk}/actions/publish/",
                                      {"publish_at": "2030-02-30T10:00", "comment": "My long note"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "The publishing time is not a date and time." in html and "My long note" in html


def test_compare_with_a_revision_that_is_not_a_number_shows_the_latest(make_article, editor):
    article = make_article(State.EDITING)
    for value in ("²", "٣", "9" * 40, "-1"):
        assert signed_in(editor).get(f"/desk/articles/{article.pk}/compare/", {"to": value}).status_code == 200


def test_details_with_a_garbled_version_are_a_400_and_keep_the_text(make_article, editor):
    article = make_article(State.EDITING)
    response = signed_in(editor).post(f"/desk/articles/{article.pk}/details/",
                                      {"version": "x", "standfirst": "Kept standfirst", "keywords": "Daraa"})
    assert response.status_code == 400 and "Kept standfirst" in response.content.decode()


def test_a_team_change_with_an_unknown_value_changes_nothing(admin_user, translator):
    signed_in(admin_user).post(f"/desk/team/{translator.pk}/", {"is_active": "maybe"})
    translator.refresh_from_db()
    assert translator.is_active


def _import(editor, text: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return signed_in(editor).post("/desk/glossary/import/",
                                  {"file": SimpleUploadedFile("g.csv", text.encode(), content_type="text/csv")})


HEADER = "source_term,target_term,note,do_not_translate\n"


@pytest.mark.parametrize("rows, message", [
    ("جاسم,Jasim,,yes\nدرعا," + "D" * 201 + ",,no\n", "Line 3: the rendering is longer than 200 characters."),
    ("جاسم,Jasim,,yes\nدرعا,Daraa," + "n" * 501 + ",no\n", "Line 3: the note is longer than 500 characters."),
    ("جاسم,Jasim,,yes\nجاسِم,Jassem,,no\n", "Line 3: the term repeats line 2 (جاسِم)."),
    ("جاسم,Jasim,,yes\nدرعا,Da\x00raa,,no\n", "The file contains a NUL character: it is not a CSV text file."),
    ("جاسم,Jasim,,yes\nدرعا,\"" + "D" * 140_000 + "\",,no\n", "the file cannot be read as CSV"),
])
def test_a_glossary_file_with_a_bad_line_is_refused_whole(editor, rows, message):
    response = _import(editor, HEADER + rows)
    assert response.status_code == 400
    from html import unescape

    assert message in unescape(response.content.decode())
    assert not GlossaryTerm.objects.exists()  # line 2 was fine, and was not written either


def test_a_good_glossary_file_is_imported(editor):
    assert _import(editor, HEADER + "جاسم,Jasim,town,yes\n").status_code == 302
    assert GlossaryTerm.objects.get().target_term == "Jasim"


def _terms(n: int, start: int = 0) -> str:
    letters = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"

    def word(i: int) -> str:
        out = ""
        for _ in range(4):
            i, r = divmod(i, len(letters))
            out += letters[r]
        return out

    return "".join(f"{word(i)},Term {i},,no\n" for i in range(start, start + n))


def test_a_glossary_file_over_the_row_limit_is_refused_before_anything_is_written(editor, settings):
    settings.MAX_GLOSSARY_ROWS = 100
    response = _import(editor, HEADER + _terms(101))
    assert response.status_code == 413
    assert "more than 100 terms" in response.content.decode()
    assert not GlossaryTerm.objects.exists()


def test_ten_thousand_terms_are_written_in_a_few_bulk_queries(editor, django_assert_max_num_queries):
    """A large file holds the write lock for a few statements, not one per row (times go to benchmarks)."""
    _import(editor, HEADER + _terms(3, start=0))  # three that the file below updates
    # Two statements per 500 terms (count what exists, upsert), plus the page's own: not one or more per term.
    client = signed_in(editor)
    upload = SimpleUploadedFile("g.csv", (HEADER + _terms(10_000).replace(",Term 1,", ",Renamed,", 1)).encode(),
                                content_type="text/csv")
    # A statement per batch (SQLite's parameter limit makes its batches ~120 terms, PostgreSQL's 500) and a
    # count per 500, plus the page's own: about 110 on SQLite, 70 on PostgreSQL, never one or more per term.
    with django_assert_max_num_queries(150):
        response = client.post("/desk/glossary/import/", {"file": upload})
    assert response.status_code == 302
    assert GlossaryTerm.objects.count() == 10_000
    assert GlossaryTerm.objects.filter(target_term="Renamed").count() == 1
    assert "Imported: 9997 new term(s), 3 updated." in client.get(response["Location"]).content.decode()
