"""The watch on the original and the update from it, against a local server playing the outlet.

The outlet serves the article; then edits a paragraph, adds one and removes one; then answers 410. Each outcome
is checked through the API and the desk, and the update keeps unchanged translations byte for byte."""

import hashlib
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from editorial import drafting, feeds, watch, workflow
from editorial.fetching import Download, extract_article
from editorial.models import Article, Job, Notification, SourceSnapshot, State
from tests.conftest import fill_segments, make_user, run_job
from tests.editorial.test_feeds import _this_machine_only, register, server  # noqa: F401 - the fixtures
from tests.fakes.feed_server import BREAD, JASIM, article_page, atom, block_html
from translations.segmentation import split_body

pytestmark = pytest.mark.django_db

NEW_PARAGRAPH = ("p", "وأضاف المصدر أن دوريات مشتركة ستنتشر في أحياء المدينة خلال الأيام المقبلة لضمان الهدوء.")


def edited_story() -> dict:
    """The outlet's second version: paragraph 2 edited (a day and a number), the last one removed, one added."""
    blocks = list(JASIM["blocks"])
    blocks[1] = (blocks[1][0], blocks[1][1].replace("صباح الثلاثاء", "مساء الأربعاء"))
    return {**JASIM, "blocks": [*blocks[:-1], NEW_PARAGRAPH]}


def imported(server, editor, path="/story") -> Article:  # noqa: F811
    server.serve(path, article_page(JASIM), etag='"v1"')
    client = Client()
    client.force_login(editor)
    response = client.post("/desk/new/", {"url": server.url(path), "outlet": "Horan Free League", "language": "ar"})
    assert response.status_code == 302, response.content[:300]
    return Article.objects.get(source_url=server.url(path))


@pytest.fixture
def engine(settings):
    """A machine translation service speaking LibreTranslate's protocol, on this machine."""
    from tests.fakes.mt_servers import LibreTranslateServer

    service = LibreTranslateServer()
    settings.MT_ENGINE = "libretranslate"
    settings.MT_ENGINE_SETTINGS = {**settings.MT_ENGINE_SETTINGS, "libretranslate": service.config()}
    yield service
    service.stop()


def to_state(article: Article, state: str, editor, translator) -> Article:
    from editorial import services

    services.update_details(article.pk, editor, version=article.version, keywords=["Daraa"])
    _, job = workflow.apply(article.pk, editor, "draft")
    run_job(drafting.run_draft, job.pk)
    workflow.apply(article.pk, editor, "assign", assignee=translator.username)
    fill_segments(article, translator)
    if state != State.TRANSLATION:
        workflow.apply(article.pk, translator, "submit")
    if state == State.PUBLISHED:
        workflow.apply(article.pk, editor, "publish")
    return Article.objects.get(pk=article.pk)


def segments(article: Article) -> list[tuple]:
    return list(article.document.segments.order_by("position").values_list(
        "pk", "position", "source_text", "text", "source_changed"))


