"""The three journeys of the desk, in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from editorial import services, workflow
from editorial.models import Article, State
from tests.conftest import PASSWORD, article_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_translator_claims_edits_survives_a_conflict_and_submits(
    live_server, browser, sign_in, editor, translator, other_translator
):
    article = article_in(State.MACHINE_DRAFT, editor=editor, translator=translator, paragraphs=2)
    context = browser.new_context()
    page = sign_in(context.new_page(), "sami", PASSWORD)

    # Claim from the desk.
    expect(page.locator('[data-section="claimable"]')).to_contain_text(f"#{article.pk}")
    page.click(f'a[href="/desk/articles/{article.pk}/"]')
    page.get_by_role("button", name="Claim").click()
    expect(page.locator(".state")).to_have_text("Translation")

    # Autosave: type, and the segment says saved; Ctrl+Enter moves to the next segment.
    segments = list(article.document.segments.order_by("position"))
    title = page.locator(f"#text-{segments[0].pk}")
    title.fill("Agreement Ends Escalation in Jasim")
    title.press("Control+Enter")
    expect(page.locator(f"#segment-{segments[0].pk} .save-state")).to_have_text("saved")
    expect(page.locator(f"#text-{segments[1].pk}")).to_be_focused()
    assert Article.objects.get(pk=article.pk).document.segments.get(position=0).text == (
        "Agreement Ends Escalation in Jasim"
    )

    # Meanwhile an editor saves the same segment from another browser.
    other = sign_in(browser.new_context().new_page(), "layla", PASSWORD)
    other.goto(f"{live_server.url}/desk/articles/{article.pk}/")
    other.locator(f"#text-{segments[1].pk}").fill("Life returned to normal, said the editor.")
    other.locator(f"#text-{segments[1].pk}").press("Control+Enter")
    expect(other.locator(f"#segment-{segments[1].pk} .save-state")).to_have_text("saved")

    # The translator's save of that segment meets the newer version: both texts are shown, nothing is lost.
    page.locator(f"#text-{segments[1].pk}").fill("Life returned to normal in the city.")
    page.locator(f"#text-{segments[1].pk}").press("Control+Enter")
    conflict = page.locator(f"#segment-{segments[1].pk} .conflict")
    expect(conflict).to_contain_text("Changed by layla")
    expect(conflict.locator(".theirs")).to_have_text("Life returned to normal, said the editor.")
    expect(conflict.locator(".mine")).to_have_text("Life returned to normal in the city.")
    conflict.get_by_role("button", name="Keep mine").click()
    expect(page.locator(f"#segment-{segments[1].pk} .save-state")).to_have_text("saved")
    stored = Article.objects.get(pk=article.pk).document.segments.get(position=1)
    assert stored.text == "Life returned to normal in the city."

    # Fill the rest and submit.
    for segment in segments[2:]:
        page.locator(f"#text-{segment.pk}").fill(f"Paragraph {segment.position} in English.")
        page.locator(f"#text-{segment.pk}").press("Control+Enter")
        expect(page.locator(f"#segment-{segment.pk} .save-state")).to_have_text("saved")
    expect(page.locator("#progress-text")).to_have_text(f"{len(segments)}/{len(segments)}")
    page.get_by_role("button", name="Submit for editing").click()
    expect(page.locator(".state")).to_have_text("Editing")
    assert Article.objects.get(pk=article.pk).state == State.EDITING


def test_editor_compares_requests_changes_then_publishes(live_server, page, sign_in, editor, translator):
    article = article_in(State.EDITING, editor=editor, translator=translator, paragraphs=2)
    segment = article.document.segments.get(position=1)
    services.save_segment(article.pk, segment.pk, editor, text="The slow brown fox", version=segment.version)

    sign_in(page, "layla", PASSWORD)
    page.goto(f"{live_server.url}/desk/articles/{article.pk}/history/")
    page.get_by_role("button", name="Compare").click()
    expect(page.locator("table.compare ins")).to_contain_text("slow")
    expect(page.locator("table.compare del").first).to_be_visible()
    expect(page.locator("tr.folded").first).to_contain_text("1 unchanged")

    page.goto(f"{live_server.url}/desk/articles/{article.pk}/")
    page.get_by_text("Request changes…").click()  # the reason is asked only by the action that needs one
    page.get_by_label("Why").fill("Please check the casualty figures.")
    page.get_by_role("button", name="Request changes").click()
    expect(page.locator(".state")).to_have_text("Translation")
    assert Article.objects.get(pk=article.pk).state_changes.last().comment == "Please check the casualty figures."

    workflow.apply(article.pk, translator, "submit")
    page.reload()
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".state")).to_have_text("Published")
    assert Article.objects.get(pk=article.pk).state == State.PUBLISHED


def test_admin_creates_a_translator_who_can_then_sign_in(live_server, browser, sign_in, admin_user):
    page = sign_in(browser.new_context().new_page(), admin_user.username, PASSWORD)
    page.get_by_role("link", name="Team", exact=True).click()
    page.get_by_label("Username").fill("nadia")
    page.get_by_label("Email").fill("nadia@example.org")
    page.get_by_label("Role", exact=True).select_option("translator")
    page.get_by_label("Password").fill("Long-enough-pass-1")
    page.get_by_role("button", name="Add").click()
    expect(page.locator(".messages")).to_contain_text("nadia can now sign in as translator")

    newcomer = sign_in(browser.new_context().new_page(), "nadia", "Long-enough-pass-1")
    expect(newcomer.locator("h2").first).to_contain_text("My work")
    expect(newcomer.locator(".who")).to_contain_text(re.compile("nadia.*translator"))
