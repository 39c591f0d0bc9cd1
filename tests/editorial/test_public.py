"""The public site: every surface shows published articles with credit and disclaimer, and nothing else."""

import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from editorial import services, workflow
from editorial.errors import Refused
from editorial.models import DEFAULT_DISCLAIMER, Article, Keyword, Publication, PublishedVersion, State
from tests.conftest import fill_segments

pytestmark = pytest.mark.django_db

DISCLAIMER = DEFAULT_DISCLAIMER.replace("{publication}", "The Levant Desk")


def _publish(make_article, editor, translator, headline="Agreement Ends Escalation in Jasim", keywords=None):
    article = make_article(State.EDITING)
    title = article.document.segments.get(position=0)
    services.save_segment(article.pk, title.pk, editor, text=headline, version=title.version)
    if keywords is not None:
        services.update_details(article.pk, editor, version=Article.objects.get(pk=article.pk).version,
                                keywords=keywords)
    workflow.apply(article.pk, editor, "publish")
    return Article.objects.get(pk=article.pk)


def surfaces(article, keyword="Daraa"):
    return {
        "index": "/",
        "keyword": f"/keywords/{keyword}/",
        "page": f"/articles/{article.slug}/",
        "rss": "/feed/",
        "atom": "/feed/atom/",
        "sitemap": "/sitemap.xml",
        "api-list": "/api/v1/published/",
        "api-detail": f"/api/v1/published/{article.slug}/",
    }


def test_a_published_article_is_on_every_surface_with_credit_and_disclaimer(make_article, editor, translator):
    article = _publish(make_article, editor, translator)
    client = Client()
    slug = article.slug
    assert slug == "agreement-ends-escalation-in-jasim"
    for name, url in surfaces(article).items():
        response = client.get(url)
        assert response.status_code == 200, (name, url)
        body = response.content.decode()
        if name in ("index", "keyword", "sitemap", "api-list"):
            assert slug in body, name
        else:
            assert "Agreement Ends Escalation in Jasim" in body, name
            assert "has not verified the content of this story" in body, name
            assert "Horan Free League" in body, name
    detail = client.get(f"/api/v1/published/{slug}/").json()
    assert detail["disclaimer"] == DISCLAIMER
    assert detail["credit"] == "Translated from Horan Free League, by أحمد: https://example.org/a"
    assert [b["kind"] for b in detail["body"]] == ["paragraph"] * 3
    assert detail["keywords"] == ["Daraa"]


def test_unpublishing_removes_it_from_every_surface_at_once(make_article, editor, translator):
    article = _publish(make_article, editor, translator)
    client = Client()
    for url in surfaces(article).values():
        client.get(url)  # warm every cache
    workflow.apply(article.pk, editor, "unpublish", comment="Legal asked us to hold it.")
    for name, url in surfaces(article).items():
        response = client.get(url)
        if name in ("page", "api-detail", "keyword"):
            assert response.status_code == 404, name
        else:
            assert response.status_code == 200 and article.slug not in response.content.decode(), name


@pytest.mark.parametrize("state", [State.SOURCE, State.MACHINE_DRAFT, State.TRANSLATION, State.EDITING,
                                   State.SCHEDULED, State.ARCHIVED])
def test_nothing_unpublished_leaks_even_by_guessing_the_slug(make_article, state):
    article = make_article(state)
    title = article.document.segments.get(position=0).text or "english-text-0"
    guesses = {"english-text-0", f"article-{article.pk}", re.sub(r"\W+", "-", title.lower()).strip("-")}
    client = Client()
    for slug in guesses:
        assert client.get(f"/articles/{slug}/").status_code == 404
        assert client.get(f"/api/v1/published/{slug}/").status_code == 404
    for url in ("/", "/feed/", "/feed/atom/", "/sitemap.xml", "/api/v1/published/"):
        body = client.get(url).content.decode()
        assert "English text" not in body and f"article-{article.pk}" not in body
    assert client.get("/keywords/Daraa/").status_code == 404