def test_an_edit_is_found_shown_told_and_brought_in_without_retyping(server, editor, translator, api, engine):  # noqa: F811,E501
    article = to_state(imported(server, editor), State.TRANSLATION, editor, translator)
    before = segments(article)
    Notification.objects.all().delete()
    check = f"/api/v1/articles/{article.pk}/watch/check/"

    server.serve("/story", article_page(edited_story()), etag='"v2"')
    found = api(editor).post(check).json()
    last = len(JASIM["blocks"])
    assert (found["outcome"], found["edited"], found["removed"], found["added"]) == ("edited", [2], [last], [last])
    assert server.requests[-1]["headers"].get("If-None-Match") == '"v1"'

    # The new snapshot's fingerprints, recomputed from its bytes as served by the API.
    listed = api(editor).get(f"/api/v1/articles/{article.pk}/snapshots/").json()
    raw = api(editor).get(f"/api/v1/articles/{article.pk}/snapshots/{listed[0]['id']}/raw/").content
    assert raw == article_page(edited_story()) and listed[0]["sha256"] == hashlib.sha256(raw).hexdigest()
    blocks = split_body(extract_article(Download(200, {"content-type": "text/html; charset=utf-8"}, raw))).blocks
    texts = [JASIM["title"], *(b.text for b in blocks)]
    assert listed[0]["text_sha256"] == hashlib.sha256("\n".join(texts).encode()).hexdigest()

    # Shown: the card and the workspace say what changed, with the Arabic word diff of the edited paragraph.
    client = Client()
    client.force_login(translator)
    assert "The original changed just now: 1 paragraph edited, 1 added, 1 removed" in \
        client.get("/desk/").content.decode()
    page = client.get(f"/desk/articles/{article.pk}/").content.decode()
    assert "Segment 2: " in page and "<del>صباح الثلاثاء</del><ins>مساء الأربعاء</ins>" in page
    assert f"<ins>{NEW_PARAGRAPH[1]}</ins>" in page and f"<del>{JASIM['blocks'][-1][1]}</del>" in page
    assert "Update from the original" in page  # the assignee may bring it in

    # Told: the assignee and the editors, once.
    told = set(Notification.objects.filter(event="original_edited").values_list("recipient__username", flat=True))
    assert told == {translator.username, editor.username}

    # A second check finds the same original: only the check time moves, nobody is told again.
    server.serve("/story", article_page(edited_story()), etag='"v2"')
    assert api(editor).post(check).json()["outcome"] == "unchanged"
    assert Notification.objects.filter(event="original_edited").count() == 2
    assert SourceSnapshot.objects.filter(article=article).count() == 2

    loaded = article.document.segments.get(pk=before[2][0]).version  # what the translator's page holds
    # The update: one revision; unchanged segments byte for byte; the edited one marked; new one drafted.
    response = api(translator).post(f"/api/v1/articles/{article.pk}/actions/sync/")
    assert response.status_code == 202, response.content
    job = Job.objects.get(pk=response.json()["job"]["id"])
    assert job.total == 2  # the edited segment's new machine draft, and the new segment
    after = segments(article)
    kept = [row for row in before if row[1] not in (2, last)]
    assert [row for row in after if row[0] in {k[0] for k in kept}] == kept
    edited = next(row for row in after if row[1] == 2)
    assert edited[0] == before[2][0] and edited[3] == before[2][3] and edited[4] is True
    assert "مساء الأربعاء" in edited[2]
    assert after[-1][2] == NEW_PARAGRAPH[1] and after[-1][3] is None
    assert before[last][0] not in {row[0] for row in after}  # removed from the article...
    listed = api(editor).get("/api/v1/articles/").json()["results"]
    assert [a["progress"] for a in listed] == [{"done": len(after) - 1, "total": len(after)}]
    history = api(editor).get(f"/api/v1/articles/{article.pk}/history/").json()
    revisions = history["results"] if isinstance(history, dict) else history
    assert revisions[0]["comment"] == "Updated from the original: 1 edited, 1 added, 1 removed"
    then = api(editor).get(f"/api/v1/articles/{article.pk}/history/{revisions[1]['id']}/").json()
    assert before[last][2] in [s["source_text"] for s in then["segments"]]  # ...and still in its history
    now = api(editor).get(f"/api/v1/articles/{article.pk}/history/{revisions[0]['id']}/").json()
    assert [s["source_text"] for s in now["segments"]] == [row[2] for row in after]

    # A save made against the old source (the version loaded before the update) is refused, not applied blind.
    stale = api(translator).patch(f"/api/v1/articles/{article.pk}/segments/{edited[0]}/",
                                  {"text": "typed against the old source", "version": loaded}, format="json")
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "stale_version"

    # The changed source blocks submit until the segment is saved or confirmed.
    refused = api(translator).post(f"/api/v1/articles/{article.pk}/actions/submit/")
    assert refused.status_code == 409
    assert "source_changed" in {i["code"] for i in refused.json()["error"]["details"]["issues"]}
    run_job(drafting.run_draft, job.pk)
    drafted = article.document.segments.get(pk=edited[0])
    assert drafted.machine_text and drafted.text == edited[3]  # the new draft beside the old translation
    new_segment = article.document.segments.get(position=after[-1][1])
    assert new_segment.text  # drafted like any new segment
    overriding = api(editor).post(f"/api/v1/articles/{article.pk}/segments/{edited[0]}/overrides/",
                                  {"code": "source_changed", "reason": "fine"}, format="json")
    assert overriding.status_code == 409
    client.post(f"/desk/articles/{article.pk}/segments/{edited[0]}/confirm/", {"version": drafted.version})
    assert not article.document.segments.get(pk=edited[0]).source_changed
    api(translator).patch(f"/api/v1/articles/{article.pk}/segments/{new_segment.pk}/", {
        "text": "The source added that joint patrols will deploy in the city in the coming days.",
        "version": new_segment.version}, format="json")
    assert api(translator).post(f"/api/v1/articles/{article.pk}/actions/submit/").status_code == 200

    # Nothing left to bring in.
    assert api(editor).post(f"/api/v1/articles/{article.pk}/actions/sync/").status_code == 409


