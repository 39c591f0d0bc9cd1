"""The workflow module: transitions, records, revisions, and what each user is offered."""

from datetime import timedelta

import pytest
from django.utils import timezone

from editorial import workflow
from editorial.errors import Refused
from editorial.models import Article, State, StateChange
from tests.conftest import fill_segments

pytestmark = pytest.mark.django_db


def test_full_pipeline_records_every_transition(make_article, editor, translator):
    article = make_article(State.PUBLISHED)
    changes = list(StateChange.objects.filter(article=article).values_list("action", "from_state", "to_state"))
    assert changes == [
        ("draft", "source", "machine_draft"),
        ("assign", "machine_draft", "translation"),
        ("submit", "translation", "editing"),
        ("publish", "editing", "published"),
    ]
    assert article.slug and article.published_at is not None
    assert "has not verified the content of this story" in article.disclaimer
    # Every transition left a revision carrying the state it reached.
    states = list(article.revisions.order_by("revision_id").values_list("state", flat=True))
    for state in ("machine_draft", "translation", "editing", "published"):
        assert state in states


def test_transition_records_who_and_comment(make_article, editor):
    article = make_article(State.EDITING)
    workflow.apply(article.pk, editor, "request_changes", comment="Check the casualty figures.")
    change = StateChange.objects.filter(article=article).last()
    assert (change.user, change.action, change.from_state, change.to_state, change.comment) == (
        editor, "request_changes", "editing", "translation", "Check the casualty figures."
    )
    revision = article.revisions.first().revision
    assert revision.user == editor
    assert revision.comment == "Request changes: Check the casualty figures."


def test_submit_refused_while_a_segment_is_empty(make_article, translator):
    article = make_article(State.TRANSLATION)
    with pytest.raises(Refused) as refused:
        workflow.apply(article.pk, translator, "submit")
    assert refused.value.status == 409
    assert refused.value.code == "segments_incomplete"
    assert refused.value.details["positions"] == [0, 1, 2, 3]
    assert Article.objects.get(pk=article.pk).state == State.TRANSLATION


def test_whitespace_only_text_does_not_count(make_article, translator):
    article = make_article(State.TRANSLATION)
    fill_segments(article, translator)
    segment = article.document.segments.get(position=2)
    from editorial import services

    services.save_segment(article.pk, segment.pk, translator, text="   ", version=segment.version)
    with pytest.raises(Refused) as refused:
        workflow.apply(article.pk, translator, "submit")
    assert refused.value.details["positions"] == [2]


def test_publish_in_the_future_schedules_and_due_articles_go_out(make_article, editor):
    article = make_article(State.EDITING)
    when = timezone.now() + timedelta(hours=2)
    workflow.apply(article.pk, editor, "publish", publish_at=when)
    article.refresh_from_db()
    assert (article.state, article.publish_at) == (State.SCHEDULED, when)
    assert workflow.publish_due(now=when - timedelta(minutes=1)) == []
    assert workflow.publish_due(now=when + timedelta(seconds=1)) == [article.pk]
    article.refresh_from_db()
    assert article.state == State.PUBLISHED and article.publish_at is None
    # Running the beat task again publishes nothing twice.
    assert workflow.publish_due(now=when + timedelta(minutes=5)) == []


def test_unpublishing_a_scheduled_article_cancels_it(make_article, editor):
    article = make_article(State.SCHEDULED)
    workflow.apply(article.pk, editor, "unpublish", comment="Hold for legal review")
    article.refresh_from_db()
    assert (article.state, article.publish_at) == (State.EDITING, None)
    assert workflow.publish_due(now=timezone.now() + timedelta(days=2)) == []


def test_actions_offered_follow_role_state_and_ownership(make_article, editor, translator, other_translator):
    article = make_article(State.TRANSLATION)
    assert workflow.allowed_actions(article, translator) == ["submit"]
    assert workflow.allowed_actions(article, other_translator) == []
    assert workflow.allowed_actions(article, editor) == ["assign", "submit", "archive"]


def test_draft_is_not_offered_while_a_draft_job_runs(make_article, editor):
    article = make_article(State.SOURCE)
    workflow.apply(article.pk, editor, "draft")
    assert "draft" not in workflow.allowed_actions(article, editor)
    with pytest.raises(Refused) as refused:
        workflow.apply(article.pk, editor, "draft")
    assert (refused.value.status, refused.value.code) == (409, "draft_in_progress")


def test_assign_needs_an_active_translating_user(make_article, editor):
    article = make_article(State.MACHINE_DRAFT)
    with pytest.raises(Refused) as refused:
        workflow.apply(article.pk, editor, "assign", assignee="ghost")
    assert (refused.value.status, refused.value.code) == (400, "unknown_assignee")
    with pytest.raises(Refused) as refused:
        workflow.apply(article.pk, editor, "assign")
    assert (refused.value.status, refused.value.code) == (400, "assignee_required")


def test_a_correction_goes_out_at_once_and_cannot_be_scheduled(make_article, editor):
    article = make_article(State.PUBLISHED)
    workflow.apply(article.pk, editor, "correct")
    with pytest.raises(Refused) as refused:
        workflow.apply(article.pk, editor, "publish", comment="Fixed a name",
                       publish_at=timezone.now() + timedelta(days=1))
    assert refused.value.status == 400 and refused.value.message == (
        "A correction goes out at once: leave the publishing time empty.")
    assert Article.objects.get(pk=article.pk).state == State.EDITING


