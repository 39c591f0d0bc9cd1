"""Source feeds: polled from a local web server serving real RSS and Atom documents and article pages."""

import threading
from datetime import UTC, datetime, timedelta
from datetime import timezone as dt_timezone

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.utils import timezone

from editorial import feeds, fetching, roles, services
from editorial.models import Article, FeedItem, Job, SourceFeed, State
from tests.conftest import make_user, wait_for
from tests.fakes.feed_server import (
    BREAD,
    BROKEN_XML,
    FOOTER_TEXT,
    JASIM,
    NAV_TEXT,
    SCHOOLS,
    SIDEBAR_TEXT,
    WATER,
    FeedServer,
    article_page,
    atom,
    block_html,
    rss,
    with_php_warning,
)

DAMASCUS = dt_timezone(timedelta(hours=3))
JASIM_AT = datetime(2024, 5, 14, 11, 5, tzinfo=DAMASCUS)
BREAD_AT = datetime(2024, 5, 14, 9, 30, tzinfo=DAMASCUS)
SCHOOLS_AT = datetime(2024, 5, 15, 8, 0, tzinfo=DAMASCUS)
NAV_SPORTS = NAV_TEXT.split()[3]  # a menu entry the article never uses


@pytest.fixture(autouse=True)
def _this_machine_only(monkeypatch):
    """No test here sends a packet beyond this machine: a connection elsewhere is refused before it leaves, so a
    broken address guard fails its test instead of reaching out."""
    import ipaddress
    import socket

    connect = socket.socket.connect

    def loopback_only(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            host = address[0].split("%")[0]
            if not ipaddress.ip_address(host).is_loopback:
                raise ConnectionRefusedError(f"the tests do not connect to {host}")
        return connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", loopback_only)


@pytest.fixture
def server():
    server = FeedServer()
    yield server
    server.stop()


def register(user, url, **options):
    options.setdefault("name", "Horan Free League")
    return feeds.register(user=user, url=url, **options)


def serve_summaries_feed(server, path="/rss.xml", stories=(JASIM, BREAD), **options) -> str:
    """An RSS feed of summaries only, newest first, each entry's full article on its own page."""
    items = []
    for number, story in enumerate(stories, start=1):
        link = server.serve(f"/news/{number}.html", article_page(story))
        items.append({"title": story["title"], "link": link, "summary": story["summary"]})
    items[0].update(creator="أحمد المسالمة", published=JASIM_AT)
    if len(items) > 1:
        items[1].update(author="desk@example.org (سارة الأحمد)", published=BREAD_AT)
    return server.serve_feed(path, rss(items), **options)


def segments_of(article: Article) -> list[tuple[str, str]]:
    return [(s.kind, s.source_text) for s in article.document.segments.order_by("position")]


def expected_segments(story: dict) -> list[tuple[str, str]]:
    kinds = {"p": "paragraph", "h2": "heading"}
    return [("title", story["title"])] + [(kinds[tag], text) for tag, text in story["blocks"]]


# Importing ------------------------------------------------------------------------------------------------


def test_summaries_only_feed_imports_the_full_article_from_each_page(db, server, admin_user):
    url = serve_summaries_feed(server)
    feed = register(admin_user, url, default_keywords=["Daraa", "Syria"])

    result = feeds.poll(feed.pk)

    assert (len(result.created), result.duplicates, result.errors) == (2, 0, [])
    jasim = Article.objects.get(source_url=server.url("/news/1.html"))
    # The page's article, split into paragraph and heading segments; the headline, menus and footer left out.
    assert segments_of(jasim) == expected_segments(JASIM)
    assert not any(text in jasim.document.source_body for text in (NAV_SPORTS, SIDEBAR_TEXT, FOOTER_TEXT))
    assert (jasim.state, jasim.source_outlet) == (State.SOURCE, "Horan Free League")
    assert jasim.source_author == "أحمد المسالمة"
    assert jasim.source_published_at == datetime(2024, 5, 14, 8, 5, tzinfo=UTC)
    assert jasim.document.source_language == "ar"
    assert jasim.created_by == admin_user
    assert sorted(jasim.keywords.values_list("name", flat=True)) == ["Daraa", "Syria"]

    bread = Article.objects.exclude(pk=jasim.pk).get()
    # Imported oldest first, so the desk's newest-first list shows them in the feed's order.
    assert list(Article.objects.all()) == [jasim, bread]
    assert segments_of(bread) == expected_segments(BREAD)
    assert bread.source_author == "سارة الأحمد"
    assert bread.source_published_at == datetime(2024, 5, 14, 6, 30, tzinfo=UTC)

    feed.refresh_from_db()
    assert feed.last_error == "" and feed.last_polled_at is not None
    assert all(r["headers"]["User-Agent"].startswith("Tarjama/") for r in server.requests)


def test_atom_feed_with_full_content_is_imported_without_fetching_the_page(db, server, admin_user):
    link = server.url("/2024/05/schools.html")  # nothing is served there: fetching it would fail
    url = server.serve_feed("/atom.xml", atom([{
        "title": SCHOOLS["title"], "link": link, "summary": SCHOOLS["summary"], "author": "خالد الجرعتلي",
        "published": SCHOOLS_AT, "content": block_html(SCHOOLS["blocks"]),
    }]), kind="atom")
    feed = register(admin_user, url, name="Enab Baladi")

    result = feeds.poll(feed.pk)

    assert (len(result.created), result.errors) == (1, [])
    assert server.requests_to("/2024/05/schools.html") == []
    article = Article.objects.get(pk=result.created[0])
    assert segments_of(article) == expected_segments(SCHOOLS)
    assert (article.source_outlet, article.source_author, article.source_url) == ("Enab Baladi", "خالد الجرعتلي", link)
    assert article.source_published_at == datetime(2024, 5, 15, 5, 0, tzinfo=UTC)


def test_an_entry_with_short_content_is_read_from_its_page(db, server, admin_user):
    link = server.serve("/bread.html", article_page(BREAD))
    url = server.serve_feed("/atom.xml", atom([{
        "title": BREAD["title"], "link": link, "summary": BREAD["summary"], "author": "سارة الأحمد",
        "published": BREAD_AT, "content": f"<p>{BREAD['summary']}</p>",
    }]), kind="atom")
    feed = register(admin_user, url)

    result = feeds.poll(feed.pk)

    assert len(result.created) == 1 and len(server.requests_to("/bread.html")) == 1
    assert segments_of(Article.objects.get(pk=result.created[0])) == expected_segments(BREAD)


# Never twice ----------------------------------------------------------------------------------------------


def test_polling_twice_imports_nothing_new_and_fetches_no_page_again(db, server, admin_user):
    feed = register(admin_user, serve_summaries_feed(server))
    first = feeds.poll(feed.pk)
    pages_fetched = len([r for r in server.requests if r["path"].startswith("/news/")])

    second = feeds.poll(feed.pk)

    assert (len(first.created), len(second.created), second.duplicates) == (2, 0, 2)
    assert Article.objects.count() == 2 and FeedItem.objects.count() == 2
    assert len([r for r in server.requests if r["path"].startswith("/news/")]) == pages_fetched == 2


def test_the_same_article_in_two_feeds_is_imported_once(db, server, admin_user):
    first = register(admin_user, serve_summaries_feed(server, "/a.xml", stories=(JASIM,)), name="Horan Free League")
    second = register(admin_user, serve_summaries_feed(server, "/b.xml", stories=(JASIM,)), name="Syria Direct")

    results = [feeds.poll(first.pk), feeds.poll(second.pk)]

    assert [(len(r.created), r.duplicates) for r in results] == [(1, 0), (0, 1)]
    article = Article.objects.get()
    assert article.source_outlet == "Horan Free League"
    assert FeedItem.objects.get().feed == first


def test_an_article_imported_by_hand_is_not_imported_again(db, server, admin_user, editor):
    url = serve_summaries_feed(server, stories=(JASIM,))
    link = server.url("/news/1.html")
    by_hand = services.create_article(user=editor, title=JASIM["title"], body=JASIM["summary"], language="ar",
                                      outlet="Horan Free League", url=link)
    feed = register(admin_user, url)

    result = feeds.poll(feed.pk)

    assert (result.created, result.duplicates) == ([], 1)
    assert list(Article.objects.all()) == [by_hand]
    assert FeedItem.objects.get(url=link).article == by_hand
    assert server.requests_to("/news/1.html") == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_feeds_polled_at_the_same_moment_import_a_shared_article_once(server, admin_user):
    # The page is slow, so both polls are past the "seen already?" checks before either has saved.
    link = server.serve("/shared.html", article_page(JASIM), delay=0.5)
    body = rss([{"title": JASIM["title"], "link": link, "summary": JASIM["summary"]}])
    ids = [register(admin_user, server.serve_feed(path, body), name=name).pk
           for path, name in (("/a.xml", "Horan Free League"), ("/b.xml", "Syria Direct"))]
    barrier = threading.Barrier(2)
    results, errors = {}, []

    def poll(feed_id):
        try:
            connection.ensure_connection()
            barrier.wait(timeout=30)
            results[feed_id] = feeds.poll(feed_id)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
            barrier.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=poll, args=(feed_id,)) for feed_id in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors
    assert len(server.requests_to("/shared.html")) == 2
    assert sorted((len(r.created), r.duplicates, tuple(r.errors)) for r in results.values()) == [(0, 1, ()), (1, 0, ())]
    assert Article.objects.filter(source_url=link).count() == 1 and FeedItem.objects.count() == 1