def test_a_published_article_is_updated_under_a_correction(server, editor, translator, api):  # noqa: F811
    article = to_state(imported(server, editor), State.PUBLISHED, editor, translator)
    live = article.live_version_id
    first_snapshot = article.live_version.snapshot_id
    server.serve("/story", article_page(edited_story()), etag='"v2"')
    assert api(editor).post(f"/api/v1/articles/{article.pk}/watch/check/").json()["outcome"] == "edited"
    assert api(translator).post(f"/api/v1/articles/{article.pk}/actions/sync/").status_code == 403
    assert api(editor).post(f"/api/v1/articles/{article.pk}/actions/sync/").status_code == 202
    article.refresh_from_db()
    assert article.state == State.EDITING and article.live_version_id == live  # the page stays meanwhile
    public = Client().get(f"/articles/{article.slug}/").content.decode()
    assert "مساء الأربعاء" not in public
    for segment in article.document.segments.filter(source_changed=True):
        api(editor).patch(f"/api/v1/articles/{article.pk}/segments/{segment.pk}/",
                          {"text": segment.text + " (Wednesday evening)", "version": segment.version}, format="json")
    segment = article.document.segments.order_by("-position").first()
    api(editor).patch(f"/api/v1/articles/{article.pk}/segments/{segment.pk}/",
                      {"text": "Joint patrols will deploy in the coming days.", "version": segment.version},
                      format="json")
    assert api(editor).post(f"/api/v1/articles/{article.pk}/actions/publish/",
                            {"comment": "Updated to follow the outlet's edit"}, format="json").status_code == 200
    article.refresh_from_db()
    assert article.live_version_id != live and article.live_version.snapshot_id != first_snapshot
    assert article.live_version.snapshot.segments[-1][1] == NEW_PARAGRAPH[1]


def test_a_removed_original_is_an_alert_and_the_editors_choice_is_recorded(server, editor, translator, api):  # noqa: F811
    article = to_state(imported(server, editor), State.PUBLISHED, editor, translator)
    server.serve("/story", b"gone", status=410)
    found = api(editor).post(f"/api/v1/articles/{article.pk}/watch/check/").json()
    assert found["outcome"] == "gone"
    assert set(Notification.objects.filter(event="original_removed").values_list("recipient__username",
                                                                                  flat=True)) == {"sami", "layla"}
    client = Client()
    client.force_login(editor)
    desk = client.get("/desk/").content.decode()
    assert "Removed by their outlet:" in desk and "published: decide what happens to it" in desk
    page = client.get(f"/desk/articles/{article.pk}/").content.decode()
    assert 'name="choice" value="keep"' in page
    assert "has been removed" not in Client().get(f"/articles/{article.slug}/").content.decode()  # (now cached)
    assert api(translator).post(f"/api/v1/articles/{article.pk}/watch/decision/", {"choice": "keep"},
                                format="json").status_code == 403
    assert api(editor).post(f"/api/v1/articles/{article.pk}/watch/decision/", {"choice": "maybe"},
                            format="json").status_code == 400
    client.post(f"/desk/articles/{article.pk}/original/decision/", {"choice": "keep", "comment": "Still newsworthy"})
    article.refresh_from_db()
    assert article.watch_decision == "keep" and article.state == State.PUBLISHED
    assert article.state_changes.filter(action="keep_removed_original", comment="Still newsworthy",
                                        user=editor).exists()
    public = Client().get(f"/articles/{article.slug}/").content.decode()
    assert "The original has been removed by Horan Free League since this translation was published." in public
    assert api().get(f"/api/v1/published/{article.slug}/").json()["source"]["removed_at"]
    assert "Removed by their outlet:" not in client.get("/desk/").content.decode()  # decided: no longer alerting
    # The outlet puts it back: the note comes off the page.
    server.serve("/story", article_page(JASIM), etag='"v1"')
    assert api(editor).post(f"/api/v1/articles/{article.pk}/watch/check/").json()["outcome"] == "unchanged"
    assert "has been removed" not in Client().get(f"/articles/{article.slug}/").content.decode()
    assert Article.objects.get(pk=article.pk).watch_decision == ""
    server.serve("/story", b"gone", status=410)
    assert api(editor).post(f"/api/v1/articles/{article.pk}/watch/check/").json()["outcome"] == "gone"
    assert api(editor).post(f"/api/v1/articles/{article.pk}/watch/decision/", {"choice": "unpublish"},
                            format="json").status_code == 200
    article.refresh_from_db()
    assert article.live_version_id is None and article.watch_decision == "unpublish"


