"""The incoming page by keyboard: j and k move between sources, d declines the one in focus (a reason, then
Enter), t takes it; keys typed into the reason are the reason's."""

import pytest
from playwright.sync_api import expect

from editorial.models import Article, State
from tests.conftest import PASSWORD
from tests.editorial.test_wire import BREAD, MARKET, _source

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_editor_goes_through_the_incoming_list_by_keyboard(live_server, browser, sign_in, editor):
    older = _source(editor, BREAD, outlet="Orient Daily")
    newer = _source(editor, MARKET, outlet="Idlib Today")
    page = sign_in(browser.new_context().new_page(), "layla", PASSWORD)
    page.goto(f"{live_server.url}/desk/incoming/")
    page.keyboard.press("j")
    expect(page.locator(f"#item-{newer.pk}")).to_be_focused()
    page.keyboard.press("j")
    expect(page.locator(f"#item-{older.pk}")).to_be_focused()
    page.keyboard.press("k")
    expect(page.locator(f"#item-{newer.pk}")).to_be_focused()

    page.keyboard.press("d")
    reason = page.locator(f"#reason-{newer.pk}")
    expect(reason).to_be_focused()
    page.keyboard.type("dtjk not ours")  # the letters are the reason's, not commands
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text(f"Declined #{newer.pk}")
    assert Article.objects.get(pk=newer.pk).state == State.ARCHIVED
    assert Article.objects.get(pk=newer.pk).state_changes.get(action="decline").comment == "dtjk not ours"

    page.keyboard.press("j")
    expect(page.locator(f"#item-{older.pk}")).to_be_focused()
    page.keyboard.press("t")
    expect(page.get_by_role("status")).to_contain_text(f"Taken: #{older.pk} is being drafted")
    assert Article.objects.get(pk=older.pk).jobs.filter(kind="draft").exists()
