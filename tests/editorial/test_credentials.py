"""Access that ends: a password change or a deactivation ends tokens and sessions wherever it happens, tokens
expire, and a token can be revoked by whoever holds it."""

import uuid
from datetime import timedelta

from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from editorial import roles
from editorial.models import AccountEvent, UserSession
from tests.conftest import PASSWORD, make_user

NEW_PASSWORD = "An0ther-long-secret!"


def _token(username: str, password: str = PASSWORD) -> str:
    response = APIClient(REMOTE_ADDR=f"10.3.{uuid.uuid4().int % 250}.1").post(
        "/api/v1/auth/token/", {"username": username, "password": password}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def _signed_in(user) -> Client:
    client = Client()
    assert client.post("/login/", {"username": user.username, "password": PASSWORD}).status_code == 302
    assert client.get("/desk/").status_code == 200
    return client


def _works(token: str) -> int:
    return APIClient(HTTP_AUTHORIZATION=f"Token {token}").get("/api/v1/articles/").status_code


def test_a_password_changed_with_adduser_ends_old_tokens_and_sessions(db):
    user = make_user("translator", f"pw-{uuid.uuid4().hex[:6]}")
    token, browser = _token(user.username), _signed_in(user)
    assert UserSession.objects.filter(user=user).count() == 1

    call_command("adduser", user.username, "--role", "translator", "--password", NEW_PASSWORD)

    assert _works(token) == 401
    assert browser.get("/desk/").status_code == 302  # signed out
    assert not UserSession.objects.filter(user=user).exists()
    fresh = _token(user.username, NEW_PASSWORD)
    assert fresh != token and _works(fresh) == 200


def test_a_password_changed_on_the_admin_site_ends_old_tokens(db, admin_user):
    user = make_user("editor", f"pw-{uuid.uuid4().hex[:6]}")
    token = _token(user.username)
    admin = Client()
    admin.force_login(admin_user)
    response = admin.post(f"/admin/auth/user/{user.pk}/password/",
                          {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"})
    assert response.status_code == 302, response.content[:500]
    assert _works(token) == 401


def test_saving_a_user_without_changing_the_password_ends_nothing(db):
    user = make_user("translator", f"pw-{uuid.uuid4().hex[:6]}")
    token, browser = _token(user.username), _signed_in(user)
    user.email = "new@example.org"
    user.save()
    assert _works(token) == 200 and browser.get("/desk/").status_code == 200


def test_deactivation_ends_sessions_and_reactivation_brings_none_back(db):
    user = make_user("translator", f"off-{uuid.uuid4().hex[:6]}")
    token, browser = _token(user.username), _signed_in(user)
    roles.set_active(user, False)
    roles.set_active(user, True)
    assert browser.get("/desk/").status_code == 302
    assert _works(token) == 401 and not Token.objects.filter(user=user).exists()


def test_an_expired_token_is_refused_with_a_code_saying_so_and_a_new_one_is_issued(db, settings):
    settings.API_TOKEN_DAYS = 30
    user = make_user("translator", f"old-{uuid.uuid4().hex[:6]}")
    token = _token(user.username)
    Token.objects.filter(key=token).update(created=timezone.now() - timedelta(days=30, seconds=1))
    response = APIClient(HTTP_AUTHORIZATION=f"Token {token}").get("/api/v1/articles/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_expired"
    assert not Token.objects.filter(key=token).exists()
    again = APIClient().post("/api/v1/auth/token/", {"username": user.username, "password": PASSWORD},
                             format="json").json()
    assert again["token"] != token and _works(again["token"]) == 200
    expires = timezone.datetime.fromisoformat(again["expires_at"])
    assert timedelta(days=29, hours=23) < expires - timezone.now() <= timedelta(days=30)


def test_a_token_one_day_short_of_its_lifetime_still_works(db, settings):
    settings.API_TOKEN_DAYS = 30
    user = make_user("translator", f"ok-{uuid.uuid4().hex[:6]}")
    token = _token(user.username)
    Token.objects.filter(key=token).update(created=timezone.now() - timedelta(days=29))
    assert _works(token) == 200
    assert _token(user.username) == token  # signing in again hands back the same, still valid token


def test_whoever_holds_a_token_can_revoke_it(db):
    user = make_user("translator", f"bye-{uuid.uuid4().hex[:6]}")
    token = _token(user.username)
    revoked = APIClient(HTTP_AUTHORIZATION=f"Token {token}", REMOTE_ADDR="10.4.4.4").delete("/api/v1/auth/token/")
    assert revoked.status_code == 204
    assert _works(token) == 401
    event = AccountEvent.objects.get(action="account.token.revoked", subject=user)  # in the audit log
    assert (event.actor, event.address) == (user, "10.4.4.4")
    assert APIClient().delete("/api/v1/auth/token/").status_code == 401  # nothing to revoke without one


def test_signing_in_again_with_the_expired_token_still_in_the_header_works(db):
    user = make_user("translator", f"hdr-{uuid.uuid4().hex[:6]}")
    token = _token(user.username)
    Token.objects.filter(key=token).update(created=timezone.now() - timedelta(days=400))
    response = APIClient(HTTP_AUTHORIZATION=f"Token {token}").post(
        "/api/v1/auth/token/", {"username": user.username, "password": PASSWORD}, format="json")
    assert response.status_code == 200 and response.json()["token"] != token