def test_not_modified_feed_is_not_fetched_again(db, server, admin_user):
    url = serve_summaries_feed(server, etag='"v1"', last_modified="Tue, 14 May 2024 09:00:00 GMT")
    feed = register(admin_user, url)
    feeds.poll(feed.pk)
    feed.refresh_from_db()
    assert (feed.etag, feed.modified) == ('"v1"', "Tue, 14 May 2024 09:00:00 GMT")
    before = len(server.requests)

    result = feeds.poll(feed.pk)

    assert result == feeds.PollResult()
    again = server.requests[before:]
    assert [(r["path"], r["status"]) for r in again] == [("/rss.xml", 304)]
    assert again[0]["headers"]["If-None-Match"] == '"v1"'
    assert again[0]["headers"]["If-Modified-Since"] == "Tue, 14 May 2024 09:00:00 GMT"
    feed.refresh_from_db()
    assert feed.last_error == ""


# What goes wrong --------------------------------------------------------------------------------------------


def test_broken_xml_is_reported_and_the_other_feeds_are_still_polled(db, server, admin_user):
    broken = register(admin_user, server.serve_feed("/broken.xml", BROKEN_XML), name="Broken Outlet")
    good = register(admin_user, serve_summaries_feed(server), name="Horan Free League")

    results = feeds.poll_due()

    assert set(results) == {broken.pk, good.pk}
    broken.refresh_from_db()
    assert broken.last_error.startswith(f"The feed at {broken.url} is not valid RSS or Atom: not well-formed")
    assert "line 2" in broken.last_error
    assert results[broken.pk].created == [] and broken.last_polled_at is not None
    assert Article.objects.filter(source_outlet="Broken Outlet").count() == 0
    assert Article.objects.filter(source_outlet="Horan Free League").count() == 2