def test_unreachable_counts_for_nothing_until_it_persists(server, editor, api, settings):  # noqa: F811
    article = imported(server, editor)
    server.serve("/story", b"down", status=503)
    check = f"/api/v1/articles/{article.pk}/watch/check/"
    client = Client()
    client.force_login(editor)
    for _ in range(settings.WATCH_UNREACHABLE_AFTER):
        assert "Outlets not answering" not in client.get("/desk/").content.decode()
        assert api(editor).post(check).json()["outcome"] == "unreachable"
    article.refresh_from_db()
    assert article.watch_outcome == "" and article.watch_failures == settings.WATCH_UNREACHABLE_AFTER
    assert "Horan Free League: 1 of 1 watched original unreachable" in client.get("/desk/").content.decode()
    server.serve("/story", article_page(JASIM), etag='"v1"')
    assert api(editor).post(check).json()["outcome"] == "unchanged"
    assert Article.objects.get(pk=article.pk).watch_failures == 0


def test_the_schedule_checks_hourly_then_daily_and_honours_the_switches(server, editor, admin_user, api):  # noqa: F811
    article = imported(server, editor)
    now = timezone.now()
    assert list(watch.due(now)) == [article]  # never checked
    watch.check_due(now)
    assert list(watch.due(now + timedelta(minutes=30))) == []
    assert list(watch.due(now + timedelta(minutes=61))) == [article]  # hourly on the first day
    Article.objects.filter(pk=article.pk).update(created_at=now - timedelta(days=3))
    assert list(watch.due(now + timedelta(hours=2))) == []
    assert list(watch.due(now + timedelta(hours=25))) == [article]  # then daily
    Article.objects.filter(pk=article.pk).update(created_at=now - timedelta(days=40))
    assert list(watch.due(now + timedelta(days=2))) == []  # 30 days on, unpublished: no longer
    Article.objects.filter(pk=article.pk).update(published_at=now - timedelta(days=10))
    assert list(watch.due(now + timedelta(days=2))) == [article]  # 30 days after publication
    # The per-article switch: editors only.
    assert api(make_user("translator")).patch(f"/api/v1/articles/{article.pk}/watch/", {"enabled": False},
                                              format="json").status_code == 403
    assert api(editor).patch(f"/api/v1/articles/{article.pk}/watch/", {"enabled": False},
                             format="json").json() == {"enabled": False}
    assert list(watch.due(now + timedelta(days=2))) == []
    assert api(editor).get(f"/api/v1/articles/{article.pk}/").json()["watch"]["enabled"] is False
    # The per-feed switch.
    link = server.url("/2024/05/bread.html")
    url = server.serve_feed("/atom.xml", atom([{"title": BREAD["title"], "link": link, "summary": BREAD["summary"],
                                                "author": "x", "published": now,
                                                "content": block_html(BREAD["blocks"]) * 3}]), kind="atom")
    feed = register(admin_user, url, name="Enab Baladi")
    feeds.poll(feed.pk)
    from_feed = Article.objects.get(source_url=link)
    assert from_feed in watch.due(now)
    assert api(admin_user).patch(f"/api/v1/feeds/{feed.pk}/", {"watch": False}, format="json").json()["watch"] is False
    assert from_feed not in watch.due(now)


