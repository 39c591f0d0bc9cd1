"""The other ways out of a conflict, and text that never reached the server surviving a reload."""

import pytest
from playwright.sync_api import expect

from editorial import services
from editorial.models import State
from tests.conftest import PASSWORD, article_in
from translations.models import Segment

pytestmark = pytest.mark.django_db(transaction=True)


def conflicted(live_server, page, sign_in, editor, translator):
    """sami types into segment 1 while layla has saved it meanwhile: the conflict box is open."""
    article = article_in(State.TRANSLATION, editor=editor, translator=translator, paragraphs=2)
    segment = article.document.segments.get(position=1)
    sign_in(page, "sami", PASSWORD)
    page.goto(f"{live_server.url}/desk/articles/{article.pk}/")
    services.save_segment(article.pk, segment.pk, editor, text="The editor's version.", version=segment.version)
    box = page.get_by_label("Translation of segment 1", exact=True)
    box.fill("The translator's version.")
    box.press("Control+Enter")
    conflict = page.locator(f"#segment-{segment.pk} .conflict")
    expect(conflict).to_contain_text("Changed by layla")
    return segment, box, conflict


def test_take_theirs(live_server, page, sign_in, editor, translator):
    segment, box, conflict = conflicted(live_server, page, sign_in, editor, translator)
    conflict.get_by_role("button", name="Take theirs").click()
    expect(box).to_have_value("The editor's version.")
    expect(page.locator(f"#segment-{segment.pk} .save-state")).to_have_text("saved")
    assert Segment.objects.get(pk=segment.pk).text == "The editor's version."
    page.reload()
    expect(page.locator(".conflict")).to_have_count(0)  # nothing offered back after a reload


def test_edit_both_together(live_server, page, sign_in, editor, translator):
    segment, box, conflict = conflicted(live_server, page, sign_in, editor, translator)
    conflict.get_by_role("button", name="Edit both together").click()
    expect(box).to_have_value("The editor's version.\nThe translator's version.")
    expect(box).to_be_focused()
    box.fill("The two, merged.")
    box.press("Control+Enter")
    expect(page.locator(f"#segment-{segment.pk} .save-state")).to_have_text("saved")
    assert Segment.objects.get(pk=segment.pk).text == "The two, merged."


def test_unsaved_text_survives_a_reload(live_server, page, sign_in, editor, translator):
    article = article_in(State.TRANSLATION, editor=editor, translator=translator, paragraphs=2)
    segment = article.document.segments.get(position=2)
    sign_in(page, "sami", PASSWORD)
    page.goto(f"{live_server.url}/desk/articles/{article.pk}/")
    # The server is unreachable for saves: the text stays in the page and in the browser's storage.
    page.route("**/api/v1/articles/*/segments/*/", lambda route: route.abort())
    box = page.get_by_label("Translation of segment 2", exact=True)
    box.fill("Typed while offline.")
    box.press("Control+Enter")
    expect(page.locator(f"#segment-{segment.pk} .save-state")).to_contain_text("not saved")
    page.unroute("**/api/v1/articles/*/segments/*/")
    page.once("dialog", lambda dialog: dialog.accept())  # the browser's "leave the page?" question
    page.reload()
    offered = page.locator(f"#segment-{segment.pk} .conflict")
    expect(offered).to_contain_text("Unsaved text from your last visit was kept.")
    expect(offered.locator(".mine")).to_have_text("Typed while offline.")
    offered.get_by_role("button", name="Keep mine").click()
    expect(page.locator(f"#segment-{segment.pk} .save-state")).to_have_text("saved")
    assert Segment.objects.get(pk=segment.pk).text == "Typed while offline."
