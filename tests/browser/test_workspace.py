"""Workspace journeys in Chromium: checks as you type, finding the next issue, and the editor's reasons."""

import pytest
from playwright.sync_api import expect

from editorial import services, workflow
from editorial.models import State
from tests.conftest import PASSWORD, article_in
from translations.checks.numbers import digit_numbers

pytestmark = pytest.mark.django_db(transaction=True)



def clean(segment) -> str:
    """A translation no check objects to: long enough, with the source's numbers."""
    numbers = " ".join(digit_numbers(segment.source_text))
    if segment.kind == "title":
        return "Agreement ends the escalation" + (f" {numbers}" if numbers else "")
    return "A full English translation of this paragraph, with every one of its facts" + (
        f" ({numbers})" if numbers else "") + "."


def test_a_check_appears_beside_the_text_once_it_is_saved_and_next_issue_finds_it(
    live_server, page, sign_in, editor, translator
):
    article = article_in(State.TRANSLATION, editor=editor, translator=translator, paragraphs=3)
    segments = list(article.document.segments.order_by("position"))
    for segment in segments:  # translations with no issue at all
        services.save_segment(article.pk, segment.pk, translator, text=clean(segment), version=segment.version)
    numbered = next(s for s in segments if digit_numbers(s.source_text))
    sign_in(page, "sami", PASSWORD)
    page.goto(f"{live_server.url}/desk/articles/{article.pk}/")
    expect(page.locator("#issue-count")).to_have_text("No open issues.")

    box = page.get_by_label(f"Translation of segment {numbered.position}", exact=True)
    box.fill("No figures in this one.")
    box.press("Control+Enter")
    row = page.locator(f"#segment-{numbered.pk}")
    expect(row.locator(".save-state")).to_have_text("saved")
    # Beside the English text, from the save's answer, without a reload.
    expect(row.locator(".target .issues .issue.error")).to_contain_text("numbers:")
    expect(page.locator("#issue-count")).to_have_text("1 segment has open issues.")

    page.get_by_label(f"Translation of segment {segments[0].position}", exact=True).focus()
    page.get_by_role("button", name="Next issue").click()
    expect(box).to_be_focused()

    page.get_by_label("Only segments with issues").check()
    expect(page.locator(f"#segment-{segments[0].pk}")).to_be_hidden()
    expect(row).to_be_visible()
    page.get_by_label("Only segments with issues").uncheck()

    # Submit lists what is left, each linked to its segment.
    page.get_by_role("button", name="Submit for editing").click()
    refusal = page.get_by_role("alert").filter(has_text="to fix")
    expect(refusal.get_by_role("link", name=f"Segment {numbered.position}")).to_be_visible()

    # Fixing the text clears the issue as soon as the save answers.
    fixed = page.get_by_label(f"Translation of segment {numbered.position}", exact=True)
    fixed.fill(clean(numbered))
    fixed.press("Control+Enter")
    expect(row.locator(".target .issues .issue")).to_have_count(0)
    expect(page.locator("#issue-count")).to_have_text("No open issues.")


def test_the_editors_reason_for_changes_reaches_the_translator(live_server, page, sign_in, editor, translator):
    article = article_in(State.EDITING, editor=editor, translator=translator, paragraphs=2)
    edited = article.document.segments.get(position=1)
    services.save_segment(article.pk, edited.pk, editor, text="The editor's own words", version=edited.version)
    workflow.apply(article.pk, editor, "request_changes", comment="Please check the casualty figures.")

    sign_in(page, "sami", PASSWORD)
    expect(page.locator('[data-section="mine"]')).to_contain_text("Changes requested: Please check the casualty")
    page.click(f'a[href="/desk/articles/{article.pk}/"]')
    note = page.get_by_role("note").filter(has_text="Changes requested by layla")
    expect(note).to_contain_text("Please check the casualty figures.")
    note.get_by_role("link", name=str(edited.position)).click()
    expect(page).to_have_url(f"{live_server.url}/desk/articles/{article.pk}/#text-{edited.pk}")


