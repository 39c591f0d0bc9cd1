"""Publish targets: a webhook receives each publish, correction and unpublish, signed, exactly once per job; the
secret never comes back; a failing target retries (or, refused, fails at once) and never holds up the site.

The receiver is a local HTTP server; signatures are checked with the verifier docs/deploy.md documents, run as
written there."""

import json
import time
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from editorial import delivering, targets, workflow
from editorial.models import Delivery, Job, PublishTarget, State
from tests.conftest import article_in, run_job
from tests.fakes.receiver import Receiver

pytestmark = pytest.mark.django_db

DEPLOY = Path(__file__).resolve().parents[2] / "docs" / "deploy.md"


def documented_verifier():
    """The `verify` function exactly as docs/deploy.md shows it."""
    text = DEPLOY.read_text()
    section = text[text.index("## Publish targets: webhooks"):]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    scope: dict = {}
    exec(code, scope)  # noqa: S102 - the documentation's own example, run as a reader would
    return scope["verify"]


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.stop()


def add_webhook(api, admin_user, receiver, secret="hook-secret-1") -> dict:
    response = api(admin_user).post("/api/v1/targets/", {"kind": "webhook", "name": "Newsroom CMS hook",
                                                         "url": receiver.url, "secret": secret}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def deliver_all(article) -> list[Job]:
    """Run the article's queued delivery jobs here, as a worker would."""
    queued = list(Job.objects.filter(article=article, kind=Job.Kind.DELIVERY, state=Job.Status.QUEUED))
    for job in queued:
        run_job(delivering.run, job.pk)
    return queued


def test_an_admin_adds_a_webhook_whose_secret_never_comes_back(api, admin_user, editor, receiver):
    added = add_webhook(api, admin_user, receiver)
    assert "secret" not in added and added["has_secret"] is True
    stored = PublishTarget.objects.get(pk=added["id"])
    assert "hook-secret-1" not in stored.secret and targets.unseal(stored.secret) == "hook-secret-1"
    assert api(admin_user).get("/api/v1/targets/").json() == [added]
    assert api(editor).get("/api/v1/targets/").status_code == 403
    assert api(editor).post("/api/v1/targets/", {"kind": "webhook", "name": "x", "url": receiver.url},
                            format="json").status_code == 403

    # Test connection: a signed test event, accepted; the documented verifier accepts it.
    checked = api(admin_user).post(f"/api/v1/targets/{added['id']}/check/")
    assert checked.status_code == 200 and checked.json()["ok"] is True
    event = receiver.received[-1]
    assert documented_verifier()(b"hook-secret-1", event["body"], event["headers"]["X-Tarjama-Signature"])
    receiver.statuses = [401]
    refused = api(admin_user).post(f"/api/v1/targets/{added['id']}/check/")
    assert refused.status_code == 400 and "HTTP 401" in refused.json()["error"]["message"]

    # A change that leaves the secret out keeps it; a new one replaces it.
    api(admin_user).patch(f"/api/v1/targets/{added['id']}/", {"name": "CMS"}, format="json")
    assert targets.unseal(PublishTarget.objects.get(pk=added["id"]).secret) == "hook-secret-1"
    api(admin_user).patch(f"/api/v1/targets/{added['id']}/", {"secret": "rotated"}, format="json")
    assert targets.unseal(PublishTarget.objects.get(pk=added["id"]).secret) == "rotated"
    assert api(admin_user).delete(f"/api/v1/targets/{added['id']}/").status_code == 204


def test_publish_correct_and_unpublish_reach_the_webhook_signed(api, admin_user, editor, translator, receiver):
    add_webhook(api, admin_user, receiver)
    article = article_in(State.EDITING, editor=editor, translator=translator)
    assert api(editor).post(f"/api/v1/articles/{article.pk}/actions/publish/").status_code == 200
    jobs_run = deliver_all(article)
    assert len(jobs_run) == 1
    verify = documented_verifier()
    (event,) = receiver.received
    assert verify(b"hook-secret-1", event["body"], event["headers"]["X-Tarjama-Signature"])
    body = json.loads(event["body"])
    public = api().get(f"/api/v1/published/{body['article']['slug']}/").json()
    assert body["event"] == "published" and body["article"] == public
    assert "has not verified the content of this story" in body["article"]["disclaimer"]

    # What the verifier refuses: another key, a changed body, an old signature.
    assert not verify(b"wrong-key", event["body"], event["headers"]["X-Tarjama-Signature"])
    assert not verify(b"hook-secret-1", event["body"].replace(b"published", b"unpublished", 1),
                      event["headers"]["X-Tarjama-Signature"])
    old = targets.webhook.signature("hook-secret-1", event["body"], int(time.time()) - 3600)
    assert not verify(b"hook-secret-1", event["body"], old)

    # The same job again (a duplicate message): nothing sent twice.
    run_job(delivering.run, jobs_run[0].pk)
    assert len(receiver.received) == 1

    workflow.apply(article.pk, editor, "correct")
    workflow.apply(article.pk, editor, "publish", comment="The figures were corrected.")
    deliver_all(article)
    corrected = json.loads(receiver.received[-1]["body"])
    assert corrected["event"] == "corrected" and corrected["article"]["corrections"][-1]["note"] == \
        "The figures were corrected."
    workflow.apply(article.pk, editor, "unpublish", comment="Legal asked us to.")
    deliver_all(article)
    gone = json.loads(receiver.received[-1]["body"])
    assert gone["event"] == "unpublished" and gone["article"]["slug"] == body["article"]["slug"]
    assert [r["headers"]["X-Tarjama-Event"] for r in receiver.received] == ["published", "corrected", "unpublished"]
    deliveries = api(editor).get(f"/api/v1/articles/{article.pk}/").json()["deliveries"]
    assert [(d["target"], d["state"], d["event"]) for d in deliveries] == [
        ("Newsroom CMS hook", "sent", "unpublished")]


def test_a_failing_webhook_retries_and_a_refusal_fails_at_once(api, admin_user, editor, translator, receiver,
                                                               settings):
    add_webhook(api, admin_user, receiver)
    article = article_in(State.EDITING, editor=editor, translator=translator)
    receiver.statuses = [503, 503]
    workflow.apply(article.pk, editor, "publish")
    (job,) = Job.objects.filter(article=article, kind=Job.Kind.DELIVERY)
    article.refresh_from_db()
    assert Client().get(f"/articles/{article.slug}/").status_code == 200  # the site does not wait for the hook
    with pytest.raises(delivering.RetryLater):
        delivering.run(job.pk)
    client = Client()
    client.force_login(editor)
    page = client.get(f"/desk/articles/{article.pk}/").content.decode()
    assert f"Newsroom CMS hook: failed, retrying (1/{settings.JOB_MAX_ATTEMPTS}): The webhook at" in page
    with pytest.raises(delivering.RetryLater):
        delivering.run(job.pk)
    delivering.run(job.pk)
    assert Delivery.objects.get(article=article).state == "sent" and len(receiver.accepted()) == 1

    # A refusal that would come again (the receiver rejects the key): failed at once, no retry storm.
    receiver.statuses = [401]
    workflow.apply(article.pk, editor, "unpublish", comment="Pulled.")
    (job,) = Job.objects.filter(article=article, kind=Job.Kind.DELIVERY, state=Job.Status.QUEUED)
    delivering.run(job.pk)
    job.refresh_from_db()
    assert job.state == Job.Status.FAILED and job.attempts == 1 and "HTTP 401" in job.error
    page = client.get(f"/desk/articles/{article.pk}/").content.decode()
    assert "Newsroom CMS hook: failed: The webhook at" in page and f"/desk/jobs/{job.pk}/retry/" in page
    client.post(f"/desk/jobs/{job.pk}/retry/")
    run_job(delivering.run, job.pk)
    assert Delivery.objects.get(article=article).state == "sent"
    assert [r["headers"]["X-Tarjama-Event"] for r in receiver.accepted()] == ["published", "unpublished"]


def test_an_admin_manages_targets_on_the_team_page(admin_user, editor, receiver):
    client = Client()
    client.force_login(admin_user)
    page = client.post("/desk/team/targets/", {"target-kind": "webhook", "target-name": "CMS hook",
                                                "target-url": receiver.url, "target-secret": "team-secret"},
                       follow=True).content.decode()
    assert "CMS hook added" in page and "team-secret" not in page
    row = PublishTarget.objects.get()
    assert targets.unseal(row.secret) == "team-secret"
    page = client.post(f"/desk/team/targets/{row.pk}/", {"do": "check"}, follow=True).content.decode()
    assert "accepted a signed test event" in page
    receiver.statuses = [403]
    page = client.post(f"/desk/team/targets/{row.pk}/", {"do": "check"}, follow=True).content.decode()
    assert "answered HTTP 403" in page
    client.post(f"/desk/team/targets/{row.pk}/", {"do": "disable"})
    assert PublishTarget.objects.get().enabled is False
    bad = client.post("/desk/team/targets/", {"target-kind": "ftp", "target-name": "", "target-url": "not an address"})
    assert bad.status_code == 400 and PublishTarget.objects.count() == 1
    other = Client()
    other.force_login(editor)
    assert other.post(f"/desk/team/targets/{row.pk}/", {"do": "remove"}).status_code in (403, 404)
    client.post(f"/desk/team/targets/{row.pk}/", {"do": "remove"})
    assert not PublishTarget.objects.exists()


def test_a_scheduled_article_is_sent_when_it_is_published_not_before(api, admin_user, editor, translator, receiver):
    from datetime import timedelta

    add_webhook(api, admin_user, receiver)
    article = article_in(State.EDITING, editor=editor, translator=translator)
    workflow.apply(article.pk, editor, "publish", publish_at=timezone.now() + timedelta(hours=1))
    assert not Job.objects.filter(article=article, kind=Job.Kind.DELIVERY).exists()
    workflow.publish_due(timezone.now() + timedelta(hours=2))
    deliver_all(article)
    assert [json.loads(r["body"])["event"] for r in receiver.accepted()] == ["published"]


def test_a_delivery_waiting_to_try_again_is_sent_now_from_the_desk(api, admin_user, editor, translator, receiver,
                                                                   settings):
    add_webhook(api, admin_user, receiver)
    article = article_in(State.EDITING, editor=editor, translator=translator)
    receiver.statuses = [503, 503]
    workflow.apply(article.pk, editor, "publish")
    (job,) = Job.objects.filter(article=article, kind=Job.Kind.DELIVERY)
    for _ in range(2):
        with pytest.raises(delivering.RetryLater):
            delivering.run(job.pk)
    client = Client()
    client.force_login(editor)
    page = client.get(f"/desk/articles/{article.pk}/").content.decode()
    assert f"Newsroom CMS hook: failed, retrying (2/{settings.JOB_MAX_ATTEMPTS}): The webhook at" in page
    assert f"/desk/jobs/{job.pk}/retry/" in page

    # While a worker holds the job's lease (an attempt under way), a retry is refused and none is offered.
    Job.objects.filter(pk=job.pk).update(state=Job.Status.RUNNING, heartbeat_at=timezone.now(), leased_by="worker-1")
    assert f"/desk/jobs/{job.pk}/retry/" not in client.get(f"/desk/articles/{article.pk}/").content.decode()
    refused = api(editor).post(f"/api/v1/jobs/{job.pk}/retry/", {}, format="json")
    assert refused.status_code == 409 and "this one is running" in refused.json()["error"]["message"]
    Job.objects.filter(pk=job.pk).update(state=Job.Status.QUEUED)

    page = client.post(f"/desk/jobs/{job.pk}/retry/", follow=True).content.decode()
    assert "Queued again." in page and "Newsroom CMS hook: sending" in page
    run_job(delivering.run, job.pk)
    assert Delivery.objects.get(article=article).state == "sent"
    # The attempt the backoff had scheduled comes later: the job is done, nothing is sent twice.
    delivering.run(job.pk)
    assert [json.loads(r["body"])["event"] for r in receiver.accepted()] == ["published"]


def test_an_earlier_events_job_running_late_leaves_the_newer_events_delivery_alone(api, admin_user, editor,
                                                                                   translator, receiver):
    add_webhook(api, admin_user, receiver)
    article = article_in(State.EDITING, editor=editor, translator=translator)
    receiver.statuses = [503]
    workflow.apply(article.pk, editor, "publish")
    (published,) = Job.objects.filter(article=article, kind=Job.Kind.DELIVERY)
    with pytest.raises(delivering.RetryLater):
        delivering.run(published.pk)
    workflow.apply(article.pk, editor, "correct")
    workflow.apply(article.pk, editor, "publish", comment="The figures were corrected.")
    corrected = Job.objects.filter(article=article, kind=Job.Kind.DELIVERY).exclude(pk=published.pk).get()
    run_job(delivering.run, corrected.pk)
    sent = Delivery.objects.values("state", "event", "error", "attempts").get(article=article)
    assert (sent["state"], sent["event"]) == ("sent", "corrected")

    # The publish job's retry comes after it, and fails again; then for good.
    receiver.statuses = [503]
    with pytest.raises(delivering.RetryLater):
        delivering.run(published.pk)
    assert Delivery.objects.values("state", "event", "error", "attempts").get(article=article) == sent
    receiver.statuses = [401]
    assert delivering.run(published.pk).state == Job.Status.FAILED
    assert Delivery.objects.values("state", "event", "error", "attempts").get(article=article) == sent
    client = Client()
    client.force_login(editor)
    page = client.get(f"/desk/articles/{article.pk}/").content.decode()
    assert "Newsroom CMS hook: corrected" in page and "retry/" not in page


def test_a_targets_options_are_the_ones_its_kind_takes(api, admin_user, receiver):
    client = api(admin_user)

    def add(kind, options):
        return client.post("/api/v1/targets/", {"kind": kind, "name": "CMS", "url": receiver.url,
                                                "options": options}, format="json")

    for kind, options, said in [
        ("wordpress", {"category": 0}, "A WordPress category id is 1 or more."),
        ("wordpress", {"category": "news"}, "Give the category's id in WordPress: a number."),
        ("wordpress", {"category": True}, "Give the category's id in WordPress: a number."),
        ("wordpress", {"unpublish": "delete"}, "Say draft or trash (what unpublishing does to the post)."),
        ("wordpress", {"unpublish": {}}, "Give unpublish one value, not a list or an object."),
        ("wordpress", {"colour": "red"}, "A WordPress target has no option 'colour'; it takes category, unpublish."),
        ("webhook", {"unpublish": "trash"}, "A Webhook target has no option 'unpublish': it takes none."),
    ]:
        refused = add(kind, options)
        assert refused.status_code == 400, (options, refused.content)
        error = refused.json()["error"]
        (name,) = options
        assert error["code"] == "invalid" and error["details"] == {"options": {name: [said]}}
        assert error["message"] == f"Some options are not valid. options.{name}: {said}"
    assert not PublishTarget.objects.exists()

    added = add("wordpress", {"category": 7, "unpublish": "trash"})
    assert added.status_code == 201 and added.json()["options"] == {"category": 7, "unpublish": "trash"}
    changed = client.patch(f"/api/v1/targets/{added.json()['id']}/", {"options": {"category": -3}}, format="json")
    assert changed.status_code == 400 and "options.category: A WordPress category id is 1 or more." in \
        changed.json()["error"]["message"]
    assert PublishTarget.objects.get().options == {"category": 7, "unpublish": "trash"}
    changed = client.patch(f"/api/v1/targets/{added.json()['id']}/", {"options": {"unpublish": "draft"}},
                           format="json")
    assert changed.status_code == 200 and changed.json()["options"] == {"unpublish": "draft"}


def test_an_admin_edits_a_target_on_the_team_page(admin_user):
    row = targets.add(kind="wordpress", name="WordPress", url="https://cms.example.org/", username="wpadmin",
                      secret="old-pass", options={"category": 3})
    hook = targets.add(kind="webhook", name="CMS hook", url="https://cms.example.org/hook", secret="hook-key")
    client = Client()
    client.force_login(admin_user)
    page = client.get("/desk/team/").content.decode()
    assert "Edit WordPress" in page and 'value="https://cms.example.org/"' in page and "old-pass" not in page
    assert f'name="target-{row.pk}-category"' in page and f'name="target-{hook.pk}-category"' not in page

    # A new name, address, user and options; the secret field left empty keeps the secret saved.
    edit = {"do": "change", f"target-{row.pk}-name": "Newsroom WordPress",
            f"target-{row.pk}-url": "https://news.example.org/", f"target-{row.pk}-username": "deskbot",
            f"target-{row.pk}-secret": "", f"target-{row.pk}-category": "12", f"target-{row.pk}-unpublish": "trash"}
    page = client.post(f"/desk/team/targets/{row.pk}/", edit, follow=True).content.decode()
    assert "Newsroom WordPress saved." in page
    row.refresh_from_db()
    assert (row.name, row.url, row.username, row.options) == (
        "Newsroom WordPress", "https://news.example.org/", "deskbot", {"category": 12, "unpublish": "trash"})
    assert targets.unseal(row.secret) == "old-pass"

    # A new secret replaces it, and is not shown back.
    page = client.post(f"/desk/team/targets/{row.pk}/", {**edit, f"target-{row.pk}-secret": "new-pass"},
                       follow=True).content.decode()
    assert "new-pass" not in page
    row.refresh_from_db()
    assert targets.unseal(row.secret) == "new-pass"

    # A bad value is refused next to its field, and nothing changes.
    refused = client.post(f"/desk/team/targets/{row.pk}/", {**edit, f"target-{row.pk}-category": "0",
                                                            f"target-{row.pk}-name": "Renamed"})
    next_to_the_field = '<p class="field-error" role="alert">A WordPress category id is 1 or more.</p>'
    assert refused.status_code == 400 and next_to_the_field in refused.content.decode()
    row.refresh_from_db()
    assert (row.name, row.options) == ("Newsroom WordPress", {"category": 12, "unpublish": "trash"})
    # The add form takes its options from the same declaration.
    added = client.post("/desk/team/targets/", {"target-kind": "wordpress", "target-name": "Other",
                                                 "target-url": "https://other.example.org/", "target-category": "0"})
    assert added.status_code == 400 and next_to_the_field in added.content.decode()
    assert PublishTarget.objects.count() == 2
