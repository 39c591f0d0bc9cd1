"""Find and replace in an article's translations: previewed, one revision, nothing overwritten."""

import pytest

from editorial import services
from editorial.history import revisions
from editorial.models import State
from tests.conftest import fill_segments
from tests.editorial.test_desk import signed_in
from translations.find import replaced
from translations.models import Segment

pytestmark = pytest.mark.django_db


def texts(article) -> dict[int, str]:
    return dict(Segment.objects.filter(document_id=article.document_id).values_list("position", "text"))


def test_replaced_is_plain_text_with_or_without_case():
    assert replaced("Daraa and daraa", "daraa", "Deraa", match_case=False) == ("Deraa and Deraa", 2)
    assert replaced("Daraa and daraa", "daraa", "Deraa", match_case=True) == ("Daraa and Deraa", 1)
    assert replaced("a.b", ".", r"\1$1") == (r"a\1$1b", 1)  # neither a pattern nor a template
    assert replaced(None, "x", "y") == (None, 0)


def test_preview_then_replace_as_one_revision(make_article, translator):
    article = make_article(State.TRANSLATION)
    fill_segments(article, translator, text="Daraa report")
    client = signed_in(translator)
    before = texts(article)
    preview = client.post(f"/desk/articles/{article.pk}/replace/", {"find": "daraa", "replace": "Deraa"})
    html = preview.content.decode()
    assert preview.status_code == 200
    assert f"{len(before)} occurrences in {len(before)} segments" in html and "<ins>Deraa</ins>" in html
    assert texts(article) == before  # a preview changes nothing

    fields = {"find": "daraa", "replace": "Deraa", "confirmed": "1"}
    fields |= {f"v-{s.pk}": str(s.version) for s in article.document.segments.all()}
    revisions_before = revisions(article).count()
    client.post(f"/desk/articles/{article.pk}/replace/", fields)
    assert texts(article) == {p: t.replace("Daraa", "Deraa") for p, t in before.items()}
    assert revisions(article).count() == revisions_before + 1
    assert revisions(article).first().revision.comment.startswith("Replaced \u201cdaraa\u201d with \u201cDeraa\u201d")


def test_a_segment_changed_since_the_preview_is_left_alone(make_article, translator, other_translator, editor):
    article = make_article(State.TRANSLATION)
    fill_segments(article, translator, text="Daraa report")
    seen = {s.pk: s.version for s in article.document.segments.all()}
    one = article.document.segments.get(position=1)
    services.save_segment(article.pk, one.pk, editor, text="Daraa, rewritten meanwhile", version=one.version)

    result = services.replace_all(article.pk, translator, "Daraa", "Deraa", match_case=True, versions=seen)
    assert result["skipped"] == [1] and 1 not in result["changed"] and result["changed"]
    assert texts(article)[1] == "Daraa, rewritten meanwhile"


def test_only_who_may_edit_replaces(make_article, translator, other_translator):
    article = make_article(State.TRANSLATION)
    fill_segments(article, translator, text="Daraa report")
    before = texts(article)
    response = signed_in(other_translator).post(f"/desk/articles/{article.pk}/replace/",
                                                {"find": "Daraa", "replace": "X"}, follow=True)
    assert "Deraa" not in response.content.decode() and texts(article) == before
    assert signed_in(translator).post(f"/desk/articles/{article.pk}/replace/", {"find": "", "replace": "X"},
                                      follow=True).content.decode().count("Say what to find.") == 1


def test_concordance_finds_a_phrase_in_sources_and_translations(make_article, translator):
    from datetime import UTC, datetime

    from translations import memory

    memory.store([memory.Pair("عادت الحياة إلى طبيعتها في مدينة جاسم", "Life returned to normal in Jasim"),
                  memory.Pair("أعيد فتح الطرق في درعا", "Roads reopened in Daraa")], "ar", "en",
                 datetime(2026, 1, 1, tzinfo=UTC))
    article = make_article(State.TRANSLATION)
    client = signed_in(translator)
    url = f"/desk/articles/{article.pk}/concordance/"
    html = client.get(url, {"q": "مدينةَ جاسم"}).content.decode()  # folded: the mark does not matter
    assert "Life returned to normal in Jasim" in html and "Roads reopened" not in html
    html = client.get(url, {"q": "roads REOPENED"}).content.decode()
    assert "Roads reopened in Daraa" in html and "Jasim" not in html
    assert "Nothing in the memory holds" in client.get(url, {"q": "Homs"}).content.decode()
