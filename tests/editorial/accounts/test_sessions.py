"""/account/: your sessions (browser, address, last seen) and API token, each of which you can end; ending a
session from the list ends it everywhere."""

import uuid
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from editorial.accounts import sessions
from editorial.models import AccountEvent, UserSession
from tests.conftest import PASSWORD, client_for

pytestmark = pytest.mark.django_db

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Version/17.5 Mobile/15E148 Safari/604.1")


def _signed_in(username: str, agent: str, address: str | None = None) -> Client:
    client = Client(REMOTE_ADDR=address or f"10.1.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}",
                    HTTP_USER_AGENT=agent)
    assert client.post("/login/", {"username": username, "password": PASSWORD}).status_code == 302
    return client


def test_the_account_page_lists_the_sessions_and_the_token(translator):
    laptop = _signed_in("sami", FIREFOX, "10.1.2.3")
    _signed_in("sami", IPHONE, "10.4.5.6")
    Token.objects.create(user=translator)
    page = laptop.get("/account/").content.decode()
    assert "Firefox on Linux" in page and "Safari on iOS" in page and "10.1.2.3" in page and "10.4.5.6" in page
    assert "(this one)" in page and "You have an API token" in page
    assert 'href="/account/"' in laptop.get("/desk/").content.decode()  # the top bar leads there


def test_last_seen_is_noted_at_most_once_a_minute(translator):
    client = _signed_in("sami", FIREFOX)
    row = UserSession.objects.get(user=translator)
    first = row.last_seen
    assert first is not None
    client.get("/desk/")
    row.refresh_from_db()
    assert row.last_seen == first
    session = client.session
    session["_account_seen"] = (timezone.now() - timedelta(minutes=2)).timestamp()
    session.save()
    client.get("/desk/")
    row.refresh_from_db()
    assert row.last_seen > first


def test_ending_a_session_from_the_list_ends_it_everywhere(translator, other_translator):
    laptop = _signed_in("sami", FIREFOX)
    phone = _signed_in("sami", IPHONE)
    rana = _signed_in("rana", FIREFOX)
    phone_row = UserSession.objects.get(user=translator, user_agent=IPHONE)
    # Nobody ends a session that is not theirs.
    assert rana.post(f"/account/sessions/{phone_row.pk}/end/").status_code == 404
    assert phone.get("/desk/").status_code == 200
    ended = laptop.post(f"/account/sessions/{phone_row.pk}/end/", follow=True)
    assert b"has ended" in ended.content
    assert phone.get("/desk/").status_code == 302
    assert not Session.objects.filter(session_key=phone_row.session_key).exists()
    assert not UserSession.objects.filter(pk=phone_row.pk).exists()
    assert laptop.get("/desk/").status_code == 200 and rana.get("/desk/").status_code == 200
    assert AccountEvent.objects.filter(action="account.session.ended", subject=translator).exists()


def test_ending_all_others_keeps_this_one_and_ending_this_one_signs_out(translator):
    here = _signed_in("sami", FIREFOX)
    others = [_signed_in("sami", IPHONE) for _ in range(2)]
    here.post("/account/sessions/end-others/")
    assert [c.get("/desk/").status_code for c in others] == [302, 302]
    assert here.get("/desk/").status_code == 200
    [mine] = UserSession.objects.filter(user=translator)
    assert here.post(f"/account/sessions/{mine.pk}/end/")["Location"] == "/login/"
    assert here.get("/desk/").status_code == 302


def test_deleting_the_token_refuses_what_uses_it(translator):
    here = _signed_in("sami", FIREFOX)
    script = client_for(translator)
    assert script.get("/api/v1/articles/").status_code == 200
    here.post("/account/token/end/")
    assert script.get("/api/v1/articles/").status_code == 401
    assert "You have no API token" in here.get("/account/").content.decode()
    assert AccountEvent.objects.filter(action="account.token.revoked", subject=translator).exists()


@pytest.mark.parametrize("agent, described", [
    (FIREFOX, "Firefox on Linux"), (IPHONE, "Safari on iOS"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36 "
     "Edg/126.0", "Edge on Windows"),
    ("Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36",
     "Chrome on Android"),
    ("", "Unknown browser"),
])
def test_a_browser_is_named_from_its_user_agent(agent, described):
    assert sessions.browser(agent) == described