def test_a_page_that_is_not_a_feed_is_reported(db, server, admin_user):
    feed = register(admin_user, server.serve("/feed/", article_page(JASIM)))

    feeds.poll(feed.pk)

    feed.refresh_from_db()
    assert feed.last_error == (
        f"The feed at {feed.url} is not valid RSS or Atom: the address serves a web page, not a feed.")
    assert Article.objects.count() == 0


def test_a_malformed_feed_whose_entries_can_be_read_is_imported_with_a_warning(db, server, admin_user):
    link = server.serve("/jasim.html", article_page(JASIM))
    body = with_php_warning(rss([{"title": JASIM["title"], "link": link, "summary": JASIM["summary"]}]))
    feed = register(admin_user, server.serve_feed("/rss.xml", body, etag='"v1"'))

    result = feeds.poll(feed.pk)

    assert len(result.created) == 1
    feed.refresh_from_db()
    assert feed.last_error.startswith(f"The feed at {feed.url} is not well-formed")
    # Not marked as read: the next poll fetches the whole feed again.
    assert feed.etag == ""


def test_a_feed_that_does_not_answer_in_time_is_reported(db, server, admin_user, settings):
    settings.FEED_TIMEOUT_SECONDS = 0.5
    feed = register(admin_user, serve_summaries_feed(server, delay=3))

    result = feeds.poll(feed.pk)

    assert result.created == []
    feed.refresh_from_db()
    assert feed.last_error == f"The feed at {feed.url} did not answer within 0.5 seconds."
    assert Article.objects.count() == 0


