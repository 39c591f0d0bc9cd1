"""Who may read what, in which state: the read matrix, as test_api_permissions is the action matrix.

The rule (editorial/workflow.py, "Reading"), written out here by hand rather than asked of the module:
editors and admins read every article; translators read the pipeline from the machine draft on, their
colleagues' work included, but neither the sources an editor has not sent for drafting nor archived articles;
a user with no role reads nothing. Every way of reading an article must agree: the API's detail, history,
revision, diff, XLIFF export, job and list; the desk's workspace, history, compare and job pages.
"""

import pytest
from django.test import Client

from editorial import roles
from editorial.models import Article, Job, State
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

STATES = [State.SOURCE, State.MACHINE_DRAFT, State.TRANSLATION, State.EDITING, State.SCHEDULED, State.PUBLISHED,
          State.ARCHIVED]
TRANSLATORS_READ = {State.MACHINE_DRAFT, State.TRANSLATION, State.EDITING, State.SCHEDULED, State.PUBLISHED}
# The assignee (sami, assigned from translation on), another translator, an editor, an admin, a user with no
# role, nobody signed in.
WHO = ["assignee", "other_translator", "editor", "admin", "no_role", "anonymous"]


def may_read(who: str, state: str) -> bool:
    if who in ("editor", "admin"):
        return True
    if who in ("assignee", "other_translator"):
        return state in TRANSLATORS_READ
    return False


def test_the_rule_itself():
    """A guard on the table above, in the words of the issue that asked for it."""
    assert not may_read("other_translator", State.SOURCE)  # sources not yet drafted
    assert may_read("other_translator", State.TRANSLATION)  # another translator's work, read only
    assert not may_read("assignee", State.ARCHIVED)  # archived articles
    assert may_read("editor", State.ARCHIVED) and may_read("admin", State.SOURCE)
    assert not any(may_read("no_role", state) for state in STATES)


@pytest.fixture
def people(translator, other_translator, editor, admin_user):
    return {"assignee": translator, "other_translator": other_translator, "editor": editor, "admin": admin_user,
            "no_role": make_user(None, "nobody"), "anonymous": None}


def _job(article: Article) -> Job:
    """The article's draft job; sources and archived articles never had one, so one is made for them."""
    job = article.jobs.order_by("pk").first()
    return job or Job.objects.create(article=article, kind=Job.Kind.DRAFT, state=Job.Status.FAILED,
                                     error="The engine refused the key.", total=3)


def _addresses(article: Article, job: Job) -> tuple[dict, dict]:
    revision = article.revisions.order_by("revision_id").first().revision_id
    base = f"/api/v1/articles/{article.pk}/"
    api = {"detail": base, "history": f"{base}history/", "revision": f"{base}history/{revision}/",
           "diff": f"{base}diff/?from={revision}", "xliff": f"{base}xliff/", "job": f"/api/v1/jobs/{job.pk}/"}
    desk = {"workspace": f"/desk/articles/{article.pk}/", "history": f"/desk/articles/{article.pk}/history/",
            "compare": f"/desk/articles/{article.pk}/compare/?from={revision}", "job": f"/desk/jobs/{job.pk}/"}
    return api, desk


@pytest.mark.parametrize("state", STATES)
def test_read_matrix(api, people, make_article, state):
    article = make_article(state)
    assert article.state == state
    api_addresses, desk_addresses = _addresses(article, _job(article))
    problems = []
    for who in WHO:
        user = people[who]
        readable = may_read(who, state)
        client = api(user)
        expected = 200 if readable else (401 if user is None else 403)
        for name, url in api_addresses.items():
            response = client.get(url, HTTP_ACCEPT="application/json, application/x-xliff+xml")
            if response.status_code != expected:
                problems.append(f"{who} API {name}: expected {expected}, got {response.status_code}")
            elif expected == 403 and response.json()["error"]["code"] != "forbidden":
                problems.append(f"{who} API {name}: 403 with {response.json()}")
        if user is not None:
            listed = [row["id"] for row in client.get("/api/v1/articles/").json()["results"]]
            if (article.pk in listed) != readable:
                problems.append(f"{who} API list: {'missing' if readable else 'lists'} the article")
            filtered = [row["id"] for row in client.get(f"/api/v1/articles/?state={state}").json()["results"]]
            if (article.pk in filtered) != readable:
                problems.append(f"{who} API list ?state={state}: {'missing' if readable else 'lists'} the article")

        desk = Client()
        if user is not None:
            desk.force_login(user)
        for name, url in desk_addresses.items():
            response = desk.get(url)
            if user is None:
                ok = response.status_code == 302 and "/login/" in response["Location"]
            else:
                ok = response.status_code == (200 if readable else 404)
            if not ok:
                problems.append(f"{who} desk {name}: got {response.status_code} (readable: {readable})")
    assert not problems, f"in {state}:\n" + "\n".join(problems)


def test_a_job_of_no_article_is_read_by_editors_only(api, people):
    job = Job.objects.create(kind=Job.Kind.MEMORY, state=Job.Status.SUCCEEDED)
    for who, expected in (("editor", 200), ("admin", 200), ("assignee", 403), ("no_role", 403),
                          ("anonymous", 401)):
        assert api(people[who]).get(f"/api/v1/jobs/{job.pk}/").status_code == expected, who


def test_roles_named_in_the_matrix_are_the_real_roles(people):
    assert roles.role_of(people["assignee"]) == roles.role_of(people["other_translator"]) == roles.TRANSLATOR
    assert roles.role_of(people["editor"]) == roles.EDITOR and roles.role_of(people["admin"]) == roles.ADMIN
    assert roles.role_of(people["no_role"]) is None
