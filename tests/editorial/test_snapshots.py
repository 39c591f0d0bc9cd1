"""Every import keeps its original as received, with fingerprints anyone can recompute."""

import hashlib
from datetime import UTC, datetime

import pytest
from django.test import Client

from editorial import feeds
from editorial.models import Article, SnapshotContent, SourceSnapshot, State
from tests.conftest import source_payload
from tests.editorial.test_feeds import _this_machine_only, register, server  # noqa: F401 - the fixtures
from tests.fakes.feed_server import JASIM, SCHOOLS, article_page, atom, block_html

pytestmark = pytest.mark.django_db


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def text_sha(article: Article) -> str:
    texts = article.document.segments.order_by("position").values_list("source_text", flat=True)
    return sha("\n".join(texts).encode())


def test_a_pasted_import_keeps_what_was_pasted_and_its_fingerprints(api, editor, translator):
    data = source_payload(2)
    response = api(editor).post("/api/v1/articles/", data, format="json")
    article = Article.objects.get(pk=response.json()["id"])
    listed = api(editor).get(f"/api/v1/articles/{article.pk}/snapshots/").json()
    pasted = f"{data['source']['title']}\n\n{data['source']['body']}".encode()
    assert [(s["kind"], s["sha256"], s["text_sha256"], s["size"]) for s in listed] == [
        ("pasted", sha(pasted), text_sha(article), len(pasted))]
    raw = api(editor).get(f"/api/v1/articles/{article.pk}/snapshots/{listed[0]['id']}/raw/")
    assert raw.status_code == 200 and raw.content == pasted and sha(raw.content) == listed[0]["sha256"]
    assert raw["Content-Disposition"].startswith("attachment;")
    assert api(translator).get(f"/api/v1/articles/{article.pk}/snapshots/").status_code == 403
    assert api(editor).get(f"/api/v1/articles/{article.pk}/snapshots/999999/raw/").status_code == 404


def test_an_import_by_address_keeps_the_page_as_fetched(server, editor):  # noqa: F811
    page = article_page(JASIM)
    server.serve("/story", page, etag='"v1"', last_modified="Tue, 14 May 2024 08:05:00 GMT")
    server.serve("/short", b"", status=301, location="/story")
    client = Client()
    client.force_login(editor)
    response = client.post("/desk/new/", {"url": server.url("/short"), "outlet": "Horan", "language": "ar"})
    assert response.status_code == 302, response.content[:500]
    snapshot = SourceSnapshot.objects.get()
    assert (snapshot.kind, snapshot.status, snapshot.final_url, snapshot.etag, snapshot.last_modified) == (
        "fetched", 200, server.url("/story"), '"v1"', "Tue, 14 May 2024 08:05:00 GMT")
    assert bytes(snapshot.content.data) == page and snapshot.sha256 == sha(page)
    assert snapshot.encoding == "utf-8" and snapshot.text_sha256 == text_sha(snapshot.article)


def test_a_feed_import_keeps_the_feeds_text(server, admin_user):  # noqa: F811
    link = server.url("/2024/05/schools.html")  # nothing there: the feed's own text is what arrived
    content = block_html(SCHOOLS["blocks"])
    url = server.serve_feed("/atom.xml", atom([{
        "title": SCHOOLS["title"], "link": link, "summary": SCHOOLS["summary"], "author": "خالد الجرعتلي",
        "published": datetime(2024, 5, 15, 5, 0, tzinfo=UTC), "content": content}]), kind="atom")
    feed = register(admin_user, url, name="Enab Baladi")
    feeds.poll(feed.pk)
    snapshot = SourceSnapshot.objects.get()
    assert snapshot.kind == "feed" and snapshot.final_url == link
    assert SCHOOLS["blocks"][0][1][:20] in bytes(snapshot.content.data).decode()
    assert snapshot.text_sha256 == text_sha(snapshot.article)


def test_the_same_bytes_are_stored_once(api, editor):
    data = source_payload(1)
    for _ in range(2):
        api(editor).post("/api/v1/articles/", data, format="json")
    assert SourceSnapshot.objects.count() == 2 and SnapshotContent.objects.count() == 1


