"""Who may do what, in which state, over the HTTP API: the permission matrix of API.md.

The expected answers come from the action table of API.md, written out below as
`CONTRACT`, never from the workflow module under test. Every role (the assigned
translator, another translator, an editor, an admin, an anonymous caller) tries
every action in every state; the status must be the one the contract gives, a
successful action must really move the article, a refusal must leave it alone,
and the `actions` the API offers a user must be exactly the actions that work
for that user (the UI shows only buttons that work).
"""

import random
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model

from editorial import drafting, roles, workflow
from editorial.models import Article, State
from tests.conftest import PASSWORD, fill_segments

pytestmark = pytest.mark.django_db

ANON = "anonymous"
ASSIGNEE = "assignee"  # the translator the article is (or will be) assigned to: `translator` (sami)
OTHER = "other_translator"  # a translator who is not the assignee: `other_translator` (rana)
EDITOR = "editor"
ADMIN = "admin"
WHO = [ASSIGNEE, OTHER, EDITOR, ADMIN, ANON]
ROLE_OF = {ASSIGNEE: roles.TRANSLATOR, OTHER: roles.TRANSLATOR, EDITOR: roles.EDITOR, ADMIN: roles.ADMIN}

STATES = [
    State.SOURCE, State.MACHINE_DRAFT, State.TRANSLATION, State.EDITING,
    State.SCHEDULED, State.PUBLISHED, State.ARCHIVED,
]
ALL_STATES = frozenset(STATES)
# make_article assigns the article to `translator` on its way to translation; the
# articles in source, machine_draft and archived (archived straight from source) have no assignee.
ASSIGNED_STATES = frozenset({State.TRANSLATION, State.EDITING, State.SCHEDULED, State.PUBLISHED})


@dataclass(frozen=True)
class Rule:
    """One row of the action table in API.md."""

    sources: frozenset
    target: str
    roles: frozenset
    assignee_only_for_translators: bool = False  # "the assignee, editor, admin"


EDITORS = frozenset({roles.EDITOR, roles.ADMIN})
CONTRACT = {
    "draft": Rule(frozenset({State.SOURCE}), State.MACHINE_DRAFT, EDITORS),
    "claim": Rule(frozenset({State.MACHINE_DRAFT}), State.TRANSLATION, EDITORS | {roles.TRANSLATOR}),
    "assign": Rule(frozenset({State.MACHINE_DRAFT, State.TRANSLATION}), State.TRANSLATION, EDITORS),
    "submit": Rule(
        frozenset({State.TRANSLATION}), State.EDITING, EDITORS | {roles.TRANSLATOR}, assignee_only_for_translators=True
    ),
    "request_changes": Rule(frozenset({State.EDITING}), State.TRANSLATION, EDITORS),
    "publish": Rule(frozenset({State.EDITING}), State.PUBLISHED, EDITORS),
    "unpublish": Rule(frozenset({State.PUBLISHED, State.SCHEDULED}), State.EDITING, EDITORS),
    # "any state but published -> archived": an archived article is already there (archived is the end of the
    # line in PRODUCT.md's pipeline), so archiving it again is not a transition.
    "archive": Rule(ALL_STATES - {State.PUBLISHED, State.ARCHIVED}, State.ARCHIVED, EDITORS),
    # Our extension (README): back to the state it was archived from; the matrix archives straight from source.
    "restore": Rule(frozenset({State.ARCHIVED}), State.SOURCE, EDITORS),
    # An extension of API.md's table (documented there): a correction takes a published article back to
    # editing while its published version stays on the site until it is published again.
    "correct": Rule(frozenset({State.PUBLISHED}), State.EDITING, EDITORS),
    # Our extension (README): the wire desk's "not for us", with its reason (restore brings it back).
    "decline": Rule(frozenset({State.SOURCE}), State.ARCHIVED, EDITORS),
    # Our extensions (README): a schedule changed or called off, with no reason needed.
    "reschedule": Rule(frozenset({State.SCHEDULED}), State.SCHEDULED, EDITORS),
    "cancel_schedule": Rule(frozenset({State.SCHEDULED}), State.EDITING, EDITORS),
}
ACTION_NAMES = list(CONTRACT)
UNKNOWN_ACTION = "teleport"

