"""The sign-in lockout has no way around it: not the admin site, not another spelling of the name, not attempts
sent in parallel; and an office behind one address can still sign in at 9:00."""

import threading
import uuid

import pytest
from django.contrib.auth.signals import user_login_failed
from django.test import Client
from rest_framework.test import APIClient

from editorial import signin
from tests.conftest import PASSWORD, make_user


def _address() -> str:
    return f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"


def test_the_admin_sign_in_page_sends_people_to_the_desks(db):
    client = Client()
    response = client.get("/admin/login/?next=/admin/editorial/article/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=%2Fadmin%2Feditorial%2Farticle%2F"
    # Credentials posted to the admin's page are never checked there: no session, no unlimited guessing.
    admin = make_user("admin", f"chief-{uuid.uuid4().hex[:6]}")
    posted = client.post("/admin/login/", {"username": admin.username, "password": PASSWORD})
    assert posted.status_code == 302 and posted["Location"] == "/login/"
    assert client.get("/admin/").status_code == 302  # still signed out
    # Signed in through the desk's page, the admin site opens.
    assert client.post("/login/?next=/admin/", {"username": admin.username, "password": PASSWORD,
                                                 "next": "/admin/"})["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_lockout_on_the_desk_also_closes_the_admin_site(db):
    admin = make_user("admin", f"chief-{uuid.uuid4().hex[:6]}")
    client = Client(REMOTE_ADDR=_address())
    for _ in range(signin.LOGIN_FAILURE_LIMIT):
        client.post("/login/", {"username": admin.username, "password": "wrong"})
    assert client.post("/login/?next=/admin/", {"username": admin.username, "password": PASSWORD}).status_code == 429
    assert client.get("/admin/").status_code == 302


def test_every_spelling_of_a_name_counts_for_the_same_lockout(db):
    """Django reads 'ｏmar' and '𝐨mar' as 'omar' (NFKC): they are the same guesses."""
    suffix = "".join(c for c in uuid.uuid4().hex if c.isalpha())[:5]
    user = make_user("translator", f"omar{suffix}")
    address = _address()
    for spelling in (f"ｏmar{suffix}", f"𝐨mar{suffix}", f"OMAR{suffix.upper()}", f" Omar{suffix} ", f"omar{suffix}"):
        response = Client(REMOTE_ADDR=address).post("/login/", {"username": spelling, "password": "wrong"})
        assert response.status_code == 200
    locked = APIClient(REMOTE_ADDR=address).post("/api/v1/auth/token/", {"username": user.username,
                                                                         "password": PASSWORD}, format="json")
    assert locked.status_code == 429 and locked.json()["error"]["code"] == "locked_out"
    assert signin.canonical_username("ｏmar") == signin.canonical_username("𝐨mar") == "omar"


def test_one_address_guessing_many_names_is_stopped(db):
    address = _address()
    for n in range(signin.ADDRESS_FAILURE_LIMIT):
        Client(REMOTE_ADDR=address).post("/login/", {"username": f"nobody{n}", "password": "wrong"})
    user = make_user("translator", f"real-{uuid.uuid4().hex[:6]}")
    refused = Client(REMOTE_ADDR=address).post("/login/", {"username": user.username, "password": PASSWORD})
    assert refused.status_code == 429
    # Other addresses are not affected.
    assert Client(REMOTE_ADDR=_address()).post("/login/", {"username": user.username,
                                                            "password": PASSWORD}).status_code == 302


@pytest.mark.django_db(transaction=True)
def test_attempts_sent_in_parallel_do_not_get_past_the_limit():
    user = make_user("translator", f"rush-{uuid.uuid4().hex[:6]}")
    address, checked = _address(), []
    barrier = threading.Barrier(20)

    def counted(sender, credentials, request=None, **kwargs):
        if credentials.get("username") == user.username:
            checked.append(1)

    def guess():
        client = APIClient(REMOTE_ADDR=address)
        barrier.wait(timeout=30)
        client.post("/api/v1/auth/token/", {"username": user.username, "password": "wrong"}, format="json")

    user_login_failed.connect(counted)
    try:
        threads = [threading.Thread(target=guess) for _ in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        user_login_failed.disconnect(counted)
    assert len(checked) == signin.LOGIN_FAILURE_LIMIT  # 20 sent at once, 5 passwords checked


def test_an_office_behind_one_address_signs_in_at_nine(db):
    """20 colleagues, one address, one minute: nobody throttled (the per-address limit is sized for an office)."""
    address = _address()
    people = [make_user("translator", f"office{n}-{uuid.uuid4().hex[:4]}") for n in range(20)]
    statuses = [APIClient(REMOTE_ADDR=address).post("/api/v1/auth/token/", {"username": p.username,
                                                                            "password": PASSWORD}, format="json")
                .status_code for p in people]
    statuses += [Client(REMOTE_ADDR=address).post("/login/", {"username": p.username, "password": PASSWORD})
                 .status_code for p in people]
    assert statuses == [200] * 20 + [302] * 20