def test_a_feed_that_cannot_be_reached_is_reported(db, server, admin_user):
    feed = register(admin_user, server.url("/rss.xml"))
    server.stop()

    feeds.poll(feed.pk)

    feed.refresh_from_db()
    assert feed.last_error == f"The feed at {feed.url} could not be reached: connection refused."


def test_a_feed_that_answers_with_an_error_is_reported(db, server, admin_user):
    feed = register(admin_user, server.url("/gone.xml"))

    feeds.poll(feed.pk)

    feed.refresh_from_db()
    assert feed.last_error == f"The feed at {feed.url} answered HTTP 404 Not Found."


@pytest.mark.parametrize("failure", ["missing", "slow"])
def test_a_page_that_fails_falls_back_to_the_summary(db, server, admin_user, settings, failure):
    settings.FEED_TIMEOUT_SECONDS = 0.5
    water = server.url("/water.html")
    if failure == "slow":
        server.serve("/water.html", article_page(WATER), delay=3)
    bread = server.serve("/bread.html", article_page(BREAD))
    url = server.serve_feed("/rss.xml", rss([
        {"title": WATER["title"], "link": water, "summary": WATER["summary"]},
        {"title": BREAD["title"], "link": bread, "summary": BREAD["summary"]},
    ]))
    feed = register(admin_user, url)

    result = feeds.poll(feed.pk)

    assert len(result.created) == 2
    assert segments_of(Article.objects.get(source_url=water)) == [("title", WATER["title"]),
                                                                  ("paragraph", WATER["summary"])]
    # The other entry is unaffected.
    assert segments_of(Article.objects.get(source_url=bread)) == expected_segments(BREAD)
    feed.refresh_from_db()
    reason = "answered HTTP 404 Not Found." if failure == "missing" else "did not answer within 0.5 seconds."
    assert feed.last_error == f"The page at {water} {reason} The feed's summary was imported instead."


def test_a_bad_entry_does_not_stop_the_others(db, server, admin_user):
    bread = server.serve("/bread.html", article_page(BREAD))
    url = server.serve_feed("/rss.xml", rss([
        {"title": "", "link": server.serve("/untitled.html", article_page(JASIM)), "summary": JASIM["summary"]},
        {"title": WATER["title"], "link": "javascript:alert(1)", "summary": WATER["summary"]},
        {"title": BREAD["title"], "link": bread, "summary": BREAD["summary"]},
    ]))
    feed = register(admin_user, url)

    result = feeds.poll(feed.pk)

    assert [Article.objects.get(pk=pk).source_url for pk in result.created] == [bread]
    assert result.errors == [
        f"The entry “{WATER['title']}” has no usable link, so it was not imported.",
        f"“(no title)” ({server.url('/untitled.html')}) could not be imported: The title has no text.",
    ]
    feed.refresh_from_db()
    assert feed.last_error == "\n".join(result.errors)