# What each action needs in its body so that only role, state and ownership decide the answer.
BODIES = {
    "assign": {"assignee": "rana"},
    "request_changes": {"comment": "Check the casualty figures."},
    "unpublish": {"comment": "Hold for legal review."},
    "decline": {"comment": "Not our beat."},
    "reschedule": {"publish_at": "2099-05-01T09:30:00Z"},
}


def expected_status(who: str, state: str, action: str) -> int:
    """The status API.md gives: 401 without credentials, then role (403), state (409), ownership (403)."""
    if who == ANON:
        return 401
    if action not in CONTRACT:
        return 404
    rule = CONTRACT[action]
    role = ROLE_OF[who]
    if role not in rule.roles:
        return 403
    if state not in rule.sources:
        return 409
    is_assignee = who == ASSIGNEE and state in ASSIGNED_STATES
    if rule.assignee_only_for_translators and role == roles.TRANSLATOR and not is_assignee:
        return 403
    return 202 if action == "draft" else 200


def expected_allowed(who: str, state: str) -> set[str]:
    return {action for action in ACTION_NAMES if expected_status(who, state, action) in (200, 202)}


# Who may read what (editorial/workflow.py, "Reading"), written out here rather than asked of the module:
# editors and admins everything; translators the pipeline from the machine draft on, colleagues' work included,
# but not sources an editor has not sent for drafting nor archived articles; anonymous callers nothing (401).
TRANSLATORS_READ = frozenset({State.MACHINE_DRAFT, State.TRANSLATION, State.EDITING, State.SCHEDULED,
                              State.PUBLISHED})


def may_read(who: str, state: str) -> bool:
    if who == ANON:
        return False
    return ROLE_OF[who] != roles.TRANSLATOR or state in TRANSLATORS_READ


def test_the_contract_table_itself():
    """A guard on the table above: a few rows of API.md spelled out by hand."""
    assert expected_allowed(ASSIGNEE, State.TRANSLATION) == {"submit"}
    assert expected_allowed(OTHER, State.TRANSLATION) == set()
    assert expected_allowed(OTHER, State.MACHINE_DRAFT) == {"claim"}
    assert expected_allowed(EDITOR, State.TRANSLATION) == {"assign", "submit", "archive"}
    assert expected_allowed(ADMIN, State.SOURCE) == {"draft", "decline", "archive"}
    assert expected_allowed(EDITOR, State.EDITING) == {"request_changes", "publish", "archive"}
    assert expected_allowed(EDITOR, State.SCHEDULED) == {"unpublish", "archive", "reschedule", "cancel_schedule"}
    assert expected_allowed(EDITOR, State.PUBLISHED) == {"unpublish", "correct"}
    assert expected_allowed(ADMIN, State.ARCHIVED) == {"restore"}
    assert expected_allowed(ASSIGNEE, State.ARCHIVED) == set()
    assert expected_status(OTHER, State.EDITING, "publish") == 403
    assert expected_status(EDITOR, State.SOURCE, "publish") == 409


# Fixtures ------------------------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Hashing passwords the production way is the slowest part of building users; tests need no strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def people(translator, other_translator, editor, admin_user):
    return {ASSIGNEE: translator, OTHER: other_translator, EDITOR: editor, ADMIN: admin_user, ANON: None}


@pytest.fixture
def article_in_state(make_article, translator):
    """An article in `state`, built through the real workflow; in translation every segment has text."""

    def build(state: str) -> Article:
        article = make_article(state)
        if state == State.TRANSLATION:
            fill_segments(article, translator)
        assert article.state == state
        return article

    return build


# Helpers -------------------------------------------------------------------------------------------------------------


def assert_error_shape(response, status: int) -> dict:
    assert response.status_code == status, (response.status_code, getattr(response, "data", response.content))
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert {"code", "message", "details"} <= set(error), error
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["details"], dict)
    return error


def random_ip() -> str:
    """A caller address of its own, so the login throttle never counts other tests' logins (Redis is shared)."""
    return "10." + ".".join(str(random.randint(1, 254)) for _ in range(3))


def article_url(article_id: int) -> str:
    return f"/api/v1/articles/{article_id}/"


def stored_state(article_id: int) -> str:
    return Article.objects.values_list("state", flat=True).get(pk=article_id)


def offered_actions(api, user, article_id: int) -> list[str]:
    response = api(user).get(article_url(article_id))
    assert response.status_code == 200, response.content
    return response.json()["actions"]


# The matrix ----------------------------------------------------------------------------------------------------------
#
# A refused action changes nothing, so all the refusals one user meets in one state are tried on one article
# (and every mismatch is listed); each action that should succeed gets an article of its own.

