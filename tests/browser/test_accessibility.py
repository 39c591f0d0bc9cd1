"""Accessibility by axe-core (from the npm registry: tests/tools), injected into Chromium on each kind of page:
no serious or critical violation on the sign-in, desk, workspace, history, compare, team, glossary, reports and
public pages."""

from pathlib import Path

import pytest

from editorial import services, workflow
from editorial.models import State
from tests.conftest import PASSWORD, article_in
from tests.editorial.test_watch import mark_original_changed, mark_original_gone
from tests.editorial.test_wire import wire_sources
from tests.translations.test_languages import HEBREW

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(__file__).resolve().parents[1] / "tools" / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture
def axe_source():
    if not AXE.exists():
        pytest.skip("axe-core is not installed: `npm ci --prefix tests/tools` (make test does it)")
    return AXE.read_text()


def violations(page, source) -> list[str]:
    page.add_script_tag(content=source)
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def test_no_serious_accessibility_violations(live_server, browser, axe_source, editor, translator, admin_user,
                                             sign_in, settings):
    published = article_in(State.PUBLISHED, editor=editor, translator=translator, paragraphs=2)
    editing = article_in(State.EDITING, editor=editor, translator=translator, paragraphs=3)
    segment = editing.document.segments.get(position=1)
    services.save_segment(editing.pk, segment.pk, editor, text="Figures gone (unclosed", version=segment.version)
    first = editing.revisions.order_by("revision_id").first().revision_id
    working = article_in(State.EDITING, editor=editor, translator=translator, paragraphs=2)
    workflow.apply(working.pk, editor, "request_changes", comment="Check the figures.")
    changed = mark_original_changed(article_in(State.TRANSLATION, editor=editor, translator=translator, paragraphs=3))
    removed = article_in(State.PUBLISHED, editor=editor, translator=translator, paragraphs=2)
    mark_original_gone(removed, changed)
    wire_sources(editor)
    settings.SOURCE_LANGUAGES = ["ar", "fa", "he"]
    hebrew = services.create_article(user=editor, title="האבטלה עלתה", body=HEBREW, language="he", outlet="Kan")
    pages = {
        None: ["/login/", "/", f"/articles/{published.slug}/", "/account/reset/", "/account/reset/sent/"],
        "boss": ["/desk/", "/desk/articles/", f"/desk/articles/{editing.pk}/", f"/desk/articles/{editing.pk}/?track=1",
                 f"/desk/articles/{editing.pk}/history/", f"/desk/articles/{editing.pk}/compare/?from={first}",
                 "/desk/team/", "/desk/glossary/", "/desk/reports/", "/desk/notifications/", "/desk/new/",
                 f"/desk/articles/{changed.pk}/", f"/desk/articles/{removed.pk}/", "/desk/incoming/",
                 "/desk/glossary/?language=fa", f"/desk/articles/{hebrew.pk}/",
                 "/account/", "/account/password/", "/account/two-factor/"],
        "sami": ["/desk/", f"/desk/articles/{working.pk}/", f"/desk/articles/{changed.pk}/"],
    }
    found = []
    for username, urls in pages.items():
        # The pages forbid inline script (CSP); axe is the test's own, injected past it.
        context = browser.new_context(bypass_csp=True)
        page = context.new_page()
        if username:
            sign_in(page, username, PASSWORD)
        for url in urls:
            page.goto(f"{live_server.url}{url}")
            found += [f"{url} ({username or 'reader'}): {v}" for v in violations(page, axe_source)]
        context.close()
    assert not found, "\n".join(found)