def test_a_feed_whose_admin_lost_the_role_imports_nothing(db, server, admin_user):
    feed = register(admin_user, serve_summaries_feed(server))
    roles.set_role(admin_user, roles.TRANSLATOR)

    result = feeds.poll(feed.pk)

    assert result.created == [] and server.requests == []
    feed.refresh_from_db()
    assert feed.last_error.startswith(f"{admin_user.username}, who registered this feed, may no longer import")


# Drafts and scheduling ------------------------------------------------------------------------------------


def test_auto_draft_orders_a_draft_of_each_new_article(db, server, admin_user):
    feed = register(admin_user, serve_summaries_feed(server), auto_draft=True)

    result = feeds.poll(feed.pk)

    assert len(result.created) == 2
    jobs = Job.objects.filter(kind=Job.Kind.DRAFT)
    assert sorted(jobs.values_list("article_id", flat=True)) == sorted(result.created)
    assert {(job.state, job.created_by) for job in jobs} == {(Job.Status.QUEUED, admin_user)}
    feed.refresh_from_db()
    assert feed.last_error == ""


def test_an_auto_draft_the_owner_may_not_order_is_reported_and_the_article_kept(db, server):
    # Someone given the import permission alone (in the Django admin), without a role that drafts.
    importer = make_user(None, "importer")
    importer.user_permissions.add(Permission.objects.get(codename="import_article"))
    feed = register(importer, serve_summaries_feed(server, stories=(JASIM,)), auto_draft=True)

    result = feeds.poll(feed.pk)

    article = Article.objects.get(pk=result.created[0])
    assert article.state == State.SOURCE and not Job.objects.exists()
    assert result.errors == [f"“{JASIM['title']}” was imported but not drafted: "
                             "Your role may not order machine draft articles."]


def test_without_auto_draft_no_draft_is_ordered(db, server, admin_user):
    feed = register(admin_user, serve_summaries_feed(server))
    assert len(feeds.poll(feed.pk).created) == 2
    assert not Job.objects.exists()


def test_poll_due_polls_active_feeds_not_polled_recently(db, server, admin_user, settings):
    settings.FEED_POLL_SECONDS = 600
    now = timezone.now()
    body = rss([])
    never = register(admin_user, server.serve_feed("/never.xml", body))
    stale = register(admin_user, server.serve_feed("/stale.xml", body))
    recent = register(admin_user, server.serve_feed("/recent.xml", body))
    paused = register(admin_user, server.serve_feed("/paused.xml", body), active=False)
    SourceFeed.objects.filter(pk=stale.pk).update(last_polled_at=now - timedelta(seconds=601))
    SourceFeed.objects.filter(pk=recent.pk).update(last_polled_at=now - timedelta(seconds=60))

    assert set(feeds.poll_due()) == {never.pk, stale.pk}
    assert sorted(r["path"] for r in server.requests) == ["/never.xml", "/stale.xml"]
    assert feeds.poll_due() == {}
    assert paused.pk not in feeds.poll_due(now + timedelta(seconds=601))


# API ---------------------------------------------------------------------------------------------------


