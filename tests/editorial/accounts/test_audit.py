"""The account audit log: each event is written with who, to whom, from where and when; admins read it on the
team page and through GET /api/v1/audit/, filtered by subject and action."""

import uuid

import pytest
from django.test import Client
from rest_framework.test import APIClient

from editorial import signin
from editorial.models import AccountEvent
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _address() -> str:
    return f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"


def _events(action, **filters):
    return list(AccountEvent.objects.filter(action=action, **filters))


def test_a_sign_in_a_failure_and_a_lockout_are_logged_with_the_address_and_browser(translator):
    address = _address()
    client = Client(REMOTE_ADDR=address, HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0")
    client.post("/login/", {"username": "sami", "password": "wrong"})
    [failed] = _events("account.signin.failed", subject=translator)
    assert failed.address == address and "Firefox" in failed.user_agent and failed.actor is None
    assert failed.details == {"username": "sami"}
    assert client.post("/login/", {"username": "sami", "password": PASSWORD}).status_code == 302
    [signed_in] = _events("account.signin", subject=translator)
    assert signed_in.actor == translator and signed_in.address == address
    client.post("/logout/")
    assert _events("account.signout", subject=translator, actor=translator, address=address)
    for _ in range(signin.LOGIN_FAILURE_LIMIT + 1):
        client.post("/login/", {"username": "sami", "password": "wrong"})
    assert _events("account.signin.locked", subject=translator, address=address)


def test_the_api_token_endpoint_logs_its_sign_ins_and_failures(translator):
    client = APIClient(REMOTE_ADDR="10.200.1.2")
    client.post("/api/v1/auth/token/", {"username": "sami", "password": "wrong"}, format="json")
    client.post("/api/v1/auth/token/", {"username": "sami", "password": PASSWORD}, format="json")
    assert _events("account.signin.failed", subject=translator, address="10.200.1.2")
    [signed_in] = _events("account.signin", subject=translator)
    assert signed_in.details == {"via": "api"} and signed_in.address == "10.200.1.2"


def test_an_unknown_name_is_logged_without_a_subject(db):
    Client(REMOTE_ADDR=_address()).post("/login/", {"username": "nobody-here", "password": "x"})
    [failed] = _events("account.signin.failed")
    assert failed.subject is None and failed.details["username"] == "nobody-here"


def test_role_changes_deactivation_and_creation_are_logged_with_the_admin(api, admin_user, translator):
    client = api(admin_user)
    client.patch(f"/api/v1/users/{translator.pk}/", {"role": "editor"}, format="json")
    client.patch(f"/api/v1/users/{translator.pk}/", {"is_active": False}, format="json")
    client.patch(f"/api/v1/users/{translator.pk}/", {"is_active": True}, format="json")
    client.post("/api/v1/users/", {"username": "nadia", "password": "Long-enough-pass-1", "role": "translator"},
                format="json")
    [changed] = _events("account.role.changed", subject=translator)
    assert changed.actor == admin_user and changed.details == {"role": "editor", "previous": "translator"}
    assert _events("account.deactivated", subject=translator, actor=admin_user)
    assert _events("account.reactivated", subject=translator, actor=admin_user)
    assert _events("account.created", subject__username="nadia", actor=admin_user)
    # The same role again is no change, and is not logged.
    client.patch(f"/api/v1/users/{translator.pk}/", {"role": "editor"}, format="json")
    assert len(_events("account.role.changed", subject=translator)) == 1


def test_admins_read_the_log_through_the_api_filtered_and_paginated(api, admin_user, editor, translator):
    for _ in range(3):
        Client(REMOTE_ADDR=_address()).post("/login/", {"username": "sami", "password": "wrong"})
    Client(REMOTE_ADDR=_address()).post("/login/", {"username": "layla", "password": "wrong"})
    Client(REMOTE_ADDR=_address()).post("/login/", {"username": "layla", "password": PASSWORD})
    client = api(admin_user)
    everything = client.get("/api/v1/audit/").json()
    assert everything["count"] == 5 and everything["results"][0]["action"] == "account.signin"
    about_sami = client.get(f"/api/v1/audit/?subject={translator.pk}").json()
    assert about_sami["count"] == 3 and {e["subject"] for e in about_sami["results"]} == {"sami"}
    failures = client.get("/api/v1/audit/?action=account.signin.failed&page_size=2").json()
    assert failures["count"] == 4 and len(failures["results"]) == 2 and failures["next"]
    first = failures["results"][0]
    assert set(first) == {"id", "at", "action", "actor", "subject", "subject_id", "address", "user_agent", "details"}
    assert client.get("/api/v1/audit/?action=account.nothing").status_code == 400
    assert client.get("/api/v1/audit/?subject=abc").status_code == 400
    assert client.get("/api/v1/audit/?action=").status_code == 400
    assert client.get("/api/v1/audit/?subject=").status_code == 400
    assert api(editor).get("/api/v1/audit/").status_code == 403
    assert api(None).get("/api/v1/audit/").status_code == 401


def test_the_team_page_shows_the_newest_events(admin_user, translator):
    Client(REMOTE_ADDR="10.9.8.7").post("/login/", {"username": "sami", "password": "wrong"})
    client = Client()
    client.force_login(admin_user)
    page = client.get("/desk/team/").content.decode()
    assert 'data-action="account.signin.failed"' in page and "10.9.8.7" in page


def test_the_log_is_not_edited_through_the_admin_site(admin_user):
    """Nothing may rewrite history: the admin site offers the log read-only."""
    Client(REMOTE_ADDR=_address()).post("/login/", {"username": "sami", "password": "wrong"})
    event = AccountEvent.objects.first()
    client = Client()
    client.force_login(admin_user)
    assert client.post(f"/admin/editorial/accountevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.post(f"/admin/editorial/accountevent/{event.pk}/change/", {"action": "x"}).status_code == 403
    assert AccountEvent.objects.filter(pk=event.pk, action="account.signin.failed").exists()


def test_changes_made_in_the_admin_site_are_logged_as_the_team_pages_are(admin_user, translator):
    from django.contrib.auth.models import Group

    client = Client(REMOTE_ADDR="10.3.3.3")
    client.force_login(admin_user)
    added = client.post("/admin/auth/user/add/", {"username": "nour", "usable_password": "true",
                                                  "password1": "Lemon-terrace-41", "password2": "Lemon-terrace-41"})
    assert added.status_code == 302, added.content[:300]
    [created] = _events("account.created", subject__username="nour")
    assert (created.actor, created.address, created.details) == (admin_user, "10.3.3.3", {"via": "admin site"})

    # One save of the change form: another role (group) and deactivated.
    changed = client.post(f"/admin/auth/user/{translator.pk}/change/", {
        "username": translator.username, "email": translator.email, "groups": [Group.objects.get(name="editor").pk],
        "date_joined_0": "2026-01-05", "date_joined_1": "09:30:00"})  # is_active left unticked
    assert changed.status_code == 302, changed.content.decode()[:3000]
    [role] = _events("account.role.changed", subject=translator)
    assert (role.actor, role.details) == (admin_user, {"role": "editor", "previous": "translator", "via": "admin site"})
    assert _events("account.deactivated", subject=translator, actor=admin_user)
    assert not _events("account.reactivated", subject=translator)

    password = client.post(f"/admin/auth/user/{translator.pk}/password/", {
        "usable_password": "true", "password1": "Quince-harbour-88", "password2": "Quince-harbour-88"})
    assert password.status_code == 302
    assert _events("account.password.changed", subject=translator, actor=admin_user)
    refused = client.post(f"/admin/auth/user/{translator.pk}/password/", {"password1": "a", "password2": "b"})
    assert refused.status_code == 200 and len(_events("account.password.changed", subject=translator)) == 1
