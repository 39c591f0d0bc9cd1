"""Presence: two people on one article see each other, and the segment each is on, before a conflict."""

import re

import pytest
from playwright.sync_api import expect

from editorial.models import State
from tests.conftest import PASSWORD, article_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_each_sees_who_else_is_here_and_on_which_segment(live_server, browser, sign_in, editor, translator):
    article = article_in(State.EDITING, editor=editor, translator=translator, paragraphs=2)
    segment = article.document.segments.get(position=2)
    url = f"{live_server.url}/desk/articles/{article.pk}/"
    layla = sign_in(browser.new_context().new_page(), "layla", PASSWORD)
    sami = sign_in(browser.new_context().new_page(), "sami", PASSWORD)
    layla.goto(url)
    layla.get_by_label("Translation of segment 2", exact=True).focus()
    sami.goto(url)
    # sami's first heartbeat, on load, already shows layla; hers shows him at her next one (every 10 s).
    expect(sami.locator("#presence")).to_contain_text("Also here now: layla (on segment 2)", timeout=15_000)
    expect(sami.locator(f"#segment-{segment.pk}")).to_have_class(re.compile(r"\bsomeone-here\b"))
    expect(sami.locator(f"#segment-{segment.pk} .meta")).to_have_attribute("data-here", "layla")
    expect(layla.locator("#presence")).to_contain_text("Also here now: sami", timeout=15_000)