def test_admin_registers_lists_changes_and_removes_a_feed(db, api, admin_user):
    client = api(admin_user)
    response = client.post("/api/v1/feeds/", {
        "name": "Enab Baladi", "url": "https://www.enabbaladi.net/feed/", "default_keywords": ["Syria", " syria "],
        "auto_draft": True,
    }, format="json")
    assert response.status_code == 201, response.json()
    created = response.json()
    assert {k: created[k] for k in ("name", "url", "language", "default_keywords", "auto_draft", "active",
                                    "created_by", "last_polled_at", "last_error")} == {
        "name": "Enab Baladi", "url": "https://www.enabbaladi.net/feed/", "language": "ar",
        "default_keywords": ["Syria"], "auto_draft": True, "active": True, "created_by": admin_user.username,
        "last_polled_at": None, "last_error": "",
    }
    feed_url = f"/api/v1/feeds/{created['id']}/"

    listed = client.get("/api/v1/feeds/").json()
    assert (listed["count"], listed["results"][0]["id"]) == (1, created["id"])

    SourceFeed.objects.filter(pk=created["id"]).update(etag='"v1"')
    response = client.patch(feed_url, {"active": False, "language": "ar-SY",
                                       "url": "https://enabbaladi.net/feed/"}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["active"], response.json()["language"], response.json()["name"]) == (
        False, "ar-SY", "Enab Baladi")
    # A new address starts without the old one's cache validators.
    assert SourceFeed.objects.get(pk=created["id"]).etag == ""
    assert client.get(feed_url).json()["url"] == "https://enabbaladi.net/feed/"

    assert client.delete(feed_url).status_code == 204
    assert not SourceFeed.objects.exists()
    assert client.get(feed_url).status_code == 404


@pytest.mark.worker
def test_admin_polls_a_feed_now(transactional_db, api, admin_user, server, live_worker):
    """The poll is a task sent when the request commits; a real worker runs it."""
    feed = register(admin_user, serve_summaries_feed(server))
    response = api(admin_user).post(f"/api/v1/feeds/{feed.pk}/poll/")

    assert response.status_code == 202 and response.json()["id"] == feed.pk
    wait_for(lambda: Article.objects.filter(source_outlet="Horan Free League").count() == 2, timeout=30)


@pytest.mark.parametrize("role", ["editor", "translator"])
def test_only_admins_manage_feeds(db, api, admin_user, request, role, django_capture_on_commit_callbacks):
    user = request.getfixturevalue(role)
    feed = register(admin_user, "https://example.org/feed.xml")
    client = api(user)
    detail = f"/api/v1/feeds/{feed.pk}/"
    with django_capture_on_commit_callbacks() as callbacks:
        responses = [
            client.get("/api/v1/feeds/"),
            client.post("/api/v1/feeds/", {"name": "X", "url": "https://example.org/x.xml"}, format="json"),
            client.get(detail),
            client.patch(detail, {"name": "Renamed"}, format="json"),
            client.delete(detail),
            client.post(f"{detail}poll/"),
        ]
    for response in responses:
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "forbidden"
    assert list(SourceFeed.objects.values_list("name", flat=True)) == ["Horan Free League"]
    assert callbacks == []


