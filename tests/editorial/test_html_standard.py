"""Every kind of page is valid HTML by the Nu HTML checker (vnu, the W3C's validator), run on Java from Debian.

The pages are rendered by the test client as each person would see them (translator, editor, admin, a reader),
written out, and checked in one run of vnu. `.ci/run` installs vnu from the npm registry (tests/tools).
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client

from editorial import services, watch, workflow
from editorial.models import State
from tests.editorial.test_watch import mark_original_changed, mark_original_gone
from tests.editorial.test_wire import wire_sources
from tests.translations.test_languages import HEBREW
from translations.models import GlossaryTerm

pytestmark = pytest.mark.django_db

VNU = Path(__file__).resolve().parents[1] / "tools" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


@pytest.fixture(scope="module")
def vnu():
    java = shutil.which("java")
    if java is None or not VNU.exists():
        pytest.skip("The Nu HTML checker needs Java and `npm ci --prefix tests/tools` (.ci/run does both)")
    return [java, "-jar", str(VNU)]


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_every_kind_of_page_has_no_html_errors(vnu, make_article, translator, editor, admin_user, tmp_path,
                                               settings):
    published = make_article(State.PUBLISHED)
    working = make_article(State.TRANSLATION)
    editing = make_article(State.EDITING)
    drafted = make_article(State.MACHINE_DRAFT)
    first = editing.revisions.order_by("revision_id").first().revision_id
    keyword = published.live_version.keyword_names[0]
    pages = {
        "login": (Client(), "/login/"),
        "desk-translator": (_signed_in(translator), "/desk/"),
        "desk-editor": (_signed_in(editor), "/desk/"),
        "workspace-translator": (_signed_in(translator), f"/desk/articles/{working.pk}/"),
        "workspace-editor": (_signed_in(editor), f"/desk/articles/{editing.pk}/"),
        "workspace-editor-drafted": (_signed_in(editor), f"/desk/articles/{drafted.pk}/"),
        "workspace-editor-translation": (_signed_in(editor), f"/desk/articles/{working.pk}/"),
        "workspace-published": (_signed_in(editor), f"/desk/articles/{published.pk}/"),
        "workspace-track-changes": (_signed_in(editor), f"/desk/articles/{editing.pk}/?track=1"),
        "desk-admin": (_signed_in(admin_user), "/desk/"),
        "new-article": (_signed_in(editor), "/desk/new/"),
        "history": (_signed_in(editor), f"/desk/articles/{editing.pk}/history/"),
        "compare": (_signed_in(editor), f"/desk/articles/{editing.pk}/compare/?from={first}"),
        "team": (_signed_in(admin_user), "/desk/team/"),
        "glossary": (_signed_in(editor), "/desk/glossary/"),
        "reports": (_signed_in(editor), "/desk/reports/"),
        "notifications": (_signed_in(translator), "/desk/notifications/"),
        "segment-history": (_signed_in(editor),
                            f"/desk/articles/{editing.pk}/segments/{editing.document.segments.get(position=1).pk}/history/"),
        "articles": (_signed_in(editor), "/desk/articles/?q=a&sort=deadline"),
        "public-index": (Client(), "/"),
        "public-article": (Client(), f"/articles/{published.slug}/"),
        "public-keyword": (Client(), f"/keywords/{keyword}/"),
        # Pages that answer a POST: what a destructive action asks first, and a refused submit's reasons.
        "confirm-revert": (_signed_in(editor), f"/desk/articles/{editing.pk}/history/{first}/revert/", {}, 200),
        "replace-preview": (_signed_in(translator), f"/desk/articles/{working.pk}/replace/",
                            {"find": "e", "replace": "E"}, 200),
        "confirm-archive": (_signed_in(editor), f"/desk/articles/{working.pk}/actions/archive/", {}, 200),
    }
    from editorial import targets

    targets.add(kind="webhook", name="Newsroom CMS hook", url="https://cms.example.org/hooks", secret="x")
    unfinished = make_article(State.TRANSLATION)
    emptied = unfinished.document.segments.get(position=1)
    services.save_segment(unfinished.pk, emptied.pk, translator, text="", version=emptied.version)
    pages["refused-submit"] = (_signed_in(translator), f"/desk/articles/{unfinished.pk}/actions/submit/", {}, 409)
    reviewed = make_article(State.EDITING)
    workflow.apply(reviewed.pk, editor, "request_changes", comment="Check the figures.")
    pages["workspace-changes-requested"] = (_signed_in(translator), f"/desk/articles/{reviewed.pk}/")
    # The watch on the original: a change to bring in (and a source changed under a translation), a removed
    # original of a published article (the decision to take, the desk's alerts), and the public note once kept.
    changed = mark_original_changed(make_article(State.TRANSLATION))
    pages["workspace-original-changed"] = (_signed_in(translator), f"/desk/articles/{changed.pk}/")
    pages["workspace-original-changed-editor"] = (_signed_in(editor), f"/desk/articles/{changed.pk}/")
    removed = make_article(State.PUBLISHED)
    mark_original_gone(removed, changed)
    pages["workspace-original-gone"] = (_signed_in(editor), f"/desk/articles/{removed.pk}/")
    pages["desk-original-alerts"] = (_signed_in(editor), "/desk/")
    # The wire desk: a story from two outlets (one taken: "already covered"), a gist, a source with none.
    wire_sources(editor)
    pages["incoming-editor"] = (_signed_in(editor), "/desk/incoming/")
    pages["incoming-admin"] = (_signed_in(admin_user), "/desk/incoming/")
    # A desk of several languages: the glossary's tabs, a Hebrew source in the workspace.
    settings.SOURCE_LANGUAGES = ["ar", "fa", "he"]
    GlossaryTerm(source_language="fa", source_term="بانک مرکزی", target_term="Central Bank").save()
    hebrew = services.create_article(user=editor, title="האבטלה עלתה", body=HEBREW, language="he", outlet="Kan")
    pages["glossary-persian"] = (_signed_in(editor), "/desk/glossary/?language=fa")
    pages["workspace-hebrew"] = (_signed_in(editor), f"/desk/articles/{hebrew.pk}/")
    kept = make_article(State.PUBLISHED)
    mark_original_gone(kept, changed)
    watch.decide(kept.pk, editor, watch.KEEP)
    pages["public-article-original-removed"] = (Client(), f"/articles/{kept.slug}/")
    # The account pages: yours, the password, the reset by email, an invitation (open, and one that does not work).
    from editorial.accounts import invitations

    invitation, _ = invitations.invite(actor=admin_user, username="invited", email="i@example.org", role="editor")
    secret = "made-for-the-test"
    invitation.secret_hash = invitations._hash(secret)
    invitation.save()
    pages.update({
        "account": (_signed_in(editor), "/account/"),
        "password-change": (_signed_in(editor), "/account/password/"),
        "password-change-refused": (_signed_in(editor), "/account/password/",
                                    {"old_password": "no", "new_password1": "1", "new_password2": "2"}, 400),
        "reset-request": (Client(), "/account/reset/"),
        "reset-sent": (Client(), "/account/reset/sent/"),
        "reset-link-used": (Client(), "/account/reset/MQ/set-password/"),
        "invitation": (Client(), f"/account/invitation/{secret}/"),
        "invitation-refused": (Client(), f"/account/invitation/{secret}/",
                               {"new_password1": "1", "new_password2": "2"}, 400),
        "invitation-gone": (Client(), "/account/invitation/nothing/", None, 404),
        "two-factor-setup": (_signed_in(translator), "/account/two-factor/"),
        "two-factor-setup-refused": (_signed_in(translator), "/account/two-factor/", {"code": "1"}, 400),
    })
    # Two-factor sign-in turned on: its page, new recovery codes, and the sign-in's second step.
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=admin_user, name="Authenticator app", confirmed=True)
    second_step = Client()
    second_step.post("/login/", {"username": admin_user.username, "password": "Sup3r-secret!"})
    pages.update({
        "two-factor-on": (_signed_in(admin_user), "/account/two-factor/"),
        "recovery-codes": (_signed_in(admin_user), "/account/two-factor/recovery-codes/", {}, 200),
        "sign-in-code": (second_step, "/login/code/"),
        "sign-in-code-refused": (second_step, "/login/code/", {"code": "000000"}, 400),
    })
    files = []
    for name, (client, url, *post) in pages.items():
        response = client.post(url, post[0]) if post and post[0] is not None else client.get(url)
        assert response.status_code == (post[1] if post else 200), (name, url, response.status_code)
        path = tmp_path / f"{name}.html"
        path.write_bytes(response.content)
        files.append(str(path))

    result = subprocess.run([*vnu, "--errors-only", "--format", "json", *files], capture_output=True, text=True,
                            timeout=300)
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    errors = [f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m['message']}" for m in messages
              if m.get("type") == "error" or m.get("subType") == "fatal"]
    assert not errors, f"{len(errors)} HTML errors:\n" + "\n".join(errors[:80])


def test_the_site_has_a_favicon():
    response = Client().get("/favicon.ico")
    assert response.status_code == 200 and response["Content-Type"].startswith("image/")
