"""Two-factor sign-in with TOTP (codes computed here with pyotp from the key the page shows), ten single-use
recovery codes, mandatory per role (REQUIRE_2FA_FOR), the API's token endpoint asking for the code, the lockout
counting wrong codes, and an admin's reset."""

import re
import time
import uuid

import pyotp
import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from editorial import signin
from editorial.models import AccountEvent
from tests.conftest import PASSWORD, client_for, make_user

pytestmark = pytest.mark.django_db


def _address() -> str:
    return f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"


def _password_step(username: str, client: Client | None = None, next_url: str = "") -> tuple[Client, object]:
    client = client or Client(REMOTE_ADDR=_address())
    data = {"username": username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client, client.post("/login/", data)


def _turn_on(client: Client) -> tuple[pyotp.TOTP, list[str]]:
    """Through the set-up page as a person would: read the key it shows, type the app's code, keep the codes."""
    page = client.get("/account/two-factor/").content.decode()
    assert "<svg" in page and "QR code to scan with your authenticator app" in page
    key = re.search(r'<code id="otp-secret">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")
    app = pyotp.TOTP(key)
    # The code of the step before (still accepted): the tests' sign-ins then use the current one, which is later.
    done = client.post("/account/two-factor/", {"code": app.at(time.time() - app.interval)})
    assert done.status_code == 200, done.content.decode()[:2000]
    codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", done.content.decode())
    assert len(codes) == 10 and len(set(codes)) == 10
    return app, codes


def _signed_in_editor(editor) -> Client:
    client, answer = _password_step("layla")
    assert answer.status_code == 302 and answer["Location"] == "/desk/"
    return client


def test_set_up_then_sign_in_with_a_code(editor):
    client = _signed_in_editor(editor)
    wrong_setup = client.post("/account/two-factor/", {"code": "000000"})
    assert wrong_setup.status_code == 400 and b"That code is not right" in wrong_setup.content
    app, _ = _turn_on(client)
    assert TOTPDevice.objects.get(user=editor).confirmed
    assert client.get("/desk/").status_code == 200  # the session that turned it on stays
    assert b"<strong>On.</strong>" in client.get("/account/two-factor/").content
    # Signing in now takes the password, then the code.
    fresh, answer = _password_step("layla", next_url="/desk/articles/")
    assert answer["Location"] == "/login/code/"
    assert fresh.get("/desk/").status_code == 302  # not signed in between the two steps
    wrong = fresh.post("/login/code/", {"code": "123456"})
    assert wrong.status_code == 400 and b"That code is not right" in wrong.content
    right = fresh.post("/login/code/", {"code": app.now()})
    assert right.status_code == 302 and right["Location"] == "/desk/articles/"
    assert fresh.get("/desk/").status_code == 200
    actions = list(AccountEvent.objects.filter(subject=editor).values_list("action", flat=True))
    assert "account.2fa.enabled" in actions and "account.2fa.failed" in actions and "account.signin" in actions


def test_a_code_is_accepted_once(editor):
    app, _ = _turn_on(_signed_in_editor(editor))
    code = app.now()
    first, _ = _password_step("layla")
    assert first.post("/login/code/", {"code": code}).status_code == 302
    second, _ = _password_step("layla")
    reused = second.post("/login/code/", {"code": code})
    assert reused.status_code == 400 and second.get("/desk/").status_code == 302


def test_a_recovery_code_signs_in_once(editor):
    _, codes = _turn_on(_signed_in_editor(editor))
    first, _ = _password_step("layla")
    assert first.post("/login/code/", {"code": codes[0]}).status_code == 302
    assert first.get("/desk/").status_code == 200
    again, _ = _password_step("layla")
    assert again.post("/login/code/", {"code": codes[0]}).status_code == 400
    assert AccountEvent.objects.get(action="account.2fa.recovery_used", subject=editor).details == {"left": 9}
    assert b"Recovery codes left: 9" in first.get("/account/two-factor/").content


def test_turning_it_on_ends_the_other_sessions_and_the_token(editor):
    elsewhere = _signed_in_editor(editor)
    token = Token.objects.create(user=editor)
    _turn_on(_signed_in_editor(editor))
    assert elsewhere.get("/desk/").status_code == 302
    assert not Token.objects.filter(pk=token.pk).exists()


def test_wrong_codes_count_in_the_lockout(editor):
    app, _ = _turn_on(_signed_in_editor(editor))
    address = _address()
    client, _ = _password_step("layla", Client(REMOTE_ADDR=address))  # the first attempt
    for _ in range(signin.LOGIN_FAILURE_LIMIT - 1):  # and the rest, each a wrong code
        assert client.post("/login/code/", {"code": "000000"}).status_code == 400
    locked = client.post("/login/code/", {"code": app.now()})  # right, but one attempt too many
    assert locked.status_code == 429 and b"Too many failed sign-ins" in locked.content
    assert client.get("/desk/").status_code == 302
    assert AccountEvent.objects.filter(action="account.signin.locked", subject=editor).exists()
    api = APIClient(REMOTE_ADDR=address).post("/api/v1/auth/token/", {
        "username": "layla", "password": PASSWORD, "otp": app.now()}, format="json")
    assert api.status_code == 429 and api.json()["error"]["code"] == "locked_out"


def test_mandatory_two_factor_sends_an_editor_to_set_it_up_before_the_desk(editor, translator, settings):
    settings.REQUIRE_2FA_FOR = ["admin", "editor"]
    client, answer = _password_step("layla")
    assert answer["Location"] == "/desk/"
    for path in ("/desk/", "/desk/articles/", "/admin/"):
        sent = client.get(path)
        assert sent.status_code == 302 and sent["Location"].startswith("/account/two-factor/?next="), path
    by_session = client.get("/api/v1/articles/")
    assert by_session.status_code == 403 and by_session.json()["error"]["code"] == "otp_setup_required"
    assert client_for(editor).get("/api/v1/articles/").status_code == 200  # a token is not a session
    page = client.get("/account/two-factor/").content.decode()
    assert "Your role must sign in with a second factor" in page
    _turn_on(client)
    assert client.get("/desk/").status_code == 200
    # Required by the role, it cannot be turned off by the editor.
    client.post("/account/two-factor/off/")
    assert TOTPDevice.objects.filter(user=editor, confirmed=True).exists()
    # A translator is not asked.
    sami, _ = _password_step("sami")
    assert sami.get("/desk/").status_code == 200


def test_the_api_token_endpoint_asks_for_the_code(editor, translator, settings):
    plain = APIClient(REMOTE_ADDR=_address()).post("/api/v1/auth/token/", {"username": "sami", "password": PASSWORD},
                                                   format="json")
    assert plain.status_code == 200 and set(plain.json()) == {"token", "user", "expires_at"}
    app, codes = _turn_on(_signed_in_editor(editor))
    client = APIClient(REMOTE_ADDR=_address())
    missing = client.post("/api/v1/auth/token/", {"username": "layla", "password": PASSWORD}, format="json")
    assert missing.status_code == 401 and missing.json()["error"]["code"] == "otp_required"
    wrong = client.post("/api/v1/auth/token/", {"username": "layla", "password": PASSWORD, "otp": "000000"},
                        format="json")
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "otp_invalid"
    good = client.post("/api/v1/auth/token/", {"username": "layla", "password": PASSWORD, "otp": app.now()},
                       format="json")
    assert good.status_code == 200 and good.json()["user"]["username"] == "layla"
    assert client.post("/api/v1/auth/token/", {"username": "layla", "password": PASSWORD, "otp": codes[1]},
                       format="json").status_code == 200
    assert AccountEvent.objects.filter(action="account.signin", subject=editor, details__via="api").exists()
    # A role that must have a second factor but has none: refused only when REQUIRE_2FA_FOR_API says so.
    settings.REQUIRE_2FA_FOR = ["admin", "editor"]
    other = make_user("editor", "hadi")
    assert client.post("/api/v1/auth/token/", {"username": "hadi", "password": PASSWORD},
                       format="json").status_code == 200
    settings.REQUIRE_2FA_FOR_API = True
    refused = client.post("/api/v1/auth/token/", {"username": "hadi", "password": PASSWORD}, format="json")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "otp_setup_required"
    assert client.post("/api/v1/auth/token/", {"username": "sami", "password": PASSWORD},
                       format="json").status_code == 200
    assert other.pk


def test_an_admin_resets_a_colleagues_second_factor_and_it_is_logged(editor, admin_user, api):
    editor_client = _signed_in_editor(editor)
    _turn_on(editor_client)
    admin = Client()
    admin.force_login(admin_user)
    team = admin.get("/desk/team/").content.decode()
    assert f'action="/desk/team/{editor.pk}/two-factor/reset/"' in team
    admin.post(f"/desk/team/{editor.pk}/two-factor/reset/")
    assert not TOTPDevice.objects.filter(user=editor).exists()
    assert editor_client.get("/desk/").status_code == 302  # their sessions ended
    event = AccountEvent.objects.get(action="account.2fa.reset", subject=editor)
    assert event.actor == admin_user
    _, answer = _password_step("layla")
    assert answer["Location"] == "/desk/"  # the password alone again
    _turn_on(_signed_in_editor(editor))
    assert api(admin_user).delete(f"/api/v1/users/{editor.pk}/two-factor/").status_code == 204
    assert AccountEvent.objects.filter(action="account.2fa.reset", subject=editor).count() == 2
    assert api(editor).delete(f"/api/v1/users/{admin_user.pk}/two-factor/").status_code == 403


def test_anyone_may_turn_it_off_when_the_role_does_not_require_it(translator):
    client, _ = _password_step("sami")
    _turn_on(client)
    client.post("/account/two-factor/off/")
    assert not TOTPDevice.objects.filter(user=translator).exists()
    assert AccountEvent.objects.filter(action="account.2fa.disabled", subject=translator).exists()
