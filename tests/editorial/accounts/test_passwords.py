"""Passwords a newsroom runs itself: change your own, reset by email (end to end through a real SMTP server),
an admin sends a reset link, and the answer to 'forgot' says nothing of who has an account."""

import uuid
from datetime import datetime, timedelta

import pytest
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.test import Client
from rest_framework.authtoken.models import Token

from editorial import signin
from editorial.models import AccountEvent, UserSession
from tests.conftest import PASSWORD, make_user, wait_for
from tests.mailbox import path_of

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Olive-grove-at-dawn-7"


def _address() -> str:
    return f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"


def _signed_in(username, password=PASSWORD) -> Client:
    client = Client(REMOTE_ADDR=_address())
    assert client.post("/login/", {"username": username, "password": password}).status_code == 302
    return client


def _set_password_through(link: str, password: str = NEW_PASSWORD) -> Client:
    client = Client()
    opened = client.get(path_of(link))
    assert opened.status_code == 302, opened.status_code  # Django moves the token out of the address
    form = client.get(opened["Location"])
    assert form.status_code == 200 and b"Set a new password" in form.content
    done = client.post(opened["Location"], {"new_password1": password, "new_password2": password})
    assert done.status_code == 302 and done["Location"] == "/login/", done.content[:500]
    return client


def test_a_user_changes_their_password_and_only_their_other_sessions_and_token_end(translator):
    here, elsewhere = _signed_in("sami"), _signed_in("sami")
    token = Token.objects.create(user=translator)
    wrong = here.post("/account/password/", {"old_password": "not-it", "new_password1": NEW_PASSWORD,
                                             "new_password2": NEW_PASSWORD})
    assert wrong.status_code == 400 and b"Your old password was entered incorrectly" in wrong.content
    weak = here.post("/account/password/", {"old_password": PASSWORD, "new_password1": "12345678",
                                            "new_password2": "12345678"})
    assert weak.status_code == 400 and b"too common" in weak.content
    changed = here.post("/account/password/", {"old_password": PASSWORD, "new_password1": NEW_PASSWORD,
                                               "new_password2": NEW_PASSWORD})
    assert changed.status_code == 302
    translator.refresh_from_db()
    assert translator.check_password(NEW_PASSWORD)
    assert here.get("/desk/").status_code == 200  # this session stays signed in
    assert elsewhere.get("/desk/").status_code == 302  # the other one ended
    assert not Token.objects.filter(pk=token.pk).exists()
    assert UserSession.objects.filter(user=translator).count() == 1
    assert AccountEvent.objects.filter(action="account.password.changed", subject=translator,
                                       actor=translator).exists()
    assert Client().get("/account/password/").status_code == 302  # signed out: to the sign-in page


# 'Forgot your password?' is answered at once; a background task (a real worker here) looks the address up and
# sends the emails (editorial.accounts.passwords.send_reset_links).

@pytest.mark.django_db(transaction=True)
def test_a_reset_by_email_end_to_end_and_the_link_works_once(mailbox, live_worker):
    user = make_user("translator", "huda")
    user.email = "huda@newsroom.example"
    user.save()
    session = _signed_in("huda")
    login_page = Client().get("/login/").content.decode()
    assert 'href="/account/reset/"' in login_page
    asked = Client(REMOTE_ADDR=_address()).post("/account/reset/", {"email": "HUDA@newsroom.example"})
    assert asked.status_code == 302 and asked["Location"] == "/account/reset/sent/"
    [message] = mailbox.wait("huda@newsroom.example")
    assert message["Subject"] == "Set a new password for Tarjama"
    link = mailbox.last_link("huda@newsroom.example")
    assert link.startswith("http://testserver/account/reset/")
    _set_password_through(link)
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert session.get("/desk/").status_code == 302  # a reset ends every session
    _signed_in("huda", NEW_PASSWORD)
    # Used once, the link no longer works.
    again = Client()
    opened = again.get(path_of(link))
    assert b"This link does not work" in (again.get(opened["Location"]) if opened.status_code == 302 else
                                          opened).content
    actions = list(AccountEvent.objects.filter(subject=user).values_list("action", flat=True))
    assert "account.password.reset_sent" in actions and "account.password.reset" in actions