SUCCESSES = [
    (state, who, action)
    for state in STATES for who in WHO for action in ACTION_NAMES
    if expected_status(who, state, action) in (200, 202)
]


def refusals(who: str, state: str) -> list[str]:
    return [a for a in [*ACTION_NAMES, UNKNOWN_ACTION] if expected_status(who, state, a) not in (200, 202)]


def post_action(api, user, article_id: int, action: str):
    return api(user).post(f"{article_url(article_id)}actions/{action}/", BODIES.get(action, {}), format="json")


def footprint(article_id: int):
    """What a refused action must leave as it was."""
    return Article.objects.values_list("state", "assignee_id", "publish_at", "published_at", "slug").get(pk=article_id)


def refusal_problems(api, user, who, state, action, article, response) -> list[str]:
    """Why this refusal does not match the contract (an empty list when it does)."""
    expected = expected_status(who, state, action)
    if response.status_code != expected:
        return [f"{action}: expected {expected}, got {response.status_code} {response.content[:300]!r}"]
    problems = []
    try:
        error = assert_error_shape(response, expected)
    except AssertionError as exc:
        return [f"{action}: not the error shape: {exc}"]
    if expected == 409:
        allowed = error["details"].get("allowed")
        if not isinstance(allowed, list):
            problems.append(f"{action}: 409 without a details.allowed list: {error}")
        else:
            if len(allowed) != len(set(allowed)) or set(allowed) != expected_allowed(who, state):
                problems.append(f"{action}: details.allowed is {allowed}, the contract allows "
                                f"{sorted(expected_allowed(who, state))}")
            offered = offered_actions(api, user, article.pk) if may_read(who, state) else []
            if set(allowed) != set(offered):
                problems.append(f"{action}: details.allowed {allowed} differs from the actions offered {offered}")
    if expected == 404 and error["code"] != "unknown_action":
        problems.append(f"{action}: 404 with code {error['code']!r}, not 'unknown_action'")
    return problems


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("state", STATES)
def test_refused_actions_and_the_actions_offered(api, people, article_in_state, state, who):
    article = article_in_state(state)
    user = people[who]
    if user is None:
        assert_error_shape(api().get(article_url(article.pk)), 401)
        assert_error_shape(api().get("/api/v1/articles/"), 401)
    elif not may_read(who, state):
        # Not readable (the read matrix below): neither the detail nor the list shows it, so no buttons either.
        assert_error_shape(api(user).get(article_url(article.pk)), 403)
        assert article.pk not in [row["id"] for row in api(user).get("/api/v1/articles/").json()["results"]]
        assert expected_allowed(who, state) == set()
    else:
        # The buttons shown are exactly the actions that work for this user now.
        offered = offered_actions(api, user, article.pk)
        assert len(offered) == len(set(offered)), offered
        assert set(offered) == expected_allowed(who, state), (offered, sorted(expected_allowed(who, state)))
        listed = api(user).get("/api/v1/articles/")
        assert listed.status_code == 200
        [row] = [row for row in listed.json()["results"] if row["id"] == article.pk]
        assert set(row["actions"]) == set(offered), "the list offers other actions than the detail"

    problems = []
    for action in refusals(who, state):
        before = footprint(article.pk)
        response = post_action(api, user, article.pk, action)
        problems += refusal_problems(api, user, who, state, action, article, response)
        if footprint(article.pk) != before:
            problems.append(f"{action}: refused with {response.status_code} but the article changed: "
                            f"{before} -> {footprint(article.pk)}")
            article = article_in_state(state)  # go on from an untouched article
    assert not problems, f"{who} in {state}:\n" + "\n".join(problems)


@pytest.mark.parametrize("state, who, action", SUCCESSES)
def test_allowed_action_succeeds_and_moves_the_article(api, people, article_in_state, state, who, action):
    article = article_in_state(state)
    user = people[who]
    assert action in offered_actions(api, user, article.pk)

    response = post_action(api, user, article.pk, action)

    expected = expected_status(who, state, action)
    assert response.status_code == expected, (
        f"{who} {action} in {state}: expected {expected}, got {response.status_code} {response.content!r}"
    )
    check_transition(api, user, article, action, response)


