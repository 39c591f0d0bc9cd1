"""Publishing into a real WordPress (Debian's package under php -S, on MariaDB): publish, correct, unpublish, a
repeated job, WordPress down during a publish, a wrong password, and a script in the text. Posts are read back
through WordPress's own REST API."""

import os

import pytest

from editorial import delivering, services, workflow
from editorial.models import Delivery, Job, PublishTarget, State
from tests.conftest import article_in, run_job
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


def connect(api, admin_user, wordpress, password=None) -> dict:
    response = api(admin_user).post("/api/v1/targets/", {
        "kind": "wordpress", "name": "WordPress", "url": wordpress.url, "username": ADMIN,
        "secret": password or wordpress.password}, format="json")
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