def test_a_watch_run_over_many_articles_costs_bounded_queries(server, editor, django_assert_max_num_queries):  # noqa: F811
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    articles = [imported(server, editor, f"/story-{i}") for i in range(6)]
    now = timezone.now()
    with CaptureQueriesContext(connection) as few:
        assert watch.check_due(now, limit=3) == {"unchanged": 3}
    with CaptureQueriesContext(connection) as more:
        assert watch.check_due(now, limit=None) == {"unchanged": 3}
    # Per article a claim, the article, its last snapshot, its title, the check's record: a constant each.
    assert len(few.captured_queries) == len(more.captured_queries)
    assert len(few.captured_queries) <= 3 * 6 + 1
    # One conditional request each.
    for article in articles:
        path = "/" + article.source_url.rsplit("/", 1)[1]
        asked = server.requests_to(path)
        assert len(asked) == 2 and asked[-1]["headers"].get("If-None-Match") == '"v1"'


def test_the_api_imports_by_address_alone(server, editor, api, settings):  # noqa: F811
    page = article_page(JASIM)
    server.serve("/story", page, etag='"v1"')
    source = {"url": server.url("/story"), "language": "ar", "outlet": "Horan Free League"}
    response = api(editor).post("/api/v1/articles/", {"source": source, "keywords": ["Daraa"]}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["source"]["title"] == JASIM["title"] and body["watch"]["enabled"] is True
    assert [s["source_text"] for s in body["segments"]][1:] == [text for _, text in JASIM["blocks"]]
    snapshot = SourceSnapshot.objects.get(article_id=body["id"])
    assert (snapshot.kind, snapshot.etag, bytes(snapshot.content.data)) == ("fetched", '"v1"', page)

    server.serve("/empty", b"<html><body><nav>nothing</nav></body></html>")
    refused = api(editor).post("/api/v1/articles/", {"source": {**source, "url": server.url("/empty")}},
                               format="json")
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "no_article"
    no_address = api(editor).post("/api/v1/articles/", {"source": {**source, "url": ""}}, format="json")
    assert no_address.status_code == 400 and "body" in no_address.json()["error"]["details"]["source"]

    # A newsroom that reads a fixed list of outlets: any other address is refused before it is looked up.
    settings.FETCH_ONLY_HOSTS = ["enabbaladi.net"]
    asked = len(server.requests)
    elsewhere = api(editor).post("/api/v1/articles/", {"source": source}, format="json")
    assert elsewhere.status_code == 400 and "FETCH_ONLY_HOSTS" in elsewhere.json()["error"]["message"]
    assert len(server.requests) == asked


def mark_original_changed(article: Article) -> Article:
    """Put the article as the watch and an update leave it (for the pages' HTML and accessibility checks): its
    original changed (paragraph 1 edited, one added, the last removed) and segment 2's source changed under it."""
    sources = [[kind, text] for kind, text in article.document.segments.order_by("position")
               .values_list("kind", "source_text")]
    new = [sources[0], ["paragraph", "قال " + sources[1][1]], *sources[2:-1], ["paragraph", NEW_PARAGRAPH[1]]]
    Article.objects.filter(pk=article.pk).update(
        source_url="https://outlet.example/story", watch_outcome=watch.EDITED, watch_changed_at=timezone.now(),
        watch_changes=watch.changes(article, new))
    segment = article.document.segments.get(position=2)
    segment.previous_source, segment.source_text = segment.source_text, segment.source_text + " أمس"
    segment.source_changed = True
    segment.save()
    return Article.objects.get(pk=article.pk)


def mark_original_gone(article: Article, failing: Article) -> None:
    """The article's original removed (a retraction alert, a decision to take when it is published), and another
    article's outlet not answering for several checks."""
    Article.objects.filter(pk=article.pk).update(source_url="https://outlet.example/gone", watch_outcome=watch.GONE,
                                                 watch_changed_at=timezone.now())
    Article.objects.filter(pk=failing.pk).update(source_url="https://down.example/story", watch_failures=5)


@pytest.mark.django_db(transaction=True)
def test_two_overlapping_watch_runs_check_each_original_once(server, editor):  # noqa: F811
    """Two schedulers' runs at once (a lease handed over mid-run): each article is claimed by one of them."""
    import threading

    from django.db import connection

    articles = [imported(server, editor, f"/story-{i}") for i in range(8)]
    now = timezone.now()
    results, start = [], threading.Barrier(2)

    def run():
        start.wait()
        try:
            results.append(watch.check_due(now))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sum(sum(counts.values()) for counts in results) == len(articles)
    for article in articles:
        assert len(server.requests_to("/" + article.source_url.rsplit("/", 1)[1])) == 2  # the import, one check


SHOWN = ("id", "position", "kind", "source_text", "machine_text", "text", "origin", "engine", "source_changed",
         "previous_source")


def shown(client, article: Article) -> dict:
    """The article as the API shows its source and segments (the fields a revert gives back; not versions)."""
    body = client.get(f"/api/v1/articles/{article.pk}/").json()
    return {"title": body["source"]["title"], "body": body["source"]["body"],
            "segments": [{k: s[k] for k in SHOWN} for s in body["segments"]]}


def test_reverting_an_update_from_the_original_undoes_it(server, editor, translator, api):  # noqa: F811
    article = to_state(imported(server, editor), State.TRANSLATION, editor, translator)
    before = shown(api(editor), article)
    server.serve("/story", article_page(edited_story()), etag='"v2"')
    assert api(editor).post(f"/api/v1/articles/{article.pk}/watch/check/").json()["outcome"] == "edited"
    assert api(translator).post(f"/api/v1/articles/{article.pk}/actions/sync/").status_code == 202
    synced = shown(api(editor), article)
    assert synced != before
    added = next(s["id"] for s in synced["segments"] if s["source_text"] == NEW_PARAGRAPH[1])
    history = api(editor).get(f"/api/v1/articles/{article.pk}/history/").json()["results"]
    update, previous = history[0]["id"], history[1]["id"]
    assert history[0]["comment"].startswith("Updated from the original")

    # The desk says what the revert brings back before doing it.
    desk = Client()
    desk.force_login(editor)
    asked = desk.post(f"/desk/articles/{article.pk}/history/{previous}/revert/").content.decode()
    last = len(JASIM["blocks"])
    assert "The source text as it was then, for segment 2." in asked
    assert f"Back in the article (an update from the original removed it since): segment {last}." in asked
    assert f"Out of the article again (an update from the original added it since; its history stays): " \
           f"segment {last}." in asked

    response = api(editor).post(f"/api/v1/articles/{article.pk}/history/{previous}/revert/", format="json")
    assert response.status_code == 200, response.content
    assert shown(api(editor), article) == before  # sources, the removed segment back, the added one out, marks
    assert added not in {s["id"] for s in response.json()["segments"]}
    history = api(editor).get(f"/api/v1/articles/{article.pk}/history/").json()["results"]
    assert history[0]["comment"] == f"Reverted to revision {previous}"  # itself a new revision
    # The original still differs from the article: the change is pending again, and can be brought in again.
    body = api(editor).get(f"/api/v1/articles/{article.pk}/").json()
    assert (body["watch"]["outcome"], body["watch"]["changes"]["edited"]) == ("edited", [2])
    assert "sync" in body["actions"]

    # Compare still works across the update and the revert, both ways.
    for start, end in ((previous, "current"), (previous, update), (update, "current")):
        diff = api(editor).get(f"/api/v1/articles/{article.pk}/diff/?from={start}&to={end}")
        assert diff.status_code == 200, (start, end)
    rows = api(editor).get(f"/api/v1/articles/{article.pk}/diff/?from={previous}&to=current").json()["segments"]
    assert [r["id"] for r in rows] == [s["id"] for s in before["segments"]] and not any(r["changed"] for r in rows)
    assert desk.get(f"/desk/articles/{article.pk}/compare/?from={update}").status_code == 200
    # And the update can be reverted to in turn: the article is as the update left it.
    api(editor).post(f"/api/v1/articles/{article.pk}/history/{update}/revert/", format="json")
    assert shown(api(editor), article) == synced


def test_a_changed_headline_is_an_edit_of_the_title(server, editor, api):  # noqa: F811
    article = imported(server, editor)
    headline = "عودة الحياة تدريجياً إلى مدينة جاسم بعد اتفاق تهدئة هش"
    server.serve("/story", article_page({**JASIM, "title": headline}), etag='"v2"')
    found = api(editor).post(f"/api/v1/articles/{article.pk}/watch/check/").json()
    assert (found["outcome"], found["edited"], found["removed"], found["added"]) == ("edited", [0], [], [])
    desk = Client()
    desk.force_login(editor)
    assert "The original changed just now: the headline edited" in desk.get("/desk/").content.decode()
    assert api(editor).post(f"/api/v1/articles/{article.pk}/actions/sync/").status_code == 200
    body = api(editor).get(f"/api/v1/articles/{article.pk}/").json()
    assert body["segments"][0]["source_text"] == headline and body["source"]["title"] == headline


def test_the_desk_card_says_when_the_original_changed_then_what_in_short(server, editor, api):  # noqa: F811
    article = imported(server, editor)
    blocks = list(JASIM["blocks"])
    blocks[0] = (blocks[0][0], blocks[0][1].replace("الشمالي", "الغربي"))
    blocks[1] = (blocks[1][0], blocks[1][1].replace("صباح الثلاثاء", "مساء الأربعاء"))
    server.serve("/story", article_page({**JASIM, "blocks": [*blocks, NEW_PARAGRAPH]}), etag='"v2"')
    assert api(editor).post(f"/api/v1/articles/{article.pk}/watch/check/").json()["edited"] == [1, 2]
    Article.objects.filter(pk=article.pk).update(watch_changed_at=timezone.now() - timedelta(hours=2, minutes=5))
    desk = Client()
    desk.force_login(editor)
    card = desk.get("/desk/").content.decode().replace("\xa0", " ")  # timesince keeps "2 hours" on one line
    assert "The original changed 2 hours ago: 2 paragraphs edited, 1 added</span>" in card


def test_editors_switch_the_watch_of_a_feed_and_translators_may_not(server, editor, translator, admin_user, api):  # noqa: F811,E501
    from editorial import roles

    link = server.serve("/2024/05/bread.html", article_page(BREAD))
    url = server.serve_feed("/atom.xml", atom([{"title": BREAD["title"], "link": link, "summary": BREAD["summary"],
                                                "author": "x", "published": timezone.now(),
                                                "content": block_html(BREAD["blocks"]) * 3}]), kind="atom")
    feed = register(admin_user, url, name="Enab Baladi")
    feeds.poll(feed.pk)
    from_feed = Article.objects.get(source_url=link)
    switch = f"/api/v1/feeds/{feed.pk}/watch/"
    refused = api(translator).post(switch, {"watch": False}, format="json")
    assert refused.status_code == 403 and refused.json()["error"]["message"] == roles.REFUSALS["switch_watch"]
    assert api().post(switch, {"watch": False}, format="json").status_code == 401
    assert api(editor).post(switch, {"watch": "no"}, format="json").status_code == 400
    assert api(editor).post("/api/v1/feeds/999999/watch/", {"watch": False}, format="json").status_code == 404
    assert from_feed in watch.due()

    answer = api(editor).post(switch, {"watch": False}, format="json")
    assert answer.status_code == 200 and (answer.json()["id"], answer.json()["watch"]) == (feed.pk, False)
    assert from_feed not in watch.due()
    assert api(admin_user).get(f"/api/v1/feeds/{feed.pk}/").json()["watch"] is False
    assert api(admin_user).post(switch, {"watch": True}, format="json").json()["watch"] is True
    assert from_feed in watch.due()


def test_an_editor_corrects_a_page_whose_original_was_removed(server, editor, translator, api):  # noqa: F811
    article = to_state(imported(server, editor), State.PUBLISHED, editor, translator)
    live = article.live_version_id
    server.serve("/story", b"gone", status=410)
    assert api(editor).post(f"/api/v1/articles/{article.pk}/watch/check/").json()["outcome"] == "gone"
    answer = api(editor).post(f"/api/v1/articles/{article.pk}/watch/decision/",
                              {"choice": "correct", "comment": "The outlet withdrew the figures"}, format="json")
    assert answer.status_code == 200 and answer.json() == {"decision": "correct", "state": "editing"}
    article.refresh_from_db()
    assert article.live_version_id == live  # the page stays up while it is corrected
    assert article.state_changes.filter(action="correct", comment="The outlet withdrew the figures",
                                        user=editor).exists()
    assert "has been removed" not in Client().get(f"/articles/{article.slug}/").content.decode()  # no note
    desk = Client()
    desk.force_login(editor)
    assert "Removed by their outlet:" not in desk.get("/desk/").content.decode()  # decided: no longer alerting
    assert "Original removed (correct)" in desk.get("/desk/articles/").content.decode()


def test_a_page_that_no_longer_holds_the_article_is_gone(server, editor, api):  # noqa: F811
    article = imported(server, editor)
    # 200, the headline still there, no article text under it.
    server.serve("/story", f"<html><head><title>{JASIM['title']}</title></head><body></body></html>".encode())
    found = api(editor).post(f"/api/v1/articles/{article.pk}/watch/check/").json()
    assert (found["outcome"], found["detail"]) == ("gone", "The page no longer holds an article.")
    body = api(editor).get(f"/api/v1/articles/{article.pk}/").json()
    assert body["watch"]["outcome"] == "gone"
    assert Notification.objects.filter(event="original_removed", article=article).exists()


def test_an_original_that_does_not_answer_in_time_is_unreachable(server, editor, api, settings):  # noqa: F811
    article = imported(server, editor)
    settings.FEED_TIMEOUT_SECONDS = 0.5
    server.serve("/story", article_page(JASIM), delay=2)
    found = api(editor).post(f"/api/v1/articles/{article.pk}/watch/check/").json()
    assert found["outcome"] == "unreachable" and "did not answer within 0.5 seconds" in found["detail"]
    watched = api(editor).get(f"/api/v1/articles/{article.pk}/").json()["watch"]
    assert (watched["outcome"], watched["failures"]) == ("", 1)  # counts for nothing yet


def test_unchanged_segments_keep_their_overrides_through_an_update(server, editor, translator, api):  # noqa: F811
    from editorial import services

    article = to_state(imported(server, editor), State.TRANSLATION, editor, translator)
    segment = article.document.segments.get(position=1)
    services.save_segment(article.pk, segment.pk, translator, text="Life returns to جاسم after a truce.",
                          version=segment.version)
    assert api(editor).post(f"/api/v1/articles/{article.pk}/segments/{segment.pk}/overrides/",
                            {"code": "untranslated", "reason": "The town's name stays in Arabic here."},
                            format="json").status_code == 201
    server.serve("/story", article_page(edited_story()), etag='"v2"')
    api(editor).post(f"/api/v1/articles/{article.pk}/watch/check/")
    assert api(editor).post(f"/api/v1/articles/{article.pk}/actions/sync/").status_code == 202
    kept = next(s for s in api(editor).get(f"/api/v1/articles/{article.pk}/").json()["segments"]
                if s["id"] == segment.pk)
    untranslated = next(i for i in kept["issues"] if i["code"] == "untranslated")
    assert untranslated["overridden"] == {"reason": "The town's name stays in Arabic here.", "by": editor.username}


def test_the_word_diff_of_an_edited_original_is_in_the_api(server, editor, api):  # noqa: F811
    article = imported(server, editor)
    server.serve("/story", article_page(edited_story()), etag='"v2"')
    api(editor).post(f"/api/v1/articles/{article.pk}/watch/check/")
    changes = api(editor).get(f"/api/v1/articles/{article.pk}/").json()["watch"]["changes"]
    [edit] = changes["edits"]
    assert edit["position"] == 2 and edit["old"] == JASIM["blocks"][1][1]
    assert ["delete", "صباح الثلاثاء"] in edit["ops"] and ["insert", "مساء الأربعاء"] in edit["ops"]
    assert changes["additions"] == [NEW_PARAGRAPH[1]] and changes["removals"] == [JASIM["blocks"][-1][1]]