def test_a_live_article_under_correction_can_be_unpublished(make_article, editor):
    from django.test import Client

    article = make_article(State.PUBLISHED)
    workflow.apply(article.pk, editor, "correct")
    assert Client().get(f"/articles/{article.slug}/").status_code == 200  # still live while corrected
    assert "unpublish" in workflow.allowed_actions(Article.objects.get(pk=article.pk), editor)
    workflow.apply(article.pk, editor, "unpublish", comment="The source withdrew the story")
    article = Article.objects.get(pk=article.pk)
    assert article.state == State.EDITING and article.live_version_id is None
    assert Client().get(f"/articles/{article.slug}/").status_code == 404
    # An article in editing that was never published has nothing to unpublish.
    assert "unpublish" not in workflow.allowed_actions(make_article(State.EDITING), editor)


def test_a_live_article_under_correction_cannot_be_archived(make_article, editor):
    """Archiving would take it off the site without the reason `unpublish` asks for: unpublish first."""
    from django.test import Client

    article = make_article(State.PUBLISHED)
    workflow.apply(article.pk, editor, "correct")
    assert "archive" not in workflow.allowed_actions(Article.objects.get(pk=article.pk), editor)
    with pytest.raises(Refused) as refused:
        workflow.apply(article.pk, editor, "archive")
    assert refused.value.status == 409 and "archive" not in refused.value.details["allowed"]
    assert Client().get(f"/articles/{article.slug}/").status_code == 200  # still live, as it was
    workflow.apply(article.pk, editor, "unpublish", comment="The source withdrew the story")
    workflow.apply(article.pk, editor, "archive")
    assert Article.objects.get(pk=article.pk).state == State.ARCHIVED


def test_every_action_but_draft_has_a_handler_or_only_moves_the_state():
    """The transitions as handlers (as Wagtail's task states): each action names what it does beyond the move."""
    handlers = {name: action.handler.__name__ if action.handler else None for name, action in workflow.ACTIONS.items()}
    assert handlers == {"draft": "_order_draft", "decline": None, "claim": "_claim", "assign": "_assign",
                        "submit": "_submit", "request_changes": None, "publish": "_publish", "unpublish": "_take_down",
                        "correct": None, "archive": "_take_down", "restore": "_restore",
                        "reschedule": "_reschedule", "cancel_schedule": "_cancel_schedule"}
    assert [name for name, action in workflow.ACTIONS.items() if not action.moves_now] == ["draft"]


@pytest.mark.parametrize("state, editor_may, assignee_may", [
    (State.SOURCE, True, False), (State.MACHINE_DRAFT, True, False), (State.TRANSLATION, True, True),
    (State.EDITING, True, False), (State.SCHEDULED, False, False), (State.PUBLISHED, False, False),
    (State.ARCHIVED, False, False),
])
def test_who_may_edit_the_standfirst_and_keywords_when(api, make_article, editor, translator, other_translator,
                                                       state, editor_may, assignee_may):
    """workflow.details_refusal: editors prepare them until the article is scheduled or out; a translator edits
    them with the text (their own article, in translation); nobody else."""
    article = make_article(state)
    url = f"/api/v1/articles/{article.pk}/"
    for user, may, refused_with in ((editor, editor_may, 409), (translator, assignee_may, 403),
                                    (other_translator, False, 403)):
        version = Article.objects.get(pk=article.pk).version
        response = api(user).patch(url, {"version": version, "standfirst": f"By {user.username}"}, format="json")
        if may:
            assert response.status_code == 200, (user.username, response.content)
            assert Article.objects.get(pk=article.pk).standfirst == f"By {user.username}"
        else:
            assert response.status_code == refused_with, (user.username, response.status_code, response.content)
            assert Article.objects.get(pk=article.pk).standfirst != f"By {user.username}"


def test_two_publications_taking_the_same_address_at_once_are_a_clear_conflict(api, make_article, editor):
    """Both find the headline's address free; the other's publication lands between our check and our write
    (injected at the database driver, as a concurrent request's would). The unique slug refuses ours: 409
    `conflict`, nothing half-published, and taking the action again publishes."""
    from django.db import connection
    from django.test import Client

    from editorial.models import PublishedVersion

    article = make_article(State.EDITING)
    other = make_article(State.SOURCE)
    slug = "english-text-0"  # the address of make_article's headline
    raced = []

    def someone_else_first(execute, sql, params, many, context):
        if not raced and sql.startswith('UPDATE "editorial_article"') and params and slug in params:
            raced.append(True)
            Article.objects.filter(pk=other.pk).update(slug=slug)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(someone_else_first):
        response = api(editor).post(f"/api/v1/articles/{article.pk}/actions/publish/", {}, format="json")
    assert raced, "the write of the address was never seen"
    assert response.status_code == 409 and response.json()["error"]["code"] == "conflict", response.content
    assert Article.objects.get(pk=article.pk).state == State.EDITING
    assert not PublishedVersion.objects.filter(article=article).exists()
    response = api(editor).post(f"/api/v1/articles/{article.pk}/actions/publish/", {}, format="json")
    assert response.status_code == 200
    assert Client().get(f"/articles/{Article.objects.get(pk=article.pk).slug}/").status_code == 200
