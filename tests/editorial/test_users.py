"""Roles as groups, `manage.py adduser`, and admins managing users through the API."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from editorial import roles
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_adduser_creates_and_then_updates(capsys):
    call_command("adduser", "nour", "--role", "translator", "--password", "Quiet-river-42")
    user = get_user_model().objects.get(username="nour")
    assert roles.role_of(user) == "translator" and user.check_password("Quiet-river-42") and not user.is_staff
    call_command("adduser", "nour", "--role", "admin", "--password", "Other-river-43")
    user.refresh_from_db()
    assert roles.role_of(user) == "admin" and user.check_password("Other-river-43") and user.is_staff
    assert list(user.groups.values_list("name", flat=True)) == ["admin"]


def test_adduser_takes_the_password_from_the_environment(monkeypatch):
    monkeypatch.setenv("NEWSROOM_PASSWORD", "Env-given-pass-7")
    call_command("adduser", "hadi", "--role", "editor")
    assert get_user_model().objects.get(username="hadi").check_password("Env-given-pass-7")


def test_adduser_refuses_weak_passwords_and_unknown_roles():
    with pytest.raises(CommandError, match="Password refused"):
        call_command("adduser", "weak", "--role", "editor", "--password", "123")
    with pytest.raises(CommandError):
        call_command("adduser", "x", "--role", "boss", "--password", "Fine-pass-123")


def test_admin_creates_a_translator_who_can_then_sign_in(api, admin_user):
    response = api(admin_user).post("/api/v1/users/", {
        "username": "nadia", "password": "Long-enough-pass-1", "email": "n@example.org", "role": "translator",
    }, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["role"] == "translator"
    login = api().post("/api/v1/auth/token/", {"username": "nadia", "password": "Long-enough-pass-1"}, format="json")
    assert login.status_code == 200
    assert login.json()["user"]["role"] == "translator"


def test_admin_changes_role_and_deactivates(api, admin_user, translator):
    client = api(admin_user)
    response = client.patch(f"/api/v1/users/{translator.pk}/", {"role": "editor"}, format="json")
    assert (response.status_code, response.json()["role"]) == (200, "editor")
    response = client.patch(f"/api/v1/users/{translator.pk}/", {"is_active": False}, format="json")
    assert (response.status_code, response.json()["is_active"]) == (200, False)
    # A deactivated user's token stops working and they cannot sign in again.
    assert api(translator).get("/api/v1/articles/").status_code == 401
    login = api().post("/api/v1/auth/token/", {"username": translator.username, "password": PASSWORD}, format="json")
    assert login.status_code == 401


def test_admin_cannot_lock_themselves_out(api, admin_user):
    response = api(admin_user).patch(f"/api/v1/users/{admin_user.pk}/", {"is_active": False}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "self_demotion"


def test_users_list_shows_roles(api, admin_user, translator, editor):
    body = api(admin_user).get("/api/v1/users/").json()
    assert {(u["username"], u["role"]) for u in body["results"]} >= {("sami", "translator"), ("layla", "editor")}


def test_duplicate_username_and_weak_password_are_400(api, admin_user, translator):
    client = api(admin_user)
    response = client.post("/api/v1/users/", {"username": "sami", "password": "Long-enough-pass-1",
                                              "role": "translator"}, format="json")
    assert response.status_code == 400 and "username" in response.json()["error"]["details"]
    response = client.post("/api/v1/users/", {"username": "newbie", "password": "password", "role": "editor"},
                           format="json")
    assert response.status_code == 400 and "password" in response.json()["error"]["details"]


def test_a_username_taken_in_the_meantime_is_a_clear_conflict(db):
    from editorial import roles
    from editorial.errors import Refused

    roles.add_member("nadia", "n@example.org", "Long-enough-pass-1", "translator")
    # The forms check first; two admins at the same instant meet the database's constraint instead.
    with pytest.raises(Refused) as refused:
        roles.add_member("nadia", "other@example.org", "Long-enough-pass-2", "editor")
    assert (refused.value.status, refused.value.code) == (409, "username_taken")
    assert roles.role_of(get_user_model().objects.get(username="nadia")) == "translator"


def test_each_ability_is_one_rule_for_the_api_and_the_desk(api, admin_user, editor, translator):
    """roles.may decides; the API's Needs() answers 403 with the role's words, the desk's @needs 404."""
    from django.test import Client

    from editorial import roles

    places = {"manage_team": ("/api/v1/users/", "/desk/team/"),
              "view_reports": ("/api/v1/reports/post-editing/", "/desk/reports/")}
    for ability, (api_url, desk_url) in places.items():
        for user in (admin_user, editor, translator):
            allowed = roles.may(user, ability)
            response = api(user).get(api_url)
            assert response.status_code == (200 if allowed else 403), (ability, user.username)
            if not allowed:
                assert response.json()["error"]["message"] == roles.REFUSALS[ability]
            desk = Client()
            desk.force_login(user)
            assert desk.get(desk_url).status_code == (200 if allowed else 404), (ability, user.username)
    assert not roles.may(None, "manage_team")
    assert [roles.may(u, "manage_team") for u in (admin_user, editor, translator)] == [True, False, False]


