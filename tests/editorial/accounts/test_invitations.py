"""Invitations, end to end through a real SMTP server: an admin invites a colleague by name, email and role, the
colleague sets their own password from the link (once, within INVITATION_HOURS); resend and cancel."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from editorial import roles
from editorial.models import AccountEvent, Invitation
from tests.mailbox import path_of

pytestmark = pytest.mark.django_db

PASSWORD = "Jasmine-balcony-19"


def _admin_client(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


def _accept(link: str, password: str = PASSWORD):
    return Client().post(path_of(link), {"new_password1": password, "new_password2": password})


def test_an_invitation_end_to_end_from_the_team_page(mailbox, admin_user):
    admin = _admin_client(admin_user)
    answer = admin.post("/desk/team/invite/", {"invite-username": "rasha", "invite-email": "rasha@newsroom.example",
                                               "invite-role": "editor"}, follow=True)
    assert b"rasha is invited" in answer.content
    rasha = get_user_model().objects.get(username="rasha")
    assert roles.role_of(rasha) == "editor" and not rasha.has_usable_password()
    team = admin.get("/desk/team/").content.decode()
    assert '<tr data-user="rasha">' in team and "<td>invited</td>" in team.replace("\n", "")
    # The link from the email opens a page to set the password; the invited person cannot sign in before.
    assert Client().post("/login/", {"username": "rasha", "password": ""}).status_code == 200
    [message] = mailbox.to("rasha@newsroom.example")
    assert message["Subject"] == "You are invited to Tarjama"
    link = mailbox.last_link("rasha@newsroom.example")
    assert "boss invited you" in message.get_payload(decode=True).decode()
    page = Client().get(path_of(link))
    assert page.status_code == 200 and b"Your username is <strong>rasha</strong>" in page.content
    weak = _accept(link, "password")
    assert weak.status_code == 400 and b"too common" in weak.content
    done = _accept(link)
    assert done.status_code == 302 and done["Location"] == "/login/"
    assert Client().post("/login/", {"username": "rasha", "password": PASSWORD}).status_code == 302
    # Single use: the same link no longer works.
    assert Client().get(path_of(link)).status_code == 404
    assert _accept(link, "Another-long-pass-5").status_code == 404
    rasha.refresh_from_db()
    assert rasha.check_password(PASSWORD)
    assert "<td>invited</td>" not in admin.get("/desk/team/").content.decode().replace("\n", "")
    actions = set(AccountEvent.objects.filter(subject=rasha).values_list("action", flat=True))
    assert {"account.invitation.sent", "account.invitation.accepted"} <= actions


def test_a_resend_replaces_the_link_and_a_cancel_removes_the_account(mailbox, admin_user):
    admin = _admin_client(admin_user)
    admin.post("/desk/team/invite/", {"invite-username": "karim", "invite-email": "karim@newsroom.example",
                                      "invite-role": "translator"})
    first = mailbox.last_link("karim@newsroom.example")
    invitation = Invitation.objects.get(user__username="karim")
    admin.post(f"/desk/team/invitations/{invitation.pk}/", {"do": "resend"})
    second = mailbox.last_link("karim@newsroom.example")
    assert first != second and len(mailbox.to("karim@newsroom.example")) == 2
    assert Client().get(path_of(first)).status_code == 404  # the first link stopped working
    assert Client().get(path_of(second)).status_code == 200
    admin.post(f"/desk/team/invitations/{invitation.pk}/", {"do": "cancel"})
    assert not get_user_model().objects.filter(username="karim").exists()
    assert Client().get(path_of(second)).status_code == 404
    assert AccountEvent.objects.filter(action="account.invitation.resent", actor=admin_user).exists()
    cancelled = AccountEvent.objects.get(action="account.invitation.cancelled")
    assert cancelled.actor == admin_user and cancelled.details["username"] == "karim"


def test_an_invitation_expires(mailbox, admin_user, settings):
    _admin_client(admin_user).post("/desk/team/invite/", {
        "invite-username": "lina", "invite-email": "lina@newsroom.example", "invite-role": "translator"})
    link = mailbox.last_link("lina@newsroom.example")
    invitation = Invitation.objects.get(user__username="lina")
    assert invitation.expires_at - invitation.sent_at == timedelta(hours=settings.INVITATION_HOURS) == timedelta(
        hours=72)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert Client().get(path_of(link)).status_code == 404
    assert _accept(link).status_code == 404
    assert not get_user_model().objects.get(username="lina").has_usable_password()


def test_invitations_through_the_api(mailbox, admin_user, editor, api):
    client = api(admin_user)
    made = client.post("/api/v1/invitations/", {"username": "yara", "email": "yara@newsroom.example",
                                                "role": "translator"}, format="json")
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["sent"] is True and body["user"]["username"] == "yara" and body["invited_by"] == "boss"
    assert [i["user"]["username"] for i in client.get("/api/v1/invitations/").json()["results"]] == ["yara"]
    taken = client.post("/api/v1/invitations/", {"username": "YARA", "email": "y@x.example", "role": "editor"},
                        format="json")
    assert taken.status_code == 400 and "username" in taken.json()["error"]["details"]
    resent = client.post(f"/api/v1/invitations/{body['id']}/resend/")
    assert resent.status_code == 200 and len(mailbox.to("yara@newsroom.example")) == 2
    assert _accept(mailbox.last_link("yara@newsroom.example")).status_code == 302
    assert client.get("/api/v1/invitations/").json()["count"] == 0
    assert client.delete(f"/api/v1/invitations/{body['id']}/").status_code == 404  # accepted: nothing to cancel
    other = client.post("/api/v1/invitations/", {"username": "zaid", "email": "zaid@newsroom.example",
                                                 "role": "editor"}, format="json").json()
    assert client.delete(f"/api/v1/invitations/{other['id']}/").status_code == 204
    assert not get_user_model().objects.filter(username="zaid").exists()
    assert api(editor).post("/api/v1/invitations/", {"username": "q", "email": "q@x.example",
                                                     "role": "admin"}, format="json").status_code == 403


def test_adduser_stays_for_the_first_admin(db):
    from django.core.management import call_command

    call_command("adduser", "first", "--role", "admin", "--password", "Quiet-river-42")
    assert Client().post("/login/", {"username": "first", "password": "Quiet-river-42"}).status_code == 302


@pytest.mark.django_db(transaction=True)
def test_an_invited_colleague_who_asks_for_a_reset_gets_the_invitation_again(mailbox, admin_user, live_worker):
    admin = _admin_client(admin_user)
    admin.post("/desk/team/invite/", {"invite-username": "rasha", "invite-email": "rasha@newsroom.example",
                                      "invite-role": "translator"})
    first = mailbox.last_link("rasha@newsroom.example")
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))  # they waited too long
    asked = Client(REMOTE_ADDR="10.9.8.7").post("/account/reset/", {"email": "rasha@newsroom.example"})
    assert asked.status_code == 302
    [_, again] = mailbox.wait("rasha@newsroom.example", count=2)
    assert again["Subject"] == "You are invited to Tarjama"  # no password to reset yet: the invitation, anew
    link = mailbox.last_link("rasha@newsroom.example")
    assert link != first and _accept(first).status_code == 404
    assert _accept(link).status_code == 302
    rasha = get_user_model().objects.get(username="rasha")
    assert rasha.check_password(PASSWORD)
    event = AccountEvent.objects.get(action="account.invitation.resent", subject=rasha)
    assert (event.actor, event.address) == (None, "10.9.8.7")
