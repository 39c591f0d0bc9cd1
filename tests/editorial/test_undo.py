"""Undoing without losing: one segment restored from a revision, a whole revert that says what it will change
first, archive undone by restore, and destructive desk actions asked before they are done."""

import re

import pytest

from editorial import services, workflow
from editorial.history import revisions
from editorial.models import Article, State
from tests.conftest import article_in, make_user
from tests.editorial.test_desk import signed_in
from translations.models import GlossaryTerm, Segment

pytestmark = pytest.mark.django_db


def texts(article) -> dict[int, str]:
    return dict(Segment.objects.filter(document_id=article.document_id).values_list("position", "text"))


def editing_with_history(make_article, editor):
    """An article in editing where the editor rewrote segments 1 and 2 and the standfirst after revision `before`."""
    article = make_article(State.EDITING)
    before = revisions(article).first().revision_id
    for position, text in ((1, "Rewritten one"), (2, "Rewritten two")):
        segment = article.document.segments.get(position=position)
        services.save_segment(article.pk, segment.pk, editor, text=text, version=segment.version)
    article.refresh_from_db()
    services.update_details(article.pk, editor, version=article.version, standfirst="A later standfirst")
    return Article.objects.get(pk=article.pk), before


def test_one_segment_is_restored_and_nothing_else_moves(make_article, editor):
    article, before = editing_with_history(make_article, editor)
    old = texts(article)
    segment = article.document.segments.get(position=1)

    services.revert(article.pk, before, editor, segment_id=segment.pk)

    now = texts(article)
    assert now[1] != "Rewritten one" and now[2] == "Rewritten two"
    assert {p: t for p, t in now.items() if p != 1} == {p: t for p, t in old.items() if p != 1}
    assert Article.objects.get(pk=article.pk).standfirst == "A later standfirst"
    assert revisions(article).first().revision.comment == f"Restored segment 1 from revision {before}"


def test_the_api_restores_one_segment_and_refuses_another_articles(make_article, editor, api):
    article, before = editing_with_history(make_article, editor)
    other = make_article(State.EDITING)
    client = api(editor)
    url = f"/api/v1/articles/{article.pk}/history/{before}/revert/"
    stranger = other.document.segments.first()
    assert client.post(url, {"segment": stranger.pk}, format="json").status_code == 404
    assert client.post(url, {"segment": "1"}, format="json").status_code == 400
    response = client.post(url, {"segment": article.document.segments.get(position=2).pk}, format="json")
    assert response.status_code == 200, response.json()
    assert texts(article)[1] == "Rewritten one" and texts(article)[2] != "Rewritten two"
    assert client.post(url, format="json").status_code == 200  # the whole article, as API.md has it
    assert texts(article)[1] != "Rewritten one"
    assert Article.objects.get(pk=article.pk).standfirst != "A later standfirst"


def test_the_desk_says_what_a_whole_revert_changes_before_doing_it(make_article, editor):
    article, before = editing_with_history(make_article, editor)
    client = signed_in(editor)
    url = f"/desk/articles/{article.pk}/history/{before}/revert/"
    asked = client.post(url)
    html = asked.content.decode()
    assert asked.status_code == 200
    assert f"2 segments get their text from revision {before}" in html
    assert "The standfirst becomes" in html or "The standfirst is emptied." in html
    assert "Rewritten one" in html and "Rewritten two" in html  # the segments it changes, now and after
    assert texts(article)[1] == "Rewritten one"  # nothing done yet

    assert client.post(url, {"confirmed": "1"}).status_code == 302
    assert texts(article)[1] != "Rewritten one"


def test_the_compare_view_restores_one_segment_after_asking(make_article, editor):
    article, before = editing_with_history(make_article, editor)
    client = signed_in(editor)
    segment = article.document.segments.get(position=2)
    html = client.get(f"/desk/articles/{article.pk}/compare/?from={before}").content.decode()
    assert f"Restore segment 2 from revision {before}" in html
    url = f"/desk/articles/{article.pk}/history/{before}/revert/"
    asked = client.post(url, {"segment": segment.pk}).content.decode()
    assert f"This segment gets its text from revision {before}." in asked and "Rewritten two" in asked
    assert f'name="segment" value="{segment.pk}"' in asked and 'name="confirmed" value="1"' in asked
    client.post(url, {"segment": segment.pk, "confirmed": "1"})
    assert texts(article)[2] != "Rewritten two" and texts(article)[1] == "Rewritten one"