def _django_backend_permissions(user) -> set[str]:
    """What Django's own model backend says the user holds (read anew)."""
    from django.contrib.auth.backends import ModelBackend

    return ModelBackend().get_all_permissions(get_user_model().objects.get(pk=user.pk))


def test_a_users_groups_and_permissions_are_read_in_one_query_as_djangos_backend_reads_them(
        django_assert_num_queries):
    """The role and the permissions a page asks for come from one query (roles.read_grants), and say what
    Django's model backend says, for each role, a permission given to the user alone, a superuser and a user
    who may not sign in."""
    from django.contrib.auth.models import Permission

    from tests.conftest import make_user

    people = {role: make_user(role) for role in roles.ROLES}
    people["direct"] = make_user(roles.TRANSLATOR, "direct")
    people["direct"].user_permissions.add(Permission.objects.get(codename="view_reports"))
    people["nobody"] = make_user(None, "nobody")
    people["root"] = get_user_model().objects.create_superuser("root", "root@example.org", "Root-pass-12345")
    people["gone"] = make_user(roles.EDITOR, "gone")
    roles.set_active(people["gone"], False)
    for name, person in people.items():
        user = get_user_model().objects.get(pk=person.pk)
        expected_role = {"direct": roles.TRANSLATOR, "root": roles.ADMIN, "gone": roles.EDITOR}.get(
            name, name if name in roles.ROLES else None)
        with django_assert_num_queries(2 if name == "root" else 1):  # a superuser: Django reads every permission
            role, held = roles.role_of(user), user.get_all_permissions()
            abilities = roles.may(user, "view_reports"), roles.may(user, "manage_team")
            again = roles.role_of(user)  # the page's menu asks again
        assert role == again == expected_role, name
        assert held == _django_backend_permissions(user), name
        assert abilities == (name in ("direct", roles.EDITOR, roles.ADMIN, "root"), name in (roles.ADMIN, "root")), name


def test_a_role_changed_in_the_request_is_read_again():
    from tests.conftest import make_user

    user = make_user(roles.TRANSLATOR, "moving")
    assert roles.role_of(user) == roles.TRANSLATOR and not roles.may(user, "publish_article")
    roles.set_role(user, roles.EDITOR)
    assert roles.role_of(user) == roles.EDITOR and roles.may(user, "publish_article")


def test_a_session_signed_in_through_djangos_own_backend_stays_signed_in(client):
    """Sessions name the backend they signed in with; those from before the grants were read in one query name
    Django's model backend, which stays listed."""
    from tests.conftest import make_user

    user = make_user(roles.EDITOR, "before")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get("/desk/articles/")
    assert page.status_code == 200 and "before (editor)" in page.content.decode()


def test_a_wrong_password_is_checked_once_whatever_the_number_of_backends(monkeypatch):
    from django.contrib.auth import authenticate
    from django.contrib.auth.backends import ModelBackend

    from tests.conftest import make_user

    make_user(roles.TRANSLATOR, "checked")
    checks = []
    django_check = ModelBackend.authenticate

    def counted(self, request, username=None, password=None, **kwargs):
        checks.append(username)
        return django_check(self, request, username, password, **kwargs)

    monkeypatch.setattr(ModelBackend, "authenticate", counted)
    assert authenticate(None, username="checked", password=PASSWORD) is not None
    assert authenticate(None, username="checked", password="not-the-password") is None
    assert authenticate(None, username="nobody-by-that-name", password="anything") is None
    assert checks == ["checked", "checked", "nobody-by-that-name"]