def test_archive_asks_first_and_the_archive_list_restores(live_server, page, sign_in, editor, translator):
    article = article_in(State.TRANSLATION, editor=editor, translator=translator, paragraphs=1)
    sign_in(page, "layla", PASSWORD)
    page.goto(f"{live_server.url}/desk/articles/{article.pk}/")
    asked = []

    def answer(dialog, accept):
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, False))
    page.get_by_role("button", name="Archive").click()
    expect(page.locator(".state")).to_have_text("Translation")
    assert "can restore it to the state it had" in asked[0]

    page.once("dialog", lambda dialog: answer(dialog, True))
    page.get_by_role("button", name="Archive").click()
    expect(page.locator(".state")).to_have_text("Archived")

    page.goto(f"{live_server.url}/desk/")
    page.locator('[data-section="archived"]').get_by_role("button", name=f"Restore #{article.pk}").click()
    expect(page.locator(".state")).to_have_text("Translation")


def test_a_keyboard_first_segment(live_server, page, sign_in, editor, translator):
    from datetime import UTC, datetime

    from translations import memory
    from translations.models import GlossaryTerm

    article = article_in(State.TRANSLATION, editor=editor, translator=translator, paragraphs=2)
    segment = article.document.segments.get(position=1)
    memory.store([memory.Pair(segment.source_text, "The remembered translation.")], "ar", "en",
                 datetime(2026, 1, 1, tzinfo=UTC))
    word = segment.source_text.split()[0]
    GlossaryTerm.objects.create(source_term=word, target_term="Glossary rendering")
    Segment = type(segment)
    Segment.objects.filter(pk=segment.pk).update(machine_text="The machine draft.", engine="libretranslate")

    sign_in(page, "sami", PASSWORD)
    page.goto(f"{live_server.url}/desk/articles/{article.pk}/")
    page.keyboard.press("?")
    shortcuts = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(shortcuts).to_be_visible()
    expect(shortcuts).to_contain_text("Use the first, second or third memory match")
    shortcuts.get_by_role("button", name="Close").click()

    box = page.get_by_label("Translation of segment 1", exact=True)
    box.focus()
    row = page.locator(f"#segment-{segment.pk}")
    expect(row.locator(".memory .matches")).to_contain_text("The remembered translation.")
    box.press("Control+1")
    expect(box).to_have_value("The remembered translation.")
    expect(box).to_be_focused()  # never left on a button
    expect(row.locator(".save-state")).to_have_text("saved")
    expect(row.locator(".counts")).to_have_text("3 words · 27 characters")

    box.press("Alt+d")
    expect(box).to_have_value("The machine draft.")
    box.press("End")
    box.type(" ")
    box.press("Alt+g")
    expect(box).to_have_value("The machine draft. Glossary rendering")

    row.get_by_role("button", name="Use (Ctrl+1)").click()  # by mouse: the focus comes back to the text
    expect(box).to_have_value("The remembered translation.")
    expect(box).to_be_focused()

    box.press("Alt+a")
    expect(page.get_by_role("button", name="Submit for editing")).to_be_focused()


def test_one_segment_is_restored_from_the_compare_view_after_seeing_what_changes(
    live_server, page, sign_in, editor, translator
):
    article = article_in(State.EDITING, editor=editor, translator=translator, paragraphs=2)
    first = article.revisions.order_by("revision_id").first().revision_id
    one, two = (article.document.segments.get(position=p) for p in (1, 2))
    services.save_segment(article.pk, one.pk, editor, text="Edited one", version=one.version)
    services.save_segment(article.pk, two.pk, editor, text="Edited two", version=two.version)
    sign_in(page, "layla", PASSWORD)
    page.goto(f"{live_server.url}/desk/articles/{article.pk}/compare/?from={first}")
    page.get_by_role("button", name=f"Restore segment 2 from revision {first}").click()
    heading = f"Restore a segment of #{article.pk} from revision {first}?"
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    expect(page.locator("table.compare")).to_contain_text("Edited two")
    page.get_by_role("button", name="Restore the segment").click()
    expect(page.get_by_label("Translation of segment 1", exact=True)).to_have_value("Edited one")
    expect(page.get_by_label("Translation of segment 2", exact=True)).not_to_have_value("Edited two")