@pytest.mark.parametrize("state", [State.SOURCE, State.MACHINE_DRAFT, State.TRANSLATION, State.EDITING])
def test_restore_brings_an_archived_article_back_to_its_state(state, editor, translator):
    article = article_in(state, editor=editor, translator=translator, paragraphs=1)
    workflow.apply(article.pk, editor, "archive")
    assert workflow.allowed_actions(Article.objects.get(pk=article.pk), translator) == []
    workflow.apply(article.pk, editor, "restore")
    restored = Article.objects.get(pk=article.pk)
    assert restored.state == state
    assert restored.state_changes.last().action == "restore"


def test_a_scheduled_article_restored_comes_back_to_editing(editor, translator):
    article = article_in(State.SCHEDULED, editor=editor, translator=translator, paragraphs=1)
    workflow.apply(article.pk, editor, "archive")
    workflow.apply(article.pk, editor, "restore")
    restored = Article.objects.get(pk=article.pk)
    assert (restored.state, restored.publish_at) == (State.EDITING, None)


def test_the_desk_lists_archived_articles_for_editors_to_restore(make_article, editor):
    article = make_article(State.TRANSLATION)
    client = signed_in(editor)
    asked = client.post(f"/desk/articles/{article.pk}/actions/archive/")
    assert asked.status_code == 200 and "can restore it to the state it had" in asked.content.decode()
    assert Article.objects.get(pk=article.pk).state == State.TRANSLATION  # asked, not done
    client.post(f"/desk/articles/{article.pk}/actions/archive/", {"confirmed": "1"})
    assert Article.objects.get(pk=article.pk).state == State.ARCHIVED

    desk = client.get("/desk/").content.decode()
    archived = desk[desk.index('data-section="archived"'):]
    archived = archived[:archived.index("</section>")]
    assert f'action="/desk/articles/{article.pk}/actions/restore/"' in archived
    client.post(f"/desk/articles/{article.pk}/actions/restore/")
    assert Article.objects.get(pk=article.pk).state == State.TRANSLATION


def test_destructive_buttons_carry_what_they_do(make_article, editor, admin_user):
    article = make_article(State.EDITING)
    html = signed_in(editor).get(f"/desk/articles/{article.pk}/").content.decode()
    assert 'data-action="archive" data-confirm="Archive #' in html
    GlossaryTerm.objects.create(source_term="درعا", target_term="Daraa")
    assert 'data-confirm="Remove درعا → Daraa' in signed_in(editor).get("/desk/glossary/").content.decode()
    make_user("translator", "rami")
    assert 'data-confirm="Deactivate rami?' in signed_in(admin_user).get("/desk/team/").content.decode()


def test_a_segments_own_history_restores_any_earlier_text(make_article, editor, translator):
    article, _ = editing_with_history(make_article, editor)
    segment = article.document.segments.get(position=1)
    client = signed_in(editor)
    workspace = client.get(f"/desk/articles/{article.pk}/").content.decode()
    assert f'href="/desk/articles/{article.pk}/segments/{segment.pk}/history/"' in workspace
    html = client.get(f"/desk/articles/{article.pk}/segments/{segment.pk}/history/").content.decode()
    assert html.index("Rewritten one") < html.index("English text 1")  # newest first
    revision = int(re.findall(r'action="/desk/articles/\d+/history/(\d+)/revert/"', html)[0])
    client.post(f"/desk/articles/{article.pk}/history/{revision}/revert/",
                {"segment": segment.pk, "confirmed": "1"})
    assert texts(article)[1].startswith("English text 1") and texts(article)[2] == "Rewritten two"
    # Translators read it, without the restore buttons.
    read = signed_in(translator).get(f"/desk/articles/{article.pk}/segments/{segment.pk}/history/")
    assert read.status_code == 200 and "Restore this text" not in read.content.decode()
