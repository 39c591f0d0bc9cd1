"""Every desk page fits a 390 px phone: no page scrolls sideways (a wide table may scroll inside itself)."""

import pytest

from editorial import services, workflow
from editorial.models import State
from tests.conftest import PASSWORD, article_in
from translations.models import GlossaryTerm

pytestmark = pytest.mark.django_db(transaction=True)

WIDTH = 390


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_no_desk_page_scrolls_sideways_at_390px(live_server, browser, editor, translator, admin_user, sign_in):
    article = article_in(State.EDITING, editor=editor, translator=translator, paragraphs=3)
    segment = article.document.segments.get(position=1)
    GlossaryTerm.objects.create(source_term=segment.source_text.split()[0], target_term="A glossary rendering")
    services.save_segment(article.pk, segment.pk, editor, text="No figures here at all, and an unclosed (bracket",
                          version=segment.version)
    first = article.revisions.order_by("revision_id").first().revision_id
    workflow.apply(article.pk, editor, "request_changes", comment="Check the figures.")
    pages = {
        "boss": ["/desk/", "/desk/articles/", f"/desk/articles/{article.pk}/", f"/desk/articles/{article.pk}/?track=1",
                  f"/desk/articles/{article.pk}/history/", f"/desk/articles/{article.pk}/compare/?from={first}",
                  "/desk/team/", "/desk/glossary/", "/desk/reports/", "/desk/new/", "/desk/notifications/",
                  "/account/", "/account/password/", "/account/two-factor/"],
        "sami": ["/desk/", f"/desk/articles/{article.pk}/"],
    }
    wide = []
    for username, urls in pages.items():
        context = browser.new_context(viewport={"width": WIDTH, "height": 800})
        page = sign_in(context.new_page(), username, PASSWORD)
        for url in urls:
            page.goto(f"{live_server.url}{url}")
            if overflow(page) > 0:
                wide.append(f"{url} as {username}: {overflow(page)} px too wide")
        context.close()
    assert not wide, wide
