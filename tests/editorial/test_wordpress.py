"""Publishing into a real WordPress (Debian's package under php -S, on MariaDB): publish, correct, unpublish, a
repeated job, WordPress down during a publish, a wrong password, a script in the text, every part of the post, and
another target failing beside it. Posts are read back through WordPress's own REST API."""

import html
import json
import os
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from editorial import delivering, drafting, services, workflow
from editorial.models import Article, Delivery, Job, PublishTarget, State
from tests.conftest import article_in, fill_segments, run_job, source_payload
from tests.fakes.receiver import Receiver
from tests.wordpress import ADMIN, WordPress, available

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def wordpress(tmp_path_factory):
    missing = available()
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(missing)
        pytest.skip(missing)
    site = WordPress(tmp_path_factory.mktemp("wordpress"))
    site.password = site.application_password()
    yield site
    site.close()


def connect(api, admin_user, wordpress, password=None, options=None) -> dict:
    response = api(admin_user).post("/api/v1/targets/", {
        "kind": "wordpress", "name": "WordPress", "url": wordpress.url, "username": ADMIN,
        "secret": password or wordpress.password, "options": options or {}}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def ready(editor, translator, headline: str, text: str | None = None):
    """An article in editing whose headline (and first paragraph, if given) is this."""
    article = article_in(State.EDITING, editor=editor, translator=translator)
    for position, value in ((0, headline), (1, text)):
        if value is not None:
            segment = article.document.segments.get(position=position)
            services.save_segment(article.pk, segment.pk, editor, text=value, version=segment.version)
    return article


def deliver(article) -> list[Job]:
    queued = list(Job.objects.filter(article=article, kind=Job.Kind.DELIVERY, state=Job.Status.QUEUED))
    for job in queued:
        run_job(delivering.run, job.pk)
    return queued


def test_publish_correct_unpublish_and_a_repeated_job(api, admin_user, editor, translator, wordpress):
    connect(api, admin_user, wordpress)
    article = ready(editor, translator, "Life returns to Jasim after a truce",
                    "Life returned to Jasim, said Ahmad al-Masri, a local notable.")
    services.update_details(article.pk, editor, version=article.version, keywords=["Daraa", "Jasim truce"])
    workflow.apply(article.pk, editor, "publish")
    (job,) = deliver(article)
    delivery = Delivery.objects.get(article=article)
    assert delivery.state == "sent" and delivery.remote_id
    auth = (ADMIN, wordpress.password)
    post = wordpress.get(f"/wp/v2/posts/{delivery.remote_id}", auth)
    assert post["status"] == "publish" and post["title"]["rendered"] == "Life returns to Jasim after a truce"
    version = article.published_versions.get()
    content = post["content"]["rendered"]
    assert version.disclaimer in content and "has not verified the content of this story" in content
    assert version.credit() in content and "by أحمد" in content  # the author's Arabic name, intact
    tags = [wordpress.get(f"/wp/v2/tags/{tag}")["name"] for tag in post["tags"]]
    assert sorted(tags) == ["Daraa", "Jasim truce"]
    assert delivery.remote_url == post["link"]

    # The same job again, a late copy, and a copy whose first answer was lost (no post id kept): still one post.
    run_job(delivering.run, job.pk)
    Job.objects.filter(pk=job.pk).update(state=Job.Status.QUEUED)
    delivering.run(job.pk)
    Job.objects.filter(pk=job.pk).update(state=Job.Status.QUEUED)
    Delivery.objects.filter(pk=delivery.pk).update(remote_id="")
    delivering.run(job.pk)
    assert Delivery.objects.get(pk=delivery.pk).remote_id == delivery.remote_id
    assert len(wordpress.get("/wp/v2/posts?search=Jasim&status=any&context=edit", auth)) == 1

    workflow.apply(article.pk, editor, "correct")
    workflow.apply(article.pk, editor, "publish", comment="The date of the truce was corrected.")
    deliver(article)
    corrected = wordpress.get(f"/wp/v2/posts/{delivery.remote_id}", auth)
    assert "Updated " in corrected["content"]["rendered"]
    assert "The date of the truce was corrected." in corrected["content"]["rendered"]
    assert Delivery.objects.get(article=article).remote_id == delivery.remote_id

    workflow.apply(article.pk, editor, "unpublish", comment="Withdrawn.")
    deliver(article)
    assert wordpress.get(f"/wp/v2/posts/{delivery.remote_id}", auth)["status"] == "draft"
    assert wordpress.get(f"/wp/v2/posts/{delivery.remote_id}")["status"] == 401  # not public any more


def test_wordpress_down_during_a_publish_delays_the_post_but_never_loses_it(api, admin_user, editor, translator,
                                                                          wordpress):
    connect(api, admin_user, wordpress)
    article = ready(editor, translator, "Bread prices rise again in Damascus")
    wordpress.stop()
    try:
        workflow.apply(article.pk, editor, "publish")
        (job,) = Job.objects.filter(article=article, kind=Job.Kind.DELIVERY)
        with pytest.raises(delivering.RetryLater):
            delivering.run(job.pk)
        assert Delivery.objects.get(article=article).state == "retrying"
    finally:
        wordpress.start()
    delivering.run(job.pk)
    delivery = Delivery.objects.get(article=article)
    assert delivery.state == "sent"
    found = wordpress.get("/wp/v2/posts?search=Bread&status=any&context=edit", (ADMIN, wordpress.password))
    assert [str(p["id"]) for p in found] == [delivery.remote_id]


def test_a_wrong_password_is_said_plainly_and_not_retried(api, admin_user, editor, translator, wordpress):
    target = connect(api, admin_user, wordpress, password="abcd efgh ijkl mnop qrst uvwx")
    checked = api(admin_user).post(f"/api/v1/targets/{target['id']}/check/")
    assert checked.status_code == 400
    assert "WordPress refused the username or Application Password" in checked.json()["error"]["message"]
    article = ready(editor, translator, "Schools open in rural Idlib")
    workflow.apply(article.pk, editor, "publish")
    (job,) = Job.objects.filter(article=article, kind=Job.Kind.DELIVERY)
    delivering.run(job.pk)  # no RetryLater: failed at once
    job.refresh_from_db()
    assert job.state == Job.Status.FAILED and job.attempts == 1
    assert Delivery.objects.get(article=article).state == "failed"
    # With the right password, the check says so in words.
    api(admin_user).patch(f"/api/v1/targets/{target['id']}/", {"secret": wordpress.password}, format="json")
    assert "who may publish posts" in api(admin_user).post(f"/api/v1/targets/{target['id']}/check/").json()["message"]


def test_a_user_without_the_right_to_publish_is_told_so(api, admin_user, wordpress):
    password = wordpress.application_password("wpsubscriber", "subscriber")
    target = PublishTarget.objects.get(pk=connect(api, admin_user, wordpress, password)["id"])
    PublishTarget.objects.filter(pk=target.pk).update(username="wpsubscriber")
    checked = api(admin_user).post(f"/api/v1/targets/{target.pk}/check/")
    assert checked.status_code == 400 and "may not publish posts" in checked.json()["error"]["message"]


def test_a_script_in_the_text_does_not_reach_the_post(api, admin_user, editor, translator, wordpress):
    connect(api, admin_user, wordpress)
    article = ready(editor, translator, "Water cut in Hasakah <script>alert(1)</script>",
                    'Residents said <img src=x onerror="alert(2)"> the station stopped <b>pumping</b>.')
    workflow.apply(article.pk, editor, "publish")
    deliver(article)
    delivery = Delivery.objects.get(article=article)
    post = wordpress.get(f"/wp/v2/posts/{delivery.remote_id}?context=edit", (ADMIN, wordpress.password))
    raw = post["content"]["raw"] + post["title"]["raw"]
    assert "<script" not in post["content"]["raw"] and "<img" not in post["content"]["raw"]
    assert "<img" not in post["content"]["rendered"] and "<script" not in post["content"]["rendered"]
    assert "<script" not in post["title"]["raw"] and "<script" not in post["title"]["rendered"]
    assert "&lt;img" in raw  # the text as written, shown as text


def test_an_address_without_a_rest_api_is_said_plainly(api, admin_user, wordpress):
    """A page that is not a WordPress site's home (or a site whose REST API is turned off) advertises no API."""
    response = api(admin_user).post("/api/v1/targets/", {
        "kind": "wordpress", "name": "Not WordPress", "url": f"{wordpress.url}/readme.html", "username": ADMIN,
        "secret": wordpress.password}, format="json")
    checked = api(admin_user).post(f"/api/v1/targets/{response.json()['id']}/check/")
    assert checked.status_code == 400
    assert "does not say where its REST API is" in checked.json()["error"]["message"]


def ready_with_a_subheading(editor, translator, headline: str, subheading: str):
    """An article in editing whose body is a paragraph, a sub-heading and a paragraph."""
    source = {**source_payload()["source"], "body": "<p>عادت الحياة إلى نوى.</p><h2>الطرق</h2><p>أعيد فتح الطرق.</p>"}
    article = services.create_article(user=editor, **source)
    _, job = workflow.apply(article.pk, editor, "draft")
    run_job(drafting.run_draft, job.pk)
    workflow.apply(article.pk, editor, "assign", assignee=translator.username)
    fill_segments(article, translator)
    for segment in article.document.segments.filter(kind__in=["title", "heading"]):
        text = headline if segment.kind == "title" else subheading
        services.save_segment(article.pk, segment.pk, translator, text=text, version=segment.version)
    workflow.apply(article.pk, translator, "submit")
    return Article.objects.get(pk=article.pk)


def blocks(content: str) -> list[str]:
    """The post's blocks in order, as text: each paragraph or sub-heading, tags inside it dropped."""
    return [html.unescape(re.sub(r"<[^>]+>", "", b)) for b in re.findall(r"<(?:p|h2)>(.*?)</(?:p|h2)>", content, re.S)]


def test_the_post_carries_the_standfirst_subheadings_category_link_tags_credit_and_disclaimer(
        api, admin_user, editor, translator, wordpress):
    category = wordpress.php("echo wp_insert_term('Southern Syria', 'category')['term_id'];")
    tag = wordpress.php("echo wp_insert_term('Nawa', 'post_tag')['term_id'];")
    connect(api, admin_user, wordpress, options={"category": int(category), "unpublish": "trash"})
    article = ready_with_a_subheading(editor, translator, "Roads reopen in Nawa", "The roads")
    services.update_details(article.pk, editor, version=article.version, standfirst="Four days of shelling ended.",
                            keywords=["Nawa", "Roadworks"])
    workflow.apply(article.pk, editor, "publish")
    deliver(article)
    delivery = Delivery.objects.get(article=article)
    auth = (ADMIN, wordpress.password)
    post = wordpress.get(f"/wp/v2/posts/{delivery.remote_id}?context=edit", auth)
    version = article.published_versions.get()
    assert post["excerpt"]["raw"] == "Four days of shelling ended."
    assert "<h2>The roads</h2>" in post["content"]["raw"]
    assert post["categories"] == [int(category)]
    assert re.search(r'<a href="https://example\.org/a"[^>]*>Horan Free League</a>', post["content"]["raw"])
    # The tag already there is used, not made a second time; the missing one is made.
    assert int(tag) in post["tags"] and len(post["tags"]) == 2
    assert [t["id"] for t in wordpress.get("/wp/v2/tags?search=Nawa")] == [int(tag)]
    assert blocks(post["content"]["raw"])[-2:] == [version.credit(), version.disclaimer]

    workflow.apply(article.pk, editor, "correct")
    workflow.apply(article.pk, editor, "publish", comment="The number of days was corrected.")
    deliver(article)
    corrected = blocks(wordpress.get(f"/wp/v2/posts/{delivery.remote_id}?context=edit", auth)["content"]["raw"])
    today = timezone.localdate()
    assert f"Updated {today.day} {today:%B} {today.year}: The number of days was corrected." in corrected
    assert corrected[-2:] == [version.credit(), version.disclaimer]  # still the last blocks

    workflow.apply(article.pk, editor, "unpublish", comment="Withdrawn.")
    deliver(article)
    assert wordpress.get(f"/wp/v2/posts/{delivery.remote_id}?context=edit", auth)["status"] == "trash"


def test_an_unpublish_finds_the_post_whose_id_was_lost(api, admin_user, editor, translator, wordpress):
    connect(api, admin_user, wordpress)
    article = ready(editor, translator, "Power returns to Busra after a week")
    workflow.apply(article.pk, editor, "publish")
    deliver(article)
    delivery = Delivery.objects.get(article=article)
    post_id = delivery.remote_id
    # The answer to the publish was lost: the post is there, its id never kept.
    Delivery.objects.filter(pk=delivery.pk).update(remote_id="", remote_url="")
    workflow.apply(article.pk, editor, "unpublish", comment="Withdrawn.")
    deliver(article)
    auth = (ADMIN, wordpress.password)
    assert wordpress.get(f"/wp/v2/posts/{post_id}", auth)["status"] == "draft"
    assert wordpress.get(f"/wp/v2/posts/{post_id}")["status"] == 401  # not public any more
    assert len(wordpress.get("/wp/v2/posts?search=Busra&status=any&context=edit", auth)) == 1


class RestApiOff:
    """A site that answers like WordPress whose REST API a plugin turned off: its home page still names the API's
    root, and every route there is WordPress's 404 `rest_no_route`."""

    def __init__(self):
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                root = f"http://127.0.0.1:{self.server.server_address[1]}/wp-json/"
                if self.path == "/":
                    self._answer(200, b"<html>A newsroom</html>", "text/html",
                                 {"Link": f'<{root}>; rel="https://api.w.org/"'})
                else:
                    self._answer(404, json.dumps({"code": "rest_no_route", "message": "No route was found matching "
                                                  "the URL and request method.", "data": {"status": 404}}).encode(),
                                 "application/json")

            def _answer(self, status, body, content_type, headers=None):
                self.send_response(status)
                for name, value in {"Content-Type": content_type, "Content-Length": str(len(body)),
                                    **(headers or {})}.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def test_a_rest_api_turned_off_is_said_plainly(api, admin_user):
    site = RestApiOff()
    try:
        added = api(admin_user).post("/api/v1/targets/", {"kind": "wordpress", "name": "Locked WordPress",
                                                          "url": site.url, "username": ADMIN, "secret": "x"},
                                     format="json").json()
        checked = api(admin_user).post(f"/api/v1/targets/{added['id']}/check/")
    finally:
        site.stop()
    assert checked.status_code == 400
    assert checked.json()["error"]["message"] == (
        "WordPress's REST API did not answer at this address: it may be disabled (by a plugin or the server) or the "
        "address is not the site's (WordPress: No route was found matching the URL and request method.).")


def test_a_failing_target_beside_it_does_not_keep_the_post_from_wordpress(api, admin_user, editor, translator,
                                                                         wordpress):
    receiver = Receiver()
    try:
        receiver.statuses = [503]
        api(admin_user).post("/api/v1/targets/", {"kind": "webhook", "name": "CMS hook", "url": receiver.url,
                                                  "secret": "k"}, format="json")
        connect(api, admin_user, wordpress)
        article = ready(editor, translator, "Clinics reopen in Tafas")
        workflow.apply(article.pk, editor, "publish")
        by_target = {j.engine: j for j in Job.objects.filter(article=article, kind=Job.Kind.DELIVERY)}
        with pytest.raises(delivering.RetryLater):
            delivering.run(by_target["webhook"].pk)
        run_job(delivering.run, by_target["wordpress"].pk)
    finally:
        receiver.stop()
    states = dict(Delivery.objects.filter(article=article).values_list("target__kind", "state"))
    assert states == {"webhook": "retrying", "wordpress": "sent"}
    post_id = Delivery.objects.get(article=article, target__kind="wordpress").remote_id
    assert wordpress.get(f"/wp/v2/posts/{post_id}")["title"]["rendered"] == "Clinics reopen in Tafas"
