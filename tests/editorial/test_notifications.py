"""Email to the people concerned: assigned, submitted, sent back, published, draft failed."""

import pytest
from django.core import mail

from editorial import drafting, notifications, workflow
from editorial.models import Job, Notification, State
from tests.conftest import create_article, fill_segments, make_user, wait_for

pytestmark = pytest.mark.django_db


def _recipients(event):
    return sorted(n.recipient.username for n in Notification.objects.filter(event=event))


def test_who_is_told_of_each_transition(make_article, editor, translator):
    article = make_article(State.MACHINE_DRAFT)
    workflow.apply(article.pk, editor, "assign", assignee=translator.username)
    assert _recipients("assign") == ["sami"]

    fill_segments(article, translator)
    workflow.apply(article.pk, translator, "submit")
    assert _recipients("submit") == ["layla"]  # the editor who assigned it

    workflow.apply(article.pk, editor, "request_changes", comment="Check the figures in paragraph 2.")
    assert _recipients("request_changes") == ["sami"]
    assert "Check the figures in paragraph 2." in Notification.objects.get(event="request_changes").body

    workflow.apply(article.pk, translator, "submit")
    workflow.apply(article.pk, editor, "publish")
    assert _recipients("publish") == ["sami"]  # layla published it herself: not told of her own act


def test_nobody_is_told_of_what_they_did_themselves(make_article, translator):
    article = make_article(State.MACHINE_DRAFT)
    workflow.apply(article.pk, translator, "claim")
    assert not Notification.objects.exists()


def test_submitted_work_goes_to_every_editor_when_no_editor_is_concerned(db, translator):
    importer = make_user("admin", "importer")
    other_editor = make_user("editor", "omar")
    article = create_article(importer)
    importer.is_active = False
    importer.save()
    _, job = workflow.apply(article.pk, other_editor, "draft")
    drafting.run_draft(job.pk)
    workflow.apply(article.pk, translator, "claim")
    fill_segments(article, translator)
    workflow.apply(article.pk, translator, "submit")
    assert _recipients("submit") == ["omar"]


def test_messages_are_mailed_once(make_article, editor, translator, mailoutbox):
    article = make_article(State.MACHINE_DRAFT)
    workflow.apply(article.pk, editor, "assign", assignee=translator.username)
    assert notifications.send_pending() == 1
    assert notifications.send_pending() == 0
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["translator@example.org"]
    assert message.subject.startswith(f"[Tarjama] #{article.pk} assigned to you")
    assert f"/desk/articles/{article.pk}/" in message.body


def test_a_failed_draft_tells_whoever_ordered_it(db, editor, settings, mailoutbox):
    settings.MT_ENGINE = "libretranslate"
    settings.MT_ENGINE_SETTINGS = {**settings.MT_ENGINE_SETTINGS, "libretranslate": {"url": ""}}
    article = create_article(editor)
    _, job = workflow.apply(article.pk, editor, "draft")
    job = drafting.run_draft(job.pk)
    assert job.state == "failed" and job.error == "LIBRETRANSLATE_URL is not set."
    notifications.send_pending()
    assert [m.to for m in mailoutbox] == [["editor@example.org"]]
    assert "LIBRETRANSLATE_URL is not set." in mailoutbox[0].body


def test_people_without_an_email_address_are_skipped(make_article, editor):
    nomail = make_user("translator", "nomail")
    nomail.email = ""
    nomail.save()
    article = make_article(State.MACHINE_DRAFT)
    workflow.apply(article.pk, editor, "assign", assignee="nomail")
    assert not Notification.objects.exists()


@pytest.mark.worker
def test_the_worker_sends_after_the_transition_commits(live_worker, api, editor, translator):
    from tests.conftest import article_in

    article = article_in(State.MACHINE_DRAFT, editor=editor, translator=translator)
    mail.outbox = []
    response = api(editor).post(f"/api/v1/articles/{article.pk}/actions/assign/", {"assignee": "sami"},
                                format="json")
    assert response.status_code == 200
    wait_for(lambda: Notification.objects.filter(event="assign", sent_at__isnull=False).exists())
    assert [m.to for m in mail.outbox] == [["translator@example.org"]]
    assert Job.objects.count() == 1


def test_the_desk_bell_counts_unread_notifications_and_lists_them(make_article, editor, translator):
    from editorial import workflow
    from tests.editorial.test_desk import signed_in

    article = make_article(State.EDITING)
    client = signed_in(translator)
    assert 'aria-label="Notifications: 1 unread"' in client.get("/desk/").content.decode()  # "assigned to you"
    client.post("/desk/notifications/read/")
    before = client.get("/desk/").content.decode()
    workflow.apply(article.pk, editor, "request_changes", comment="Check the figures.")
    desk = client.get("/desk/").content.decode()
    assert 'aria-label="Notifications: 1 unread"' in desk and 'aria-label="Notifications: 1 unread"' not in before
    page = client.get("/desk/notifications/").content.decode()
    assert f'href="/desk/articles/{article.pk}/"' in page and "Check the figures." in page and ">New</strong>" in page
    client.post("/desk/notifications/read/")
    assert 'aria-label="Notifications"' in client.get("/desk/").content.decode()
    assert ">New</strong>" not in client.get("/desk/notifications/").content.decode()
    # Someone else's notifications are neither counted nor shown nor marked.
    assert "Check the figures." not in signed_in(editor).get("/desk/notifications/").content.decode()