@pytest.mark.django_db(transaction=True)
def test_a_reset_link_fails_after_it_expires(mailbox, monkeypatch, settings, live_worker):
    user = make_user("editor", "omar")
    user.email = "omar@newsroom.example"
    user.save()
    Client(REMOTE_ADDR=_address()).post("/account/reset/", {"email": "omar@newsroom.example"})
    link = mailbox.last_link("omar@newsroom.example")
    later = datetime.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)
    monkeypatch.setattr(PasswordResetTokenGenerator, "_now", lambda self: later)
    client = Client()
    opened = client.get(path_of(link))
    assert opened.status_code == 200 and b"This link does not work" in opened.content
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


@pytest.mark.django_db(transaction=True)
def test_forgot_answers_the_same_whatever_the_address_and_is_rate_limited(mailbox, translator, request):
    address = _address()
    client = Client(REMOTE_ADDR=address, HTTP_USER_AGENT="Firefox on the desk")
    unknown = client.post("/account/reset/", {"email": "nobody@example.org"})
    known = client.post("/account/reset/", {"email": "translator@example.org"})
    assert known.status_code == unknown.status_code == 302 and known["Location"] == unknown["Location"]
    # Neither request looked the address up nor sent anything: nothing in the answer, or its time, tells them apart.
    assert not mailbox.messages and not AccountEvent.objects.filter(action="account.password.reset_sent").exists()
    request.getfixturevalue("live_worker")  # a worker starts
    mailbox.wait("translator@example.org")  # the worker takes the tasks in order: the unknown one is done too
    assert len(mailbox.messages) == 1 and not mailbox.to("nobody@example.org")
    # Logged once the server has taken the email.
    event = wait_for(lambda: AccountEvent.objects.filter(action="account.password.reset_sent", subject=translator)
                     .first())
    assert (event.actor, event.address, event.user_agent) == (None, address, "Firefox on the desk")
    for _ in range(signin.LOGIN_FAILURE_LIMIT):
        client.post("/account/reset/", {"email": "someone@example.org"})
    limited = client.post("/account/reset/", {"email": "someone@example.org"})
    assert limited.status_code == 429 and b"Too many reset requests" in limited.content


def test_an_admin_sends_a_reset_link_from_the_team_page_and_the_api(mailbox, admin_user, translator, api):
    admin = Client()
    admin.force_login(admin_user)
    team = admin.get("/desk/team/").content.decode()
    assert f'action="/desk/team/{translator.pk}/reset/"' in team
    assert PASSWORD not in team
    sent = admin.post(f"/desk/team/{translator.pk}/reset/", follow=True)
    assert b"A link to set a new password was sent to translator@example.org" in sent.content
    _set_password_through(mailbox.last_link("translator@example.org"))
    translator.refresh_from_db()
    assert translator.check_password(NEW_PASSWORD)
    event = AccountEvent.objects.get(action="account.password.reset_sent", subject=translator)
    assert event.actor == admin_user
    answer = api(admin_user).post(f"/api/v1/users/{translator.pk}/password-reset/")
    assert answer.status_code == 202 and answer.json() == {"sent": True}
    assert len(mailbox.to("translator@example.org")) == 2
    silent = make_user("translator", "noemail")
    silent.email = ""
    silent.save()
    assert api(admin_user).post(f"/api/v1/users/{silent.pk}/password-reset/").json()["error"]["code"] == "no_email"
    assert api(translator).post(f"/api/v1/users/{silent.pk}/password-reset/").status_code == 403
    assert Client().post(f"/desk/team/{translator.pk}/reset/").status_code == 302  # to the sign-in page
