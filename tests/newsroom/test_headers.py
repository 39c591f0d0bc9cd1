"""Security headers on one response of each kind: public page, sign-in page, desk page, API, token endpoint."""

import pytest
from django.test import Client

from editorial.models import State
from tests.conftest import PASSWORD, client_for

pytestmark = pytest.mark.django_db

EVERYWHERE = {"Cross-Origin-Resource-Policy": "same-origin", "X-Content-Type-Options": "nosniff",
              "Referrer-Policy": "same-origin"}


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def _common(response, *, csp=True):
    for name, value in EVERYWHERE.items():
        assert response[name] == value, name
    policy = response["Permissions-Policy"]
    assert "camera=()" in policy and "geolocation=()" in policy and "microphone=()" in policy
    assert ("Content-Security-Policy" in response) == csp


def test_public_pages_are_cacheable_and_still_guarded(make_article):
    article = make_article(State.PUBLISHED)
    for url in ("/", f"/articles/{article.slug}/", "/feed/"):
        response = Client().get(url)
        assert response.status_code == 200, url
        _common(response)
        assert not _no_store(response), url


def test_what_a_signed_in_person_gets_is_never_stored(translator, make_article):
    article = make_article(State.TRANSLATION)
    desk = Client()
    desk.force_login(translator)
    for url in ("/desk/", f"/desk/articles/{article.pk}/", "/"):
        response = desk.get(url)
        assert response.status_code == 200, url
        _common(response)
        assert _no_store(response), url
    sign_in = Client().get("/login/")
    _common(sign_in)


def test_api_answers_and_the_token_endpoint_are_never_stored(translator):
    token = Client().post("/api/v1/auth/token/", {"username": translator.username, "password": PASSWORD},
                          content_type="application/json", REMOTE_ADDR="10.77.0.1")
    assert token.status_code == 200 and _no_store(token)
    refused = Client().post("/api/v1/auth/token/", {"username": translator.username, "password": "wrong"},
                            content_type="application/json", REMOTE_ADDR="10.77.0.2")
    assert refused.status_code in (400, 401) and _no_store(refused)
    articles = client_for(translator).get("/api/v1/articles/")
    assert articles.status_code == 200 and _no_store(articles)
    _common(articles)
    published = Client().get("/api/v1/published/")
    assert published.status_code == 200 and not _no_store(published)
