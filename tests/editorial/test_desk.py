"""The desk pages, server side: what each role sees, forms, actions, and constant query counts."""

import re

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from editorial.models import Article, Comment, Publication, State
from tests.conftest import PASSWORD, create_article, make_user
from translations.models import GlossaryTerm

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_pages_need_a_signed_in_user(client):
    for url in ("/desk/", "/desk/new/", "/desk/team/", "/desk/articles/1/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/?next=")


def test_login_page_and_sign_in(client, translator):
    page = client.get("/login/")
    assert page.status_code == 200 and 'for="id_username"' in page.content.decode()
    response = client.post("/login/", {"username": "sami", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/desk/"


def test_login_is_throttled_after_repeated_failures(db):
    import uuid

    user = make_user("translator", f"locked-{uuid.uuid4().hex[:8]}")
    client = Client(REMOTE_ADDR=f"10.9.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}")
    for _ in range(5):
        assert client.post("/login/", {"username": user.username, "password": "wrong"}).status_code == 200
    blocked = client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert blocked.status_code == 429
    assert "Too many failed sign-ins" in blocked.content.decode()
    # Another address is not blocked: one noisy machine cannot lock a colleague out everywhere.
    assert Client().post("/login/", {"username": user.username, "password": PASSWORD}).status_code == 302


def test_failures_through_the_api_lock_the_desk_too_and_the_other_way_round(db):
    import uuid

    from rest_framework.test import APIClient

    user = make_user("translator", f"locked-{uuid.uuid4().hex[:8]}")
    address = f"10.8.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
    api = APIClient(REMOTE_ADDR=address)
    for _ in range(3):
        assert api.post("/api/v1/auth/token/", {"username": user.username, "password": "wrong"},
                        format="json").status_code == 401
    desk = Client(REMOTE_ADDR=address)
    for _ in range(2):
        assert desk.post("/login/", {"username": user.username, "password": "wrong"}).status_code == 200
    refused = api.post("/api/v1/auth/token/", {"username": user.username, "password": PASSWORD}, format="json")
    assert refused.status_code == 429 and refused.json()["error"] == {
        "code": "locked_out", "message": "Too many failed sign-ins. Wait 15 minutes, or ask an admin to reset "
                                         "your password.", "details": {}}
    assert desk.post("/login/", {"username": user.username, "password": PASSWORD}).status_code == 429
    # From elsewhere the right password still works, and a success clears the count for that address.
    assert APIClient().post("/api/v1/auth/token/", {"username": user.username, "password": PASSWORD},
                            format="json").status_code == 200


def test_translator_desk_shows_my_work_and_available(make_article, translator):
    mine = make_article(State.TRANSLATION)
    available = make_article(State.MACHINE_DRAFT)
    html = signed_in(translator).get("/desk/").content.decode()
    assert "My work" in html and "Available to claim" in html
    assert f"/desk/articles/{mine.pk}/" in html and f"/desk/articles/{available.pk}/" in html
    assert "Incoming sources" not in html and "Team" not in html


def test_editor_desk_shows_every_stage(make_article, editor):
    """Each section lists the articles at its stage, and only those."""
    import re

    articles = {state: make_article(state) for state in (State.SOURCE, State.MACHINE_DRAFT, State.TRANSLATION,
                                                          State.EDITING, State.SCHEDULED, State.PUBLISHED)}
    html = signed_in(editor).get("/desk/").content.decode()
    sections = dict(re.findall(r'<section[^>]*data-section="(\w+)".*?>(.*?)</section>', html, re.S))
    expected = {"incoming": State.SOURCE, "drafted": State.MACHINE_DRAFT, "translation": State.TRANSLATION,
                "review": State.EDITING, "scheduled": State.SCHEDULED, "published": State.PUBLISHED}
    assert set(expected) <= set(sections), sorted(sections)
    for key, state in expected.items():
        listed = set(map(int, re.findall(r'/desk/articles/(\d+)/', sections[key])))
        assert listed == {articles[state].pk}, (key, listed)


def _count_queries(client, url, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_desk_uses_the_same_queries_whatever_the_number_of_articles(editor, translator, django_assert_num_queries):
    client = signed_in(editor)
    for _ in range(2):
        create_article(editor, paragraphs=1)
    client.get("/desk/")
    small = _count_queries(client, "/desk/", django_assert_num_queries)
    for _ in range(40):
        create_article(editor, paragraphs=1)
    with django_assert_num_queries(small):
        client.get("/desk/")


def test_workspace_uses_the_same_queries_at_10_and_300_segments(make_article, translator, django_assert_num_queries):
    client = signed_in(translator)
    short = make_article(State.TRANSLATION, paragraphs=9)
    long = make_article(State.TRANSLATION, paragraphs=299)
    # Each is read once first, as an open workspace is, so both are measured with their checks cached; the first
    # read of each costs one query more (the glossary, read once whatever the length).
    client.get(f"/desk/articles/{short.pk}/")
    client.get(f"/desk/articles/{long.pk}/")
    count = _count_queries(client, f"/desk/articles/{short.pk}/", django_assert_num_queries)
    with django_assert_num_queries(count):
        client.get(f"/desk/articles/{long.pk}/")


def test_workspace_renders_arabic_rtl_and_english_ltr(make_article, translator):
    article = make_article(State.TRANSLATION)
    html = signed_in(translator).get(f"/desk/articles/{article.pk}/").content.decode()
    assert re.search(r'class="source" lang="ar" dir="rtl"', html)
    assert re.search(r'<textarea id="text-\d+" lang="en" dir="ltr"', html)
    assert 'data-action="submit"' in html  # the one action sami may take
    assert 'data-action="archive"' not in html


def test_workspace_buttons_are_the_allowed_actions(make_article, editor):
    article = make_article(State.EDITING)
    html = signed_in(editor).get(f"/desk/articles/{article.pk}/").content.decode()
    assert set(re.findall(r'data-action="(\w+)"', html)) == {"request_changes", "publish", "archive"}


def test_refused_action_keeps_the_typed_comment(make_article, translator):
    article = make_article(State.TRANSLATION)
    response = signed_in(translator).post(f"/desk/articles/{article.pk}/actions/submit/", {"comment": "kept"})
    assert response.status_code == 409
    assert "Every segment needs a translation" in response.content.decode()
    assert Article.objects.get(pk=article.pk).state == State.TRANSLATION


def test_request_changes_without_a_comment_is_refused_in_plain_words(make_article, editor):
    article = make_article(State.EDITING)
    response = signed_in(editor).post(f"/desk/articles/{article.pk}/actions/request_changes/", {"comment": ""})
    assert response.status_code == 400
    assert "needs a comment" in response.content.decode()


def test_editor_publishes_from_the_desk(make_article, editor):
    article = make_article(State.EDITING)
    response = signed_in(editor).post(f"/desk/articles/{article.pk}/actions/publish/", {"publish_at": ""})
    assert response.status_code == 302
    assert Article.objects.get(pk=article.pk).state == State.PUBLISHED


def test_editor_schedules_from_the_desk(make_article, editor):
    article = make_article(State.EDITING)
    response = signed_in(editor).post(f"/desk/articles/{article.pk}/actions/publish/",
                                      {"publish_at": "2099-01-01T09:30"})
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.state == State.SCHEDULED and article.publish_at.year == 2099


def test_comments_post_with_htmx(make_article, translator):
    article = make_article(State.TRANSLATION)
    response = signed_in(translator).post(f"/desk/articles/{article.pk}/comments/", {"text": "Is 48 hours right?"},
                                          HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Is 48 hours right?" in response.content.decode()
    assert Comment.objects.get().user == translator


def test_import_by_paste(editor):
    response = signed_in(editor).post("/desk/new/", {
        "title": "عنوان", "body": "فقرة أولى\n\nفقرة ثانية", "outlet": "Enab Baladi", "language": "ar",
        "keywords": "Daraa, Jasim", "url": "",
    })
    assert response.status_code == 302
    article = Article.objects.get()
    assert article.document.segments.count() == 3
    assert sorted(k.name for k in article.keywords.all()) == ["Daraa", "Jasim"]


def test_import_form_errors_are_next_to_the_field(editor):
    response = signed_in(editor).post("/desk/new/", {"title": "", "body": "", "outlet": "", "language": "ar"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "This field is required." in html  # outlet
    assert "Paste the title and the body, or give the original" in html


def test_translators_cannot_import(translator):
    assert signed_in(translator).get("/desk/new/").status_code == 404


def test_compare_marks_insertions_and_deletions(make_article, editor):
    from editorial import services

    article = make_article(State.EDITING)
    segment = article.document.segments.get(position=1)
    first = article.revisions.first().revision_id
    before = segment.text
    services.save_segment(article.pk, segment.pk, editor, text="The slow fox", version=segment.version)
    html = signed_in(editor).get(f"/desk/articles/{article.pk}/compare/?from={first}").content.decode()
    inserted = " ".join(re.findall(r"<ins>(.*?)</ins>", html, re.S))
    deleted = " ".join(re.findall(r"<del>(.*?)</del>", html, re.S))
    assert "slow" in inserted and "fox" in inserted and "slow" not in deleted
    assert before.split()[-1] in deleted and "fox" not in deleted
    assert "unchanged" in html
    assert f'action="/desk/articles/{article.pk}/history/{first}/revert/"' in html


def test_track_changes_credit_each_edit_to_its_author_and_round(make_article, editor, translator):
    from editorial import services, workflow
    from editorial.desk.track import track_changes

    article = make_article(State.EDITING)  # translated by sami in round 1, submitted
    segment = article.document.segments.get(position=1)
    by_translator = segment.text
    services.save_segment(article.pk, segment.pk, editor, text=by_translator + " Edited here.",
                          version=segment.version)
    workflow.apply(article.pk, editor, "request_changes", comment="One more pass.")
    segment.refresh_from_db()
    services.save_segment(article.pk, segment.pk, translator, text="Second pass. " + segment.text,
                          version=segment.version)
    workflow.apply(article.pk, translator, "submit")

    changes = track_changes(article, list(article.document.segments.all()))
    chain = [(c.who, c.state, c.round) for c in changes[segment.pk]]
    assert chain == [("sami", "translation", 1), ("layla", "editing", 1), ("sami", "translation", 2)]
    editor_change = changes[segment.pk][1]
    assert [op for op in editor_change.ops if op[0] != "equal"] == [["insert", " Edited here."]]
    assert editor_change.before == by_translator
    others = [c for pk, chain in changes.items() if pk != segment.pk for c in chain]
    assert others and {c.who for c in others} == {"sami"}

    html = signed_in(editor).get(f"/desk/articles/{article.pk}/?track=1").content.decode()
    row = html[html.index(f'id="segment-{segment.pk}"'):]
    row = row[:row.index("</li>")]
    assert "<strong>layla</strong> <span class=\"muted\">(editing, round 1," in row
    assert "<ins> Edited here.</ins>" in row and "<ins>Second pass. </ins>" in row
    assert "Track changes: machine draft" not in html  # no second copy of the article above the list


def test_editors_keep_the_glossary_on_its_page(editor):
    client = signed_in(editor)
    assert client.post("/desk/glossary/", {"source_term": "جاسم", "target_term": "Jasim"}).status_code == 302
    term = GlossaryTerm.objects.get()
    response = client.post("/desk/glossary/", {"source_term": "جاسِم", "target_term": "Jassem"})
    assert response.status_code == 400 and "This term is in the glossary already." in response.content.decode()
    # Asked first, saying what it does; only the confirmed post removes it.
    asked = client.post(f"/desk/glossary/{term.pk}/delete/")
    assert asked.status_code == 200 and "no longer suggested" in asked.content.decode()
    assert GlossaryTerm.objects.exists()
    assert client.post(f"/desk/glossary/{term.pk}/delete/", {"confirmed": "1"}).status_code == 302
    assert not GlossaryTerm.objects.exists()


def test_admin_changes_a_members_role_on_the_team_page(admin_user, translator):
    from editorial import roles

    signed_in(admin_user).post(f"/desk/team/{translator.pk}/", {"role": "editor"})
    assert roles.role_of(translator) == "editor"
    signed_in(admin_user).post(f"/desk/team/{translator.pk}/", {"role": "emperor"})
    assert roles.role_of(translator) == "editor"


def test_admin_creates_a_user_on_the_team_page(admin_user):
    client = signed_in(admin_user)
    response = client.post("/desk/team/", {"username": "nadia", "email": "n@example.org", "role": "translator",
                                           "password": "Long-enough-pass-1"})
    assert response.status_code == 302
    assert Client().login(username="nadia", password="Long-enough-pass-1")


def test_team_form_errors_in_plain_words(admin_user, translator):
    response = signed_in(admin_user).post("/desk/team/", {"username": "sami", "role": "translator",
                                                          "password": "123"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "That username is taken." in html


def test_admin_edits_the_disclaimer(admin_user):
    client = signed_in(admin_user)
    response = client.post("/desk/team/publication/", {"name": "Levant24", "disclaimer_template": "No {publication}"})
    assert response.status_code == 302
    assert Publication.current().render_disclaimer() == "No Levant24"
    response = client.post("/desk/team/publication/", {"name": "Levant24", "disclaimer_template": "No name"})
    assert response.status_code == 400 and "Keep {publication} in the text" in response.content.decode()


def test_team_page_is_for_admins_only(editor):
    assert signed_in(editor).get("/desk/team/").status_code == 404


def test_admin_deactivates_a_user(admin_user, translator):
    client = signed_in(admin_user)
    token = Token.objects.create(user=translator)
    asked = client.post(f"/desk/team/{translator.pk}/", {"is_active": "0"})
    assert "can no longer sign in" in asked.content.decode()
    translator.refresh_from_db()
    assert translator.is_active  # not before it is confirmed
    client.post(f"/desk/team/{translator.pk}/", {"is_active": "0", "confirmed": "1"})
    translator.refresh_from_db()
    assert not translator.is_active
    assert not Client().login(username="sami", password=PASSWORD)
    # As through the API: the token goes, so reactivating the member does not bring it back.
    assert not Token.objects.filter(key=token.key).exists()
    client.post(f"/desk/team/{translator.pk}/", {"is_active": "1"})
    assert Client().login(username="sami", password=PASSWORD) and not Token.objects.filter(user=translator).exists()


def test_unknown_article_is_404(editor):
    assert signed_in(editor).get("/desk/articles/999999/").status_code == 404


def test_users_of_no_role_see_an_empty_desk():
    nobody = make_user(None, "nobody")
    assert signed_in(nobody).get("/desk/").status_code == 200


def test_import_by_address_fetches_the_page(editor):
    from tests.fakes.feed_server import JASIM, FeedServer, article_page

    server = FeedServer()
    try:
        url = server.serve("/jasim.html", article_page(JASIM), content_type="text/html; charset=utf-8")
        response = signed_in(editor).post("/desk/new/", {"url": url, "outlet": "Enab Baladi", "language": "ar"})
        assert response.status_code == 302, response.content.decode()[:2000]
        article = Article.objects.get()
        assert article.source_url == url
        assert article.document.source_title == JASIM["title"]
        kinds = list(article.document.segments.order_by("position").values_list("kind", flat=True))
        assert kinds == ["title", "paragraph", "paragraph", "heading", "paragraph", "paragraph"]
    finally:
        server.stop()


def test_import_by_address_that_fails_says_why(editor):
    response = signed_in(editor).post("/desk/new/", {"url": "http://127.0.0.1:9/nothing", "outlet": "X",
                                                      "language": "ar"})
    assert response.status_code == 400
    assert "could not be reached" in response.content.decode()


def test_import_by_address_ends_well_within_the_web_timeout(editor, settings):
    """A page that drips one byte at a time gets a clear error within a third of WEB_TIMEOUT, whatever the feed
    timeout, so the gunicorn worker is never killed mid-request (that would be a 502 and a lost form)."""
    import time

    from tests.fakes.feed_server import FeedServer

    settings.FEED_TIMEOUT_SECONDS = 60
    settings.PAGE_IMPORT_TIMEOUT_SECONDS = 1.0  # what WEB_TIMEOUT=3 gives
    server = FeedServer()
    try:
        url = server.serve("/slow.html", b"<p>" + b"x" * 12 + b"</p>", drip=0.2)  # 4 s in all
        started = time.monotonic()
        response = signed_in(editor).post("/desk/new/", {"url": url, "outlet": "X", "language": "ar"})
        assert time.monotonic() - started < 3
    finally:
        server.stop()
    assert response.status_code == 400
    assert "did not answer within 1 seconds" in response.content.decode()
    assert not Article.objects.exists()


def test_history_and_compare_use_the_same_queries_at_10_and_300_segments(
    make_article, editor, django_assert_num_queries
):
    client = signed_in(editor)
    counts = {}
    for paragraphs in (9, 299):
        article = make_article(State.EDITING, paragraphs=paragraphs)
        first = article.revisions.order_by("revision_id").first().revision_id
        for name, url in (("history", f"/desk/articles/{article.pk}/history/"),
                          ("compare", f"/desk/articles/{article.pk}/compare/?from={first}"),
                          ("track", f"/desk/articles/{article.pk}/?track=1")):
            client.get(url)
            if paragraphs == 9:
                counts[name] = _count_queries(client, url, django_assert_num_queries)
            else:
                with django_assert_num_queries(counts[name]):
                    assert client.get(url).status_code == 200


def test_team_page_uses_the_same_queries_whatever_the_team_size(admin_user, django_assert_num_queries):
    client = signed_in(admin_user)
    for i in range(3):
        make_user("translator", f"t{i}")
    client.get("/desk/team/")
    count = _count_queries(client, "/desk/team/", django_assert_num_queries)
    for i in range(3, 40):
        make_user("editor" if i % 2 else "translator", f"t{i}")
    with django_assert_num_queries(count):
        client.get("/desk/team/")


def test_admin_sees_and_tests_the_engine_on_the_team_page(admin_user, settings):
    from tests.fakes.mt_servers import LibreTranslateServer

    server = LibreTranslateServer()
    try:
        settings.MT_ENGINE = "libretranslate"
        settings.MT_ENGINE_SETTINGS = {**settings.MT_ENGINE_SETTINGS, "libretranslate": server.config()}
        client = signed_in(admin_user)
        html = client.get("/desk/team/").content.decode()
        assert "libretranslate" in html and server.url in html and server.valid_key not in html
        page = client.post("/desk/team/engine/", follow=True).content.decode()
        assert "The libretranslate engine works" in page and "[en] " in page
        settings.MT_ENGINE_SETTINGS = {**settings.MT_ENGINE_SETTINGS,
                                       "libretranslate": server.config(api_key="wrong")}
        page = client.post("/desk/team/engine/", follow=True).content.decode()
        assert "The engine does not work: LibreTranslate rejected the API key" in page
    finally:
        server.stop()


def test_editor_corrects_a_published_article_from_the_desk(make_article, editor):
    from editorial import services

    article = make_article(State.PUBLISHED)
    client = signed_in(editor)
    client.post(f"/desk/articles/{article.pk}/actions/correct/", {})
    segment = article.document.segments.get(position=1)
    services.save_segment(article.pk, segment.pk, editor, text="Four injured.", version=segment.version)
    html = client.get(f"/desk/articles/{article.pk}/").content.decode()
    assert 'for="correction-note">What was corrected' in html and "still shows the published version" in html
    refused = client.post(f"/desk/articles/{article.pk}/actions/publish/", {"comment": ""})
    assert refused.status_code == 400 and "Say what was corrected" in refused.content.decode()
    done = client.post(f"/desk/articles/{article.pk}/actions/publish/", {"comment": "Fixed the count."})
    assert done.status_code == 302
    page = Client().get(f"/articles/{Article.objects.get(pk=article.pk).slug}/").content.decode()
    assert "Four injured." in page and "Fixed the count." in page


def test_admin_cannot_lock_themselves_out_from_the_team_page(admin_user):
    client = signed_in(admin_user)
    page = client.post(f"/desk/team/{admin_user.pk}/", {"is_active": "0"}, follow=True).content.decode()
    assert "You cannot deactivate yourself or give up your own admin role." in page
    client.post(f"/desk/team/{admin_user.pk}/", {"role": "translator"})
    admin_user.refresh_from_db()
    assert admin_user.is_active and admin_user.groups.filter(name="admin").exists()


def test_the_assign_list_holds_exactly_who_the_workflow_accepts(make_article, editor, translator):
    from editorial import workflow

    nobody = make_user(None, "no-role-yet")
    gone = make_user("translator", "left-the-desk")
    gone.is_active = False
    gone.save()
    article = make_article(State.MACHINE_DRAFT)
    html = signed_in(editor).get(f"/desk/articles/{article.pk}/").content.decode()
    options = re.findall(r'<option value="([^"]+)"', html)
    assert {"sami", "layla"} <= set(options) and not {"no-role-yet", "left-the-desk"} & set(options)
    assert sorted(options) == sorted(u.username for u in workflow.assignable_users())
    assert options[0] == "sami"  # translators first (layla, the editor, may translate too)
    for username in options:  # each one is accepted by the action itself
        workflow._resolve_assignee(username)
    assert nobody.username not in options


def test_the_team_page_shows_each_members_role_as_the_roles_module_reads_it(admin_user, translator):
    from django.contrib.auth import get_user_model

    root = get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)  # in no group
    html = signed_in(admin_user).get("/desk/team/").content.decode()
    select = re.search(rf'<select id="role-{root.pk}" name="role">(.*?)</select>', html, re.S).group(1)
    assert re.findall(r'<option value="(\w+)" selected>', select) == ["admin"]
    select = re.search(rf'<select id="role-{translator.pk}" name="role">(.*?)</select>', html, re.S).group(1)
    assert re.findall(r'<option value="(\w+)" selected>', select) == ["translator"]


def test_a_glossary_term_added_by_someone_else_in_the_meantime_is_a_clear_conflict(editor):
    """The form finds the term free; before its INSERT, another editor's insert of the same term lands (injected
    at the database driver, as a concurrent request's would). The unique index refuses ours: a 409 saying so, not
    a 500. (Injected on the same connection, their row goes down with our rolled-back transaction here; a real
    concurrent request would have committed it.)"""
    from django.db import connection

    from translations.models import GlossaryTerm
    from translations.normalize import normalize

    client = signed_in(editor)
    raced = []

    def someone_else_first(execute, sql, params, many, context):
        if not raced and sql.startswith('INSERT INTO "translations_glossaryterm"'):
            raced.append(True)
            GlossaryTerm.objects.create(source_language="ar", target_language="en", source_term="درعا",
                                        normalized_term=normalize("درعا"), target_term="Daraa")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(someone_else_first):
        response = client.post("/desk/glossary/", {"source_term": "درعا", "target_term": "Deraa"})
    assert raced and response.status_code == 409
    assert "This term is in the glossary already." in response.content.decode()
    assert not GlossaryTerm.objects.filter(target_term="Deraa").exists()


def test_cards_show_the_sources_length_in_words_as_the_database_keeps_it(editor):
    from editorial import services
    from tests.conftest import source_payload
    from translations.models import Document

    data = source_payload(1, title="اتفاق  تهدئة في نوى", body="عاد الهدوءُ إلى المدينة.\n\nوفُتحت الطرق ـ صباحاً.")
    article = services.create_article(user=editor, keywords=[], **data["source"])
    document = Document.objects.get(pk=article.document_id)
    assert document.source_words == len(document.search_text.split()) == 11  # the tatweel alone is no word
    client = signed_in(editor)
    for page in ("/desk/articles/", "/desk/", "/desk/incoming/"):
        assert re.search(rf"#{article.pk}\b.*?11 words", client.get(page).content.decode(), re.S), page
    Document.objects.filter(pk=document.pk).update(search_text="")
    assert Document.objects.get(pk=document.pk).source_words == 0