@pytest.mark.parametrize(("change", "field"), [
    ({"url": "ftp://example.org/feed.xml"}, "url"),
    ({"url": "not a web address"}, "url"),
    ({"url": 42}, "url"),
    ({"name": ""}, "name"),
    ({"name": None}, "name"),
    ({"language": "Arabic"}, "language"),
    ({"default_keywords": "Daraa"}, "default_keywords"),
    ({"default_keywords": [1]}, "default_keywords"),
    ({"default_keywords": ["k"] * 21}, "default_keywords"),
    ({"auto_draft": "yes"}, "auto_draft"),
    ({"active": 1}, "active"),
])
def test_bad_feed_input_is_refused(db, api, admin_user, change, field):
    client = api(admin_user)
    response = client.post("/api/v1/feeds/", {"name": "Enab Baladi", "url": "https://example.org/feed.xml",
                                              **change}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid" and field in error["details"]
    assert not SourceFeed.objects.exists()

    feed = register(admin_user, "https://example.org/other.xml")
    response = client.patch(f"/api/v1/feeds/{feed.pk}/", change, format="json")
    assert response.status_code == 400 and field in response.json()["error"]["details"]


def test_a_feed_address_is_registered_once(db, api, admin_user):
    client = api(admin_user)
    payload = {"name": "Enab Baladi", "url": "https://example.org/feed.xml"}
    assert client.post("/api/v1/feeds/", payload, format="json").status_code == 201
    other = client.post("/api/v1/feeds/", {**payload, "url": "https://example.org/other.xml"}, format="json").json()

    response = client.post("/api/v1/feeds/", payload, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["details"] == {
        "url": ["A feed at https://example.org/feed.xml is registered already."]}
    response = client.patch(f"/api/v1/feeds/{other['id']}/", {"url": payload["url"]}, format="json")
    assert response.status_code == 400 and "url" in response.json()["error"]["details"]
    assert SourceFeed.objects.count() == 2


def test_an_unknown_feed_is_not_found(db, api, admin_user):
    for method in ("get", "patch", "delete"):
        response = getattr(api(admin_user), method)("/api/v1/feeds/999/")
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert api(admin_user).post("/api/v1/feeds/999/poll/").status_code == 404


@pytest.mark.parametrize("where", [
    "fake outlet", "http://localhost:9/feed", "http://[::1]:9/feed", "http://169.254.169.254/latest/meta-data/",
    "http://10.1.2.3/feed", "http://0.0.0.0:9/", "http://2130706433:9/feed",
    # IPv6 forms that carry a private IPv4 address: mapped, NAT64 (169.254.169.254), 6to4 (127.0.0.1).
    "http://[::ffff:127.0.0.1]:9/", "http://[64:ff9b::a9fe:a9fe]/", "http://[2002:7f00:1::]/",
    # Read as 127.0.0.1 by requests, though urllib.parse sees example.com.
    "fake outlet\\@example.com",
])
def test_private_addresses_are_not_read(server, settings, where):
    settings.FETCH_PRIVATE_NETWORKS = []
    url = server.serve_feed("/feed.xml", rss([])) if where == "fake outlet" else where
    if where.startswith("fake outlet\\"):
        url = f"http://127.0.0.1:{server.port}\\@example.com/feed.xml"
    with pytest.raises(fetching.FetchFailed, match=r"is on a private network \(.+\): Tarjama only reads public sites"):
        fetching.fetch(url, "The feed")
    assert server.requests == []


def test_each_redirect_is_checked_again(server, settings):
    settings.FETCH_PRIVATE_NETWORKS = ["127.0.0.1/32"]
    port = server.base.rsplit(":", 1)[1]
    server.serve("/moved", b"", status=302, location=f"http://127.0.0.2:{port}/feed.xml")
    with pytest.raises(fetching.FetchFailed, match=r"The feed at http://127.0.0.1:\d+/moved redirects to "
                                                r"http://127.0.0.2:\d+/feed.xml, which is on a private network "
                                                r"\(127.0.0.2\)"):
        fetching.fetch(server.url("/moved"), "The feed")
    assert [r["path"] for r in server.requests] == ["/moved"]


def test_redirects_are_followed_to_the_document_and_loops_are_cut(server):
    feed = server.serve_feed("/feed.xml", rss([]))
    server.serve("/old", b"", status=301, location="/feed.xml")
    assert fetching.fetch(server.url("/old"), "The feed").body == server.documents["/feed.xml"].body
    assert feed.endswith("/feed.xml")
    server.serve("/loop", b"", status=302, location="/loop")
    with pytest.raises(fetching.FetchFailed, match="it redirects too many times"):
        fetching.fetch(server.url("/loop"), "The feed")
    assert len(server.requests_to("/loop")) == fetching.MAX_REDIRECTS + 1


def test_an_editor_cannot_make_the_server_read_an_internal_address(db, server, settings, editor):
    from django.test import Client

    settings.FETCH_PRIVATE_NETWORKS = []
    client = Client()
    client.force_login(editor)
    url = server.serve("/story", article_page(JASIM))
    response = client.post("/desk/new/", {"url": url, "outlet": "X", "language": "ar"})
    assert response.status_code == 400
    assert "is on a private network (127.0.0.1): Tarjama only reads public sites" in response.content.decode()
    assert server.requests == [] and not Article.objects.exists()


class FakeDns:
    """Answers name lookups for chosen names (a list of answers, one per lookup, the last repeated)."""

    def __init__(self, monkeypatch):
        import socket

        self.answers: dict[str, list[str]] = {}
        self.lookups: list[str] = []
        real = socket.getaddrinfo

        def getaddrinfo(host, port, *args, **kwargs):
            if host in self.answers:
                self.lookups.append(host)
                answers = self.answers[host]
                if not answers:
                    raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
                address = answers.pop(0) if len(answers) > 1 else answers[0]
                return real(address, port, *args, **kwargs)
            return real(host, port, *args, **kwargs)

        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture
def dns(monkeypatch):
    return FakeDns(monkeypatch)


def test_the_connection_goes_to_the_address_that_was_checked(server, settings, dns):
    # A name that answers an allowed address first and a refused one next (DNS rebinding) is read from the first.
    settings.FETCH_PRIVATE_NETWORKS = ["127.0.0.1/32"]
    dns.answers["outlet.test"] = ["127.0.0.1", "127.0.0.2"]
    server.serve_feed("/feed.xml", rss([]))
    download = fetching.fetch(f"http://outlet.test:{server.port}/feed.xml", "The feed")
    assert download.body == server.documents["/feed.xml"].body
    assert dns.lookups == ["outlet.test"]
    assert server.requests[0]["headers"]["Host"] == f"outlet.test:{server.port}"


def test_a_name_that_cannot_be_found_is_reported(dns):
    dns.answers["nowhere.invalid"] = []
    with pytest.raises(fetching.FetchFailed, match=r"could not be reached: the name nowhere.invalid was not found"):
        fetching.fetch("http://nowhere.invalid/feed.xml", "The feed")


@pytest.fixture
def tls_outlet(dns, monkeypatch, tmp_path):
    """An HTTPS outlet at outlet.test, its certificate signed by a local authority the requests trust."""
    import ssl

    import trustme

    authority = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("outlet.test").configure_cert(context)
    bundle = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))
    dns.answers["outlet.test"] = ["127.0.0.1"]
    dns.answers["impostor.test"] = ["127.0.0.1"]
    outlet = FeedServer(tls=context)
    yield outlet
    outlet.stop()