def test_the_published_version_names_its_original(api, make_article, editor, translator):
    from tests.editorial.test_desk import signed_in

    article = make_article(State.PUBLISHED)
    snapshot = article.snapshots.get()
    assert article.live_version.snapshot_id == snapshot.pk
    public = api().get(f"/api/v1/published/{article.slug}/").json()["source"]
    assert public["sha256"] == snapshot.sha256 and public["retrieved_at"].startswith(
        snapshot.retrieved_at.isoformat()[:19])
    page = Client().get(f"/articles/{article.slug}/").content.decode()
    assert '<p class="original">Original: Horan Free League' in page and ", retrieved <time" in page
    workspace = signed_in(editor).get(f"/desk/articles/{article.pk}/").content.decode()
    assert f'href="/api/v1/articles/{article.pk}/snapshots/{snapshot.pk}/raw/" download' in workspace
    assert "the original as received" not in signed_in(translator).get(f"/desk/articles/{article.pk}/").content.decode()


def test_the_watch_sees_an_edit_an_addition_a_removal_and_a_retraction(server, editor, api, translator):  # noqa: F811
    from tests.fakes.feed_server import article_page as page_of

    story = {**JASIM, "blocks": list(JASIM["blocks"])}
    server.serve("/story", page_of(story), etag='"v1"')
    client = Client()
    client.force_login(editor)
    client.post("/desk/new/", {"url": server.url("/story"), "outlet": "Horan", "language": "ar"})
    article = Article.objects.get()
    check = f"/api/v1/articles/{article.pk}/watch/check/"
    assert api(translator).post(check).status_code == 403

    # Unchanged: the server answers 304 to the conditional request; no new snapshot.
    assert api(editor).post(check).json()["outcome"] == "unchanged"
    assert server.requests[-1]["headers"].get("If-None-Match") == '"v1"'
    assert article.snapshots.count() == 1

    # The outlet edits paragraph 1, drops the last one and adds one at the end.
    blocks = list(JASIM["blocks"])
    blocks[0] = (blocks[0][0], blocks[0][1].replace("جاسم", "نوى", 1))
    blocks = [*blocks[:-1], ("p", "فقرة جديدة أضافها الموقع بعد النشر الأول للمقال.")]
    server.serve("/story", page_of({**JASIM, "blocks": blocks}), etag='"v2"')
    found = api(editor).post(check).json()
    assert found["outcome"] == "edited" and found["edited"] == [1]
    assert (found["removed"], found["added"]) == ([len(JASIM["blocks"])], [len(blocks)])
    assert article.snapshots.count() == 2
    stored = Article.objects.get(pk=article.pk)
    assert (stored.watch_outcome, stored.watch_changes["edited"]) == ("edited", [1])

    server.serve("/story", b"gone", status=410)
    assert api(editor).post(check).json()["outcome"] == "gone"
    server.serve("/story", b"oops", status=503)
    assert api(editor).post(check).json()["outcome"] == "unreachable"


def test_compare_tells_edits_from_additions_and_removals():
    from editorial.watch import compare

    title = "عودة الحياة إلى جاسم"  # position 0: the title is always paired with the title
    old = [title, "قال مصدر محلي إن الطرق أعيد فتحها صباح الثلاثاء.", "نص الاتفاق على وقف إطلاق النار.",
           "وأكد وجهاء المدينة أن اللجنة ستتابع التنفيذ."]
    marks = [title, "قالَ مصدرٌ محلي إن الطرق أُعيد فتحها صباح الثلاثاء."]  # only marks added: no change at all
    assert compare(old, marks + old[2:]) == ([], [], [])
    edited = [title, old[1].replace("الثلاثاء", "الأربعاء"), *old[2:]]
    assert compare(old, edited) == ([1], [], [])
    inserted = [*old[:2], "فقرة جديدة تماما عن موضوع آخر لا علاقة له بما سبق.", *old[2:]]
    assert compare(old, inserted) == ([], [], [2])
    assert compare(old, [*old[:2], old[3]]) == ([], [2], [])
    assert compare(old, ["عنوان آخر", *old[1:]]) == ([0], [], [])


def test_the_desk_checks_the_original_and_flags_a_change(server, editor):  # noqa: F811
    from tests.fakes.feed_server import article_page as page_of

    server.serve("/story", page_of(JASIM))
    client = Client()
    client.force_login(editor)
    client.post("/desk/new/", {"url": server.url("/story"), "outlet": "Horan", "language": "ar"})
    article = Article.objects.get()
    html = client.post(f"/desk/articles/{article.pk}/original/check/", follow=True).content.decode()
    assert "The original has not changed." in html
    blocks = [*JASIM["blocks"], ("p", "فقرة جديدة أضافها الموقع بعد النشر الأول للمقال.")]
    server.serve("/story", page_of({**JASIM, "blocks": blocks}))
    html = client.post(f"/desk/articles/{article.pk}/original/check/", follow=True).content.decode()
    assert "The original changed just now: 1 paragraph added" in html and 'class="card watch-alert"' in html
    assert "original changed" in client.get("/desk/").content.decode()