def test_a_scheduled_article_appears_when_its_time_comes(make_article, editor):
    article = make_article(State.SCHEDULED)
    client = Client()
    assert client.get("/api/v1/published/").json()["count"] == 0
    workflow.publish_due(now=timezone.now() + timedelta(days=2))
    article.refresh_from_db()
    assert client.get(f"/articles/{article.slug}/").status_code == 200


def test_article_page_carries_everything_a_reader_needs(make_article, editor, translator):
    article = make_article(State.EDITING, paragraphs=3)
    heading = article.document.segments.get(position=2)
    services.save_segment(article.pk, heading.pk, editor, text="What did the talks achieve?", version=heading.version)
    services.update_details(article.pk, editor, version=article.version, standfirst="Roads reopened after talks.",
                            keywords=["Daraa", "Jasim"])
    Article.objects.filter(pk=article.pk).update(source_published_at=timezone.now() - timedelta(days=1))
    workflow.apply(article.pk, editor, "publish")
    article.refresh_from_db()
    other = _publish(make_article, editor, translator, headline="Older related piece", keywords=["Jasim"])
    html = Client().get(f"/articles/{article.slug}/").content.decode()
    assert "<h1>English text 0</h1>" in html
    assert '<p class="standfirst">Roads reopened after talks.</p>' in html
    assert "Translated from <strong>Horan Free League</strong>" in html
    assert 'href="https://example.org/a"' in html and "original, Arabic" in html
    assert '<h2>English text 2</h2>' not in html  # it is a paragraph in the source, so a paragraph here
    assert f'<link rel="canonical" href="http://127.0.0.1:8000/articles/{article.slug}/">' in html
    assert '<meta property="og:title" content="English text 0">' in html
    assert '<meta name="twitter:card" content="summary">' in html
    assert '<article lang="en">' in html and 'lang="ar"' in html
    assert 'href="/keywords/Daraa/"' in html and 'href="/keywords/Jasim/"' in html
    assert f'href="/articles/{other.slug}/"' in html  # related by a shared keyword
    # The disclaimer is its own block, after the body.
    assert html.index('class="body"') < html.index('class="disclaimer"')
    assert DISCLAIMER in html


def test_related_articles_share_a_keyword_newest_first(make_article, editor, translator):
    first = _publish(make_article, editor, translator, headline="One", keywords=["Daraa"])
    second = _publish(make_article, editor, translator, headline="Two", keywords=["Daraa"])
    _publish(make_article, editor, translator, headline="Unrelated", keywords=["Idlib"])
    third = _publish(make_article, editor, translator, headline="Three", keywords=["Daraa"])
    html = Client().get(f"/articles/{first.slug}/").content.decode()
    related = re.findall(r'<li><a href="/articles/([\w-]+)/">', html)
    assert related == [third.slug, second.slug]


def test_the_disclaimer_printed_is_kept_and_a_correction_takes_the_new_one(make_article, editor, translator):
    article = _publish(make_article, editor, translator)
    publication = Publication.current()
    publication.name, publication.disclaimer_template = "Levant24", "Translated by {publication}; unverified."
    publication.save()
    client = Client()
    assert DISCLAIMER in client.get(f"/articles/{article.slug}/").content.decode()

    workflow.apply(article.pk, editor, "correct")
    segment = article.document.segments.get(position=1)
    services.save_segment(article.pk, segment.pk, editor, text="Corrected: four injured, not five.",
                          version=segment.version)
    # While the correction is prepared, the page still shows what was published.
    page = client.get(f"/articles/{article.slug}/").content.decode()
    assert "Corrected: four injured" not in page
    workflow.apply(article.pk, editor, "publish", comment="Corrected the number of injured.")
    page = client.get(f"/articles/{article.slug}/").content.decode()
    assert "Corrected: four injured, not five." in page
    assert "Translated by Levant24; unverified." in page and DISCLAIMER not in page
    assert re.search(r"<strong>Updated <time[^>]*>\d+ \w+ \d{4}</time>:</strong> Corrected the number of injured.",
                     page)
    assert page.index('class="correction"') < page.index('class="disclaimer"')
    assert PublishedVersion.objects.filter(article=article).count() == 2
    assert Article.objects.get(pk=article.pk).slug == article.slug