def test_https_is_read_from_the_checked_address_with_the_name_verified(tls_outlet):
    tls_outlet.serve_feed("/feed.xml", rss([]))
    download = fetching.fetch(f"https://outlet.test:{tls_outlet.port}/feed.xml", "The feed")
    assert download.body == tls_outlet.documents["/feed.xml"].body
    assert tls_outlet.requests[0]["headers"]["Host"] == f"outlet.test:{tls_outlet.port}"
    # The same server under another name: its certificate does not name it, so nothing is read.
    with pytest.raises(fetching.FetchFailed, match="no secure \\(HTTPS\\) connection could be made"):
        fetching.fetch(f"https://impostor.test:{tls_outlet.port}/feed.xml", "The feed")
    assert len(tls_outlet.requests) == 1


def test_a_server_that_sends_a_byte_now_and_then_cannot_hold_a_fetch_past_its_deadline(db, server, settings):
    """Each byte arrives well within the read timeout; the whole fetch still ends at FEED_TIMEOUT_SECONDS."""
    import time

    settings.FEED_TIMEOUT_SECONDS = 1.0
    url = server.serve("/drip", b"<html><body>" + b"x" * 40 + b"</body></html>", drip=0.2)  # ~11 s in all
    started = time.monotonic()
    with pytest.raises(fetching.FetchFailed, match="did not answer within 1 seconds"):
        fetching.fetch(url, "The page")
    assert time.monotonic() - started < 2.5