def check_transition(api, user, article, action, response):
    rule = CONTRACT[action]
    if action == "draft":
        # 202 {"job", "article"}: the state moves when the job has drafted the segments.
        body = response.json()
        assert set(body) >= {"job", "article"}, body
        assert body["article"]["id"] == article.pk
        job = api(user).get(f"/api/v1/jobs/{body['job']['id']}/")
        assert job.status_code == 200 and job.json()["article"] == article.pk
        assert job.json()["state"] in ("queued", "running", "succeeded")
        drafting.run_draft(body["job"]["id"])  # what the worker does
    else:
        assert response.json()["id"] == article.pk
        assert response.json()["state"] == rule.target, response.json()

    after = api(user).get(article_url(article.pk))
    assert after.status_code == 200
    after = after.json()
    assert after["state"] == rule.target, f"{action} answered {response.status_code} but the state is {after['state']}"
    assert stored_state(article.pk) == rule.target
    if action == "claim":
        assert after["assignee"] == user.username
    if action == "assign":
        assert after["assignee"] == BODIES["assign"]["assignee"]
    if action == "publish":
        assert after["published_at"] and after["public_url"]
    if action in ("unpublish", "archive"):
        assert after["public_url"] is None
    if action == "correct":
        assert after["public_url"], "a correction in progress stays on the public site"
    if action == "reschedule":
        assert after["publish_at"].startswith("2099-05-01T09:30:00")
    if action == "cancel_schedule":
        assert after["publish_at"] is None and after["public_url"] is None


def _parametrized(test) -> dict:
    return {mark.args[0]: list(mark.args[1]) for mark in test.pytestmark if mark.name == "parametrize"}


def test_the_matrix_covers_every_case():
    """The matrix tests really run every role in every state, and every success the contract allows: a narrowed
    parametrisation (a state or a role left out while debugging) fails here."""
    assert _parametrized(test_refused_actions_and_the_actions_offered) == {"who": WHO, "state": STATES}
    assert _parametrized(test_segment_edit_matrix) == {"who": WHO, "state": STATES}
    assert _parametrized(test_allowed_action_succeeds_and_moves_the_article) == {"state, who, action": SUCCESSES}
    assert set(WHO) == {ASSIGNEE, OTHER, EDITOR, ADMIN, ANON} and set(STATES) == set(State)
    assert set(ACTION_NAMES) == set(workflow.ACTIONS)  # every action the code has is in the contract table
    # Every success is one the table allows, and the table allows 41 (counted by hand from API.md's rows: 33;
    # and restore, reschedule, cancel_schedule and decline by an editor or an admin).
    assert all(expected_status(who, state, action) in (200, 202) for state, who, action in SUCCESSES)
    assert len(SUCCESSES) == 41


def test_submit_with_an_empty_segment_is_refused_by_state_not_role(api, translator, make_article):
    """`submit`: 409 while any segment has no text, and nothing moves."""
    article = make_article(State.TRANSLATION)
    response = api(translator).post(f"{article_url(article.pk)}actions/submit/", {}, format="json")
    assert_error_shape(response, 409)
    assert stored_state(article.pk) == State.TRANSLATION


@pytest.mark.parametrize("action", ["request_changes", "unpublish"])
def test_comment_is_required(api, editor, article_in_state, action):
    state = State.EDITING if action == "request_changes" else State.PUBLISHED
    article = article_in_state(state)
    for body in ({}, {"comment": ""}, {"comment": "   "}):
        response = api(editor).post(f"{article_url(article.pk)}actions/{action}/", body, format="json")
        error = assert_error_shape(response, 400)
        assert "comment" in error["details"], error
        assert stored_state(article.pk) == state


def test_assignee_is_required(api, editor, article_in_state):
    article = article_in_state(State.MACHINE_DRAFT)
    response = api(editor).post(f"{article_url(article.pk)}actions/assign/", {}, format="json")
    error = assert_error_shape(response, 400)
    assert "assignee" in error["details"], error
    assert stored_state(article.pk) == State.MACHINE_DRAFT


# Segment edits -------------------------------------------------------------------------------------------------------