def test_a_correction_needs_a_note(make_article, editor, translator):
    article = _publish(make_article, editor, translator)
    workflow.apply(article.pk, editor, "correct")
    with pytest.raises(Refused) as refused:
        workflow.apply(article.pk, editor, "publish")
    assert (refused.value.status, refused.value.code) == (400, "comment_required")


def test_no_edit_api_call_or_revert_publishes_without_the_disclaimer(api, make_article, editor, translator):
    article = _publish(make_article, editor, translator)
    client = api(editor)
    workflow.apply(article.pk, editor, "correct")
    # The disclaimer is not an editable field of the article: a PATCH naming it changes nothing of it.
    version = Article.objects.get(pk=article.pk).version
    response = client.patch(f"/api/v1/articles/{article.pk}/", {"version": version, "disclaimer": "",
                                                                "standfirst": "A new standfirst"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["standfirst"] == "A new standfirst"
    assert "has not verified the content of this story" in response.json()["disclaimer"]
    first = article.revisions.order_by("revision_id").first().revision_id
    response = client.post(f"/api/v1/articles/{article.pk}/history/{first}/revert/", {}, format="json")
    assert response.status_code == 200, response.content
    assert "has not verified the content of this story" in response.json()["disclaimer"]
    fill_segments(article, editor, text="Back again")
    # Even a publication whose template lost its wording prints the standard disclaimer.
    Publication.objects.filter(pk=1).update(disclaimer_template="", name="")
    response = client.post(f"/api/v1/articles/{article.pk}/actions/publish/", {"comment": "Restored the text."},
                           format="json")
    assert response.status_code == 200, response.content
    assert response.json()["disclaimer"] == DISCLAIMER
    assert DISCLAIMER in Client().get(f"/articles/{article.slug}/").content.decode()


def test_publish_checklist_lists_every_reason(api, make_article, editor, translator):
    article = make_article(State.TRANSLATION)
    fill_segments(article, translator)
    workflow.apply(article.pk, translator, "submit")
    title = article.document.segments.get(position=0)
    paragraph = article.document.segments.get(position=2)
    services.save_segment(article.pk, title.pk, editor, text="", version=title.version)
    services.save_segment(article.pk, paragraph.pk, editor, text="  ", version=paragraph.version)
    services.update_details(article.pk, editor, version=article.version, keywords=[])
    response = api(editor).post(f"/api/v1/articles/{article.pk}/actions/publish/", {}, format="json")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "publish_blocked"
    assert [r["code"] for r in error["details"]["reasons"]] == [
        "headline_missing", "segments_incomplete", "keywords_missing"
    ]
    assert error["details"]["reasons"][1]["positions"] == [0, 2]
    # The desk shows the same list.
    from django.test import Client as DeskClient

    desk = DeskClient()
    desk.force_login(editor)
    html = desk.get(f"/desk/articles/{article.pk}/").content.decode()
    for reason in error["details"]["reasons"]:
        assert reason["message"] in html


def test_public_pages_are_cached_and_invalidated_on_publish(make_article, editor, translator):
    client = Client()
    first = client.get("/")
    again = client.get("/")
    assert (first["X-Cache"], again["X-Cache"]) == ("miss", "hit")
    article = _publish(make_article, editor, translator)
    fresh = client.get("/")
    assert fresh["X-Cache"] == "miss" and article.slug in fresh.content.decode()


def test_public_pages_have_a_content_security_policy_and_no_inline_script(make_article, editor, translator):
    article = _publish(make_article, editor, translator)
    for url in ("/", f"/articles/{article.slug}/", "/keywords/Daraa/"):
        response = Client().get(url)
        assert "script-src 'self'" in response["Content-Security-Policy"]
        assert not re.search(r"<script(?![^>]*\bsrc=)", response.content.decode())


def test_everything_printed_is_escaped(make_article, editor, translator):
    article = _publish(make_article, editor, translator, headline='<script>alert("x")</script> & co')
    html = Client().get(f"/articles/{article.slug}/").content.decode()
    assert '<script>alert("x")</script>' not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co" in html


def test_feeds_are_valid_and_each_item_ends_with_credit_and_disclaimer(make_article, editor, translator):
    _publish(make_article, editor, translator)
    rss = ET.fromstring(Client().get("/feed/").content)
    item = rss.find("channel/item")
    description = item.findtext("description")
    assert description.rstrip().endswith(f"<p>{DISCLAIMER}</p>")
    assert "Translated from Horan Free League" in description
    atom = ET.fromstring(Client().get("/feed/atom/").content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert atom.find("a:entry/a:title", ns).text == "Agreement Ends Escalation in Jasim"


def test_robots_and_sitemap(make_article, editor, translator):
    article = _publish(make_article, editor, translator)
    robots = Client().get("/robots.txt").content.decode()
    assert "Disallow: /desk/" in robots and "Sitemap: http://127.0.0.1:8000/sitemap.xml" in robots
    sitemap = Client().get("/sitemap.xml").content.decode()
    assert f"http://127.0.0.1:8000/articles/{article.slug}/" in sitemap


def _clone_published(article: Article, copies: int, start: int = 0) -> None:
    """More live articles shaped exactly like a real one (the read path is what is measured)."""
    version = article.live_version
    keywords = list(version.keywords.all())
    for n in range(start, start + copies):
        document = article.document
        document.pk = None
        document.save()
        clone = Article.objects.get(pk=article.pk)
        clone.pk, clone.document, clone.slug, clone.live_version = None, document, f"{article.slug}-{n}", None
        clone.save()
        copy = PublishedVersion.objects.get(pk=version.pk)
        copy.pk, copy.article, copy.slug = None, clone, clone.slug
        copy.save()
        copy.keywords.set(keywords)
        Article.objects.filter(pk=clone.pk).update(live_version=copy)


@pytest.mark.parametrize("url", ["/", "/feed/", "/feed/atom/", "/keywords/Daraa/", "/api/v1/published/",
                                 "/sitemap.xml"])
def test_index_and_feeds_use_the_same_queries_at_10_and_1000_articles(
    url, make_article, editor, translator, django_assert_num_queries
):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    article = _publish(make_article, editor, translator)
    _clone_published(article, 9)
    cache.clear()
    with CaptureQueriesContext(connection) as small:
        assert Client().get(url).status_code == 200
    _clone_published(article, 990, start=9)
    cache.clear()
    with django_assert_num_queries(len(small.captured_queries)):
        assert Client().get(url).status_code == 200
    assert Keyword.objects.count() == 1


def test_the_cache_keeps_only_pages_that_exist_and_ignores_other_query_strings(make_article, editor, translator):
    client = Client()
    assert client.get("/")["X-Cache"] == "miss"
    assert client.get("/", {"utm_source": "x"})["X-Cache"] == "hit"  # not a new page to keep
    guessed = [client.get("/articles/guess-0/") for _ in range(2)]
    assert [(r.status_code, r.get("X-Cache")) for r in guessed] == [(404, None), (404, None)]  # not kept


def test_each_public_page_has_one_address_and_only_that_one_is_cached(make_article, editor, translator):
    """Spellings of a page number or of a keyword are redirected or refused, so guesses cannot grow the cache."""
    from django.core.cache import cache

    from editorial.public import cache as public_cache

    make_article(State.PUBLISHED)  # keyword "Daraa"
    client = Client()
    for spelling, target in (("1", "/"), ("01", "/"), ("0001", "/"), ("02", "/?page=2")):
        response = client.get("/", {"page": spelling})
        assert (response.status_code, response["Location"]) == (301, target), spelling
    for spelling in ("0", "-1", "abc", "١", "2", "999999", "1" * 40):  # page 2 does not exist yet
        assert client.get("/", {"page": spelling}).status_code == 404, spelling
    for spelling in ("daraa", "DARAA", "dAraa"):
        response = client.get(f"/keywords/{spelling}/")
        assert (response.status_code, response["Location"]) == (301, "/keywords/Daraa/")
    assert client.get("/keywords/daraa/", {"page": "01"})["Location"] == "/keywords/Daraa/"
    assert client.get("/keywords/Daraa/").status_code == 200
    assert client.get("/").status_code == 200
    prefix = f"{cache.key_prefix}:1:" if cache.key_prefix else ":1:"
    keys = {k for k in _cache_keys(cache) if k.startswith(f"{prefix}public:page")}
    assert {f"{prefix}public:page:/", f"{prefix}public:page:/keywords/Daraa/"} <= keys, keys
    # None of the spellings tried above left an entry: only canonical addresses are kept.
    assert not [k for k in keys if "?page=" in k or ("/keywords/" in k and not k.endswith("/keywords/Daraa/"))]
    assert public_cache.CANONICAL_PAGE.fullmatch("2") and not public_cache.CANONICAL_PAGE.fullmatch("1")


def _cache_keys(cache) -> set[str]:
    """Every key the cache holds (Redis or the local memory cache of a run without Redis)."""
    client = getattr(cache, "_cache", None)
    if hasattr(client, "get_client"):
        return {k.decode() for k in client.get_client().keys("*")}
    return set(getattr(cache, "_cache", {}).keys())


def test_a_page_cached_between_the_first_bump_and_the_commit_is_not_served_after(transactional_db, editor,
                                                                                  translator):
    """invalidate() bumps the generation in the transaction and again on commit: a reader who renders the old
    page in between (it still sees the article published) caches it under the new generation; the second bump
    makes that page stale, so the unpublished article is gone for the next reader."""
    import threading

    from django.db import transaction

    from tests.conftest import article_in

    article = article_in(State.EDITING, editor=editor, translator=translator)
    workflow.apply(article.pk, editor, "publish")
    slug = Article.objects.get(pk=article.pk).slug
    assert slug in Client().get("/").content.decode()
    seen = {}

    def reader():  # another request, on its own database connection
        from django.db import connection

        response = Client().get("/")
        seen["cache"], seen["listed"] = response["X-Cache"], slug in response.content.decode()
        connection.close()

    with transaction.atomic():
        workflow.apply(article.pk, editor, "unpublish", comment="Withdrawn by the outlet")
        thread = threading.Thread(target=reader)
        thread.start()
        thread.join(30)
    assert seen == {"cache": "miss", "listed": True}  # the old page, rendered and cached before the commit

    after = Client().get("/")
    assert slug not in after.content.decode() and after["X-Cache"] == "miss"


def test_the_index_links_the_newer_and_older_pages_right_as_articles_come_and_go(make_article, editor, translator,
                                                                                  monkeypatch):
    """The index reads a page and one row more, never a count: its links and its last page follow each publication
    and unpublication."""
    from django.core.cache import cache

    from editorial.public import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    first = _publish(make_article, editor, translator)
    _clone_published(first, 4)  # five live articles: pages of 2, 2 and 1
    cache.clear()
    client = Client()

    def page(number):
        response = client.get("/", {"page": number} if number > 1 else {})
        if response.status_code == 404:
            return None
        body = response.content.decode()
        links = dict((rel, int(n)) for n, rel in re.findall(r'href="\?page=(\d+)" rel="(prev|next)"', body))
        return re.findall(r'href="/articles/([\w-]+)/"', body), links

    newest_first = list(views.live_versions().values_list("slug", flat=True))
    assert [page(n) for n in (1, 2, 3)] == [(newest_first[:2], {"next": 2}),
                                             (newest_first[2:4], {"prev": 1, "next": 3}),
                                             (newest_first[4:], {"prev": 2})]
    assert page(4) is None
    workflow.apply(first.pk, editor, "unpublish", comment="Withdrawn by the outlet")
    newest_first.remove(first.slug)
    assert [page(n) for n in (1, 2)] == [(newest_first[:2], {"next": 2}), (newest_first[2:], {"prev": 1})]
    assert page(3) is None
    again = _publish(make_article, editor, translator, headline="Bakeries Reopen in Nawa")
    assert page(1)[0][0] == again.slug and page(3) == ([newest_first[-1]], {"prev": 2})