def expected_segment_status(who: str, state: str) -> int:
    """API.md, Segments: 403 when the caller may not edit now (translators: only their own article in
    translation; editors and admins: in translation and editing)."""
    if who == ANON:
        return 401
    if ROLE_OF[who] == roles.TRANSLATOR:
        is_assignee = who == ASSIGNEE and state in ASSIGNED_STATES
        return 200 if is_assignee and state == State.TRANSLATION else 403
    return 200 if state in (State.TRANSLATION, State.EDITING) else 403


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("state", STATES)
def test_segment_edit_matrix(api, people, make_article, state, who):
    article = make_article(state)
    segment = article.document.segments.get(position=1)
    before = (segment.text, segment.version)
    expected = expected_segment_status(who, state)

    response = api(people[who]).patch(
        f"{article_url(article.pk)}segments/{segment.pk}/",
        {"text": "Life returned to normal in Jasim.", "version": segment.version}, format="json",
    )

    assert response.status_code == expected, (
        f"{who} editing a segment in {state}: expected {expected}, got {response.status_code} {response.content!r}"
    )
    segment.refresh_from_db()
    if expected == 200:
        assert response.json()["text"] == "Life returned to normal in Jasim."
        assert response.json()["version"] == before[1] + 1
        assert (segment.text, segment.version) == ("Life returned to normal in Jasim.", before[1] + 1)
        assert segment.changed_by == people[who]
    else:
        assert_error_shape(response, expected)
        assert (segment.text, segment.version) == before, "a refused edit changed the segment"


# Users ---------------------------------------------------------------------------------------------------------------


USER_CALLERS = {"translator": ASSIGNEE, "editor": EDITOR, "admin": ADMIN, "anonymous": ANON}


def user_status(caller: str, success: int) -> int:
    return {"translator": 403, "editor": 403, "admin": success, "anonymous": 401}[caller]


@pytest.mark.parametrize("caller", list(USER_CALLERS))
def test_list_users_is_admin_only(api, people, caller):
    response = api(people[USER_CALLERS[caller]]).get("/api/v1/users/")
    expected = user_status(caller, 200)
    if expected != 200:
        assert_error_shape(response, expected)
        return
    assert response.status_code == 200
    body = response.json()
    assert {"count", "next", "previous", "results"} <= set(body)
    by_name = {row["username"]: row["role"] for row in body["results"]}
    assert by_name == {"sami": "translator", "rana": "translator", "layla": "editor", "boss": "admin"}


@pytest.mark.parametrize("caller", list(USER_CALLERS))
def test_create_user_is_admin_only(api, people, caller):
    body = {"username": "nadia", "password": "Tr4nslate-all-day", "email": "nadia@example.org", "role": "editor"}
    response = api(people[USER_CALLERS[caller]]).post("/api/v1/users/", body, format="json")
    expected = user_status(caller, 201)
    User = get_user_model()
    if expected != 201:
        assert_error_shape(response, expected)
        assert not User.objects.filter(username="nadia").exists()
        return
    assert response.status_code == 201, response.content
    assert response.json()["username"] == "nadia" and response.json()["role"] == "editor"
    created = User.objects.get(username="nadia")
    assert roles.role_of(created) == "editor" and created.check_password("Tr4nslate-all-day")


@pytest.mark.parametrize("caller", list(USER_CALLERS))
def test_update_user_is_admin_only(api, people, caller):
    target = people[OTHER]
    response = api(people[USER_CALLERS[caller]]).patch(
        f"/api/v1/users/{target.pk}/", {"role": "editor", "is_active": False}, format="json"
    )
    expected = user_status(caller, 200)
    target = get_user_model().objects.get(pk=target.pk)
    if expected != 200:
        assert_error_shape(response, expected)
        assert roles.role_of(target) == "translator" and target.is_active
        return
    assert response.status_code == 200, response.content
    assert response.json()["role"] == "editor" and response.json()["is_active"] is False
    assert roles.role_of(target) == "editor" and not target.is_active


def test_a_deactivated_users_token_stops_working(api, admin_user, other_translator):
    client = api(other_translator)
    assert client.get("/api/v1/articles/").status_code == 200
    response = api(admin_user).patch(f"/api/v1/users/{other_translator.pk}/", {"is_active": False}, format="json")
    assert response.status_code == 200
    assert_error_shape(client.get("/api/v1/articles/"), 401)


def test_users_login_with_the_password_they_were_given(api, admin_user):
    body = {"username": "omar", "password": PASSWORD + "x", "role": "translator"}
    assert api(admin_user).post("/api/v1/users/", body, format="json").status_code == 201
    login = api().post("/api/v1/auth/token/", {"username": "omar", "password": PASSWORD + "x"}, format="json",
                       REMOTE_ADDR=random_ip())
    assert login.status_code == 200, login.content
    assert login.json()["user"]["role"] == "translator"
