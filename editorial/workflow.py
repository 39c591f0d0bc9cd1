"""The article workflow, in one place: states, actions, who may take each, and the transitions.

Views, the API, templates and tasks ask this module what a user may do
(`allowed_actions`, `can_edit_segments`) and call `apply` to do it. A
transition is one atomic function: lock the row, check, change the state,
record who/when/from/to/comment, and leave a revision.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from . import history, jobs, notifications, publishing, quality
from .errors import Refused
from .models import Article, Job, State, StateChange


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    sources: frozenset[str]
    target: str
    permission: str
    comment_required: bool = False
    assignee_required: bool = False
    # Callers who may not edit any article (translators) must be the assignee.
    assignee_only: bool = False
    # Also possible outside `sources` when this says so (unpublishing a live article under correction).
    also_when: Callable[[Article], bool] | None = None
    # Not possible, though in `sources`, when this says so (archiving an article that is live on the site).
    except_when: Callable[[Article], bool] | None = None
    # What the transition does beyond moving the state and recording it (see the handlers below); it may set
    # `article.state` itself (publish: published or scheduled) and may return a job.
    handler: Callable[["Transition"], Job | None] | None = None
    # False when the state moves later, by a job (draft): nothing is recorded now.
    moves_now: bool = True
    # What the action does, said before it is done: the desk asks to confirm the actions that have this.
    confirm: str = ""

    def possible_in(self, article: Article) -> bool:
        if self.except_when and self.except_when(article):
            return False
        return article.state in self.sources or bool(self.also_when and self.also_when(article))


@dataclass
class Transition:
    """One action being taken: what its handler may read and change (the article is locked)."""

    article: Article
    user: object
    comment: str
    assignee: str | None
    publish_at: datetime | None


def under_correction(article: Article) -> bool:
    """Published, and back in the newsroom for a correction: the published version stays live meanwhile,
    publishing again is a correction (with a note, at once) and unpublishing takes the live version down."""
    return article.live_version_id is not None and article.state in (State.TRANSLATION, State.EDITING)


# The handlers: each does what its transition does, under the lock `_apply` holds. --------------------------


def _order_draft(t: Transition) -> Job:
    """The draft job; with an assignee (the wire desk's "take for"), the article goes to them once drafted."""
    assign_to = None
    if t.assignee:
        if not t.user.has_perm("editorial.assign_article"):
            raise Refused(403, "forbidden", "Your role may not assign articles.")
        assign_to = _resolve_assignee(t.assignee).pk
    return jobs.create_draft_job(t.article, t.user, assign_to=assign_to)


def _claim(t: Transition) -> None:
    t.article.assignee = t.user


def _assign(t: Transition) -> None:
    t.article.assignee = _resolve_assignee(t.assignee)


def _submit(t: Transition) -> None:
    """Every reason at once: the empty segments and the blocking checks, each with its segment."""
    empty = publishing.empty_positions(t.article)
    issues = quality.blocking(t.article)
    if not (empty or issues):
        return
    parts = []
    if empty:
        parts.append(f"Every segment needs a translation before submitting: {len(empty)} still empty (segment "
                     + ", ".join(str(p) for p in empty[:10]) + (", ..." if len(empty) > 10 else "") + ").")
    if issues:
        parts.append(f"Fix {len(issues)} quality error(s) first, or ask an editor to override them: "
                     + "; ".join(f"segment {i['position']}: {i['message']}" for i in issues[:5])
                     + ("; ..." if len(issues) > 5 else "") + ".")
    raise Refused(409, "segments_incomplete" if empty else "quality_issues", " ".join(parts),
                  {"positions": empty, "issues": issues})


def _publish(t: Transition) -> None:
    article = t.article
    reasons = publishing.blockers(article)
    if reasons:
        raise Refused(409, "publish_blocked", "The article cannot be published yet: "
                      + "; ".join(r["message"] for r in reasons) + ".", {"reasons": reasons})
    now = timezone.now()
    correcting = under_correction(article)
    if correcting and not t.comment:
        raise Refused(400, "comment_required", "Say what was corrected: the note is shown on the article.",
                      {"comment": ["A correction needs a note."]})
    later = t.publish_at is not None and t.publish_at > now
    if later and correcting:
        raise Refused(400, "invalid", "A correction goes out at once: leave the publishing time empty.",
                      {"publish_at": ["Corrections cannot be scheduled."]})
    if later:
        article.publish_at = t.publish_at
        article.state = State.SCHEDULED
    else:
        publishing.publish(article, now, user=t.user, note=t.comment)
        article.state = State.PUBLISHED


def _restore(t: Transition) -> None:
    """Back to the state it was archived from; a schedule lost with the archive brings it back to editing."""
    archived = (StateChange.objects.filter(article=t.article, action__in=("archive", "decline"),
                                           to_state=State.ARCHIVED)
                .order_by("-created_at", "-id").values_list("from_state", flat=True).first())
    state = archived or State.SOURCE
    t.article.state = State.EDITING if state == State.SCHEDULED else state


def _reschedule(t: Transition) -> None:
    if t.publish_at is None or t.publish_at <= timezone.now():
        raise Refused(400, "invalid", "Give the new publishing time, in the future ('publish_at').",
                      {"publish_at": ["A time in the future is required."]})
    t.article.publish_at = t.publish_at


def _cancel_schedule(t: Transition) -> None:
    t.article.publish_at = None


def _take_down(t: Transition) -> None:
    t.article.publish_at = None
    publishing.take_down(t.article)


def _live(article: Article) -> bool:
    return article.live_version_id is not None


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in [
        Action("draft", "Order machine draft", frozenset({State.SOURCE}), State.MACHINE_DRAFT, "draft_article",
               handler=_order_draft, moves_now=False),
        # The wire desk's "not for us": out of the incoming list with a reason, still found by search; a feed
        # never brings it in again (its FeedItem stays), and "restore" brings it back.
        Action("decline", "Decline", frozenset({State.SOURCE}), State.ARCHIVED, "archive_article",
               comment_required=True, except_when=lambda article: _draft_running(article)),
        Action("claim", "Claim", frozenset({State.MACHINE_DRAFT}), State.TRANSLATION, "claim_article",
               handler=_claim),
        Action(
            "assign", "Assign", frozenset({State.MACHINE_DRAFT, State.TRANSLATION}), State.TRANSLATION,
            "assign_article", assignee_required=True, handler=_assign,
        ),
        Action(
            "submit", "Submit for editing", frozenset({State.TRANSLATION}), State.EDITING, "submit_article",
            assignee_only=True, handler=_submit,
        ),
        Action(
            "request_changes", "Request changes", frozenset({State.EDITING}), State.TRANSLATION,
            "request_changes_article", comment_required=True,
        ),
        Action("publish", "Publish", frozenset({State.EDITING}), State.PUBLISHED, "publish_article",
               handler=_publish),
        Action(
            "unpublish", "Unpublish", frozenset({State.PUBLISHED, State.SCHEDULED}), State.EDITING,
            "unpublish_article", comment_required=True, also_when=under_correction, handler=_take_down,
            confirm="The article comes off the public site (its page, the home page and the feeds) and goes back "
                    "to editing; your reason is recorded. Publishing it again puts it back.",
        ),
        # A schedule is changed or called off without a reason: nothing has been published yet.
        Action("reschedule", "Reschedule", frozenset({State.SCHEDULED}), State.SCHEDULED, "publish_article",
               handler=_reschedule),
        Action("cancel_schedule", "Cancel schedule", frozenset({State.SCHEDULED}), State.EDITING, "publish_article",
               handler=_cancel_schedule),
        # A correction: back to editing while the published version stays on the site until republished.
        Action("correct", "Correct", frozenset({State.PUBLISHED}), State.EDITING, "correct_article"),
        # Never while a version is live (under correction): taking it off the site is `unpublish`, with its reason.
        Action(
            "archive", "Archive", frozenset(set(State) - {State.PUBLISHED, State.ARCHIVED}), State.ARCHIVED,
            "archive_article", except_when=_live, handler=_take_down,
            confirm="The article leaves the desk and the workflow (a schedule is cancelled). Editors find it under "
                    "Archived and can restore it to the state it had.",
        ),
        # Undoing an archive: back where it was (the state recorded when it was archived).
        Action("restore", "Restore", frozenset({State.ARCHIVED}), State.SOURCE, "archive_article",
               handler=_restore),
    ]
}

EDITABLE_STATES = frozenset({State.TRANSLATION, State.EDITING})
# An editor has approved the text: exports say so (XLIFF approved="yes").
APPROVED_STATES = frozenset({State.SCHEDULED, State.PUBLISHED})


# Done with, as far as a deadline goes.
DONE_STATES = frozenset({State.SCHEDULED, State.PUBLISHED, State.ARCHIVED})


def overdue(article: Article, now: datetime | None = None) -> bool:
    """Past the editor's deadline and not done yet."""
    return bool(article.deadline and article.state not in DONE_STATES
                and article.deadline < (now or timezone.now()))


def may_edit_any(user) -> bool:
    return user.has_perm("editorial.edit_any_article")


# Reading ------------------------------------------------------------------------------------------------------
# Editors and admins read every article. Translators read the pipeline from the machine draft on, their
# colleagues' work included (read only: a newsroom's translators see each other's work, as WordPress's
# contributors see every post and a Superdesk desk every story, for consistency and for handovers), but not
# the sources an editor has not sent for drafting yet (the editor's inbox: what gets translated is undecided)
# nor archived articles (killed stories, sometimes for legal reasons). A user with no role reads no article.
# Reading an article covers its segments, history, revisions and diffs, its XLIFF export, its jobs and its
# workspace; the API answers 403 for the rest, the desk 404, and lists leave them out.
READABLE_BY_TRANSLATORS = frozenset({State.MACHINE_DRAFT, State.TRANSLATION, State.EDITING, State.SCHEDULED,
                                     State.PUBLISHED})


def readable_by(user) -> Q:
    """The articles `user` may read, as a filter for a queryset of articles."""
    if may_edit_any(user):
        return Q()
    if user.has_perm("editorial.claim_article"):
        return Q(state__in=READABLE_BY_TRANSLATORS)
    return Q(pk__in=[])


def may_read(article: Article, user) -> bool:
    if may_edit_any(user):
        return True
    return user.has_perm("editorial.claim_article") and article.state in READABLE_BY_TRANSLATORS


def read_refusal(article: Article, user) -> Refused | None:
    if may_read(article, user):
        return None
    if not user.has_perm("editorial.claim_article"):
        return Refused(403, "forbidden", "Your account has no role yet: ask an admin to give you one.")
    return Refused(403, "forbidden", f"Translators do not read articles in {article.state}: only editors and "
                                     "admins read sources not yet drafted and archived articles.")


def job_read_refusal(job: Job, user) -> Refused | None:
    """A job is read with its article; a job of no article (one whose article was deleted) by editors only."""
    if job.article is not None:
        return read_refusal(job.article, user)
    if may_edit_any(user):
        return None
    return Refused(403, "forbidden", "Only editors and admins read jobs that belong to no article.")


def with_workflow_facts(queryset):
    """Annotate what the rules need (a running draft job) so lists ask no extra query per article."""
    active = Job.objects.filter(article=OuterRef("pk"), kind=Job.Kind.DRAFT, state__in=Job.ACTIVE)
    return queryset.annotate(draft_running=Exists(active))


# The review round: a request for changes stands until the translator submits again.
REVIEW_ACTIONS = ("submit", "request_changes")


def _last_review():
    return StateChange.objects.filter(article=OuterRef("pk"), action__in=REVIEW_ACTIONS).order_by("-created_at", "-id")


def with_review_facts(queryset):
    """Annotate the last review step (submit or request changes) and its comment, for the desk's cards."""
    return queryset.annotate(review_action=Subquery(_last_review().values("action")[:1]),
                             review_comment=Subquery(_last_review().values("comment")[:1]))


def request_stands(state: str, last_review_action: str | None) -> bool:
    """A request for changes stands while the article is in translation and nobody has submitted since."""
    return state == State.TRANSLATION and last_review_action == "request_changes"


def changes_requested(article: Article) -> StateChange | None:
    """The editor's standing request for changes (with its reason), while the article is back in translation."""
    if article.state != State.TRANSLATION:
        return None
    steps = StateChange.objects.filter(article=article, action__in=REVIEW_ACTIONS).select_related("user")
    last = steps.order_by("-created_at", "-id").first()
    return last if last is not None and request_stands(article.state, last.action) else None


def _draft_running(article: Article) -> bool:
    if hasattr(article, "draft_running"):
        return article.draft_running
    return article.jobs.filter(kind=Job.Kind.DRAFT, state__in=Job.ACTIVE).exists()


def _refusal(article: Article, user, action: Action) -> Refused | None:
    """Why this user may not take this action now (role, then state, then ownership), or None."""
    if not user.has_perm(f"editorial.{action.permission}"):
        return Refused(403, "forbidden", f"Your role may not {action.label.lower()} articles.")
    if not action.possible_in(article):
        return Refused(
            409, "invalid_state", f"'{action.name}' is not possible while the article is in state '{article.state}'."
        )
    if action.assignee_only and not may_edit_any(user) and article.assignee_id != user.pk:
        return Refused(403, "not_assignee", "Only the translator assigned to this article may do that.")
    if action.name == "draft" and _draft_running(article):
        return Refused(409, "draft_in_progress", "A machine draft of this article is already under way.")
    return None


def allowed_actions(article: Article, user) -> list[str]:
    """The actions this user may take on this article now."""
    if not user.is_authenticated:
        return []
    return [name for name, action in ACTIONS.items() if _refusal(article, user, action) is None]


def check(article: Article, user, name: str) -> Action:
    """The action, if this user may take it now; otherwise raise the reason."""
    action = ACTIONS.get(name)
    if action is None:
        raise Refused(404, "unknown_action", f"There is no action '{name}'.", {"actions": list(ACTIONS)})
    refusal = _refusal(article, user, action)
    if refusal is not None:
        refusal.details.setdefault("state", article.state)
        refusal.details.setdefault("allowed", allowed_actions(article, user))
        raise refusal
    return action


def edit_refusal(article: Article, user) -> Refused | None:
    """Why this user may not edit the article's text now, or None.

    Translators edit only their own article in translation; editors and admins
    edit in translation and editing.
    """
    if may_edit_any(user):
        if article.state in EDITABLE_STATES:
            return None
        return Refused(
            403, "forbidden", f"The text cannot be edited while the article is in state '{article.state}'.",
            {"state": article.state},
        )
    if user.has_perm("editorial.submit_article") and article.assignee_id == user.pk:
        if article.state == State.TRANSLATION:
            return None
        return Refused(
            403, "forbidden", "Translators can edit only while the article is in translation.",
            {"state": article.state},
        )
    return Refused(403, "forbidden", "Only the assigned translator or an editor may edit this article.")


def details_refusal(article: Article, user) -> Refused | None:
    """Why this user may not edit the standfirst and keywords now, or None.

    Editors and admins prepare them from the moment a source arrives until it
    is published; translators edit them with the text.
    """
    if may_edit_any(user):
        if article.state in (State.PUBLISHED, State.SCHEDULED, State.ARCHIVED):
            return Refused(
                409, "invalid_state", f"The article cannot be edited while it is in state '{article.state}'.",
                {"state": article.state},
            )
        return None
    return edit_refusal(article, user)


def can_edit_segments(article: Article, user) -> bool:
    return edit_refusal(article, user) is None


def revert_refusal(article: Article, user) -> Refused | None:
    """Why this user may not revert the article now, or None: editors revert while the text is editable."""
    if not user.has_perm("editorial.revert_article"):
        return Refused(403, "forbidden", "Only editors and admins may revert an article.")
    if article.state not in EDITABLE_STATES:
        return Refused(
            409, "invalid_state",
            f"Revert is possible in translation or editing, not while the article is in state '{article.state}'.",
            {"state": article.state},
        )
    return None


def record(article: Article, user, action: str, from_state: str, comment: str, segments=()) -> None:
    """Log the transition and leave a revision of the article (and of the segments it changed)."""
    change = StateChange.objects.create(
        article=article, action=action, from_state=from_state, to_state=article.state, user=user, comment=comment
    )
    notifications.on_transition(change)
    label = ACTIONS[action].label if action in ACTIONS else action.replace("_", " ").capitalize()
    history.leave_revision(user, f"{label}: {comment}" if comment else label, article, segments)


def assignable_users():
    """Who an article may be assigned to: active users who may translate (as `_resolve_assignee` requires)."""
    perm = Q(codename="claim_article", content_type__app_label="editorial")
    may = Permission.objects.filter(perm)
    return (get_user_model().objects.filter(is_active=True)
            .filter(Q(is_superuser=True) | Q(groups__permissions__in=may) | Q(user_permissions__in=may))
            .distinct().order_by("username"))


def _resolve_assignee(username: str | None):
    if not username or not isinstance(username, str):
        raise Refused(400, "assignee_required", "Say who the article is assigned to ('assignee').",
                            {"assignee": ["This field is required."]})
    user = get_user_model().objects.filter(username=username).first()
    if user is None or not user.is_active:
        raise Refused(400, "unknown_assignee", f"There is no active user '{username}'.",
                            {"assignee": [f"No active user '{username}'."]})
    if not user.has_perm("editorial.claim_article"):
        raise Refused(400, "unknown_assignee", f"'{username}' has no role that translates.",
                            {"assignee": [f"'{username}' has no role that translates."]})
    return user


def apply(
    article_id: int,
    user,
    name: str,
    *,
    comment: str = "",
    assignee: str | None = None,
    publish_at: datetime | None = None,
) -> tuple[Article, Job | None]:
    """Take an action on an article: atomic, under a row lock; returns the article and any job queued."""
    try:
        return _apply(article_id, user, name, comment=comment, assignee=assignee, publish_at=publish_at)
    except IntegrityError:
        # Two articles with the same headline published in the same instant both chose the free slug: the
        # second is rolled back whole, and taking the action again gives it the next free address.
        raise Refused(409, "conflict", f"'{name}' collided with another change made at the same moment; "
                      "nothing was saved. Take the action again.") from None


def _apply(article_id: int, user, name: str, *, comment: str, assignee: str | None,
           publish_at: datetime | None) -> tuple[Article, Job | None]:
    comment = (comment or "").strip()
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article_id)
        action = check(article, user, name)
        if action.comment_required and not comment:
            raise Refused(400, "comment_required", f"Say why: '{name}' needs a comment.",
                                {"comment": ["This field is required."]})
        from_state = article.state
        transition = Transition(article, user, comment, assignee, publish_at)
        job = action.handler(transition) if action.handler else None
        if not action.moves_now:
            return article, job
        if article.state == from_state:
            article.state = action.target
        article.save()
        record(article, user, name, from_state, comment)
        return article, job


def finish_draft(job: Job, drafted_segments, comment: str) -> bool:
    """Move the article to machine_draft when its draft job ends; exactly once, however often it is called."""
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=job.article_id)
        if article.state != State.SOURCE:
            return False
        article.state = State.MACHINE_DRAFT
        article.save(update_fields=["state", "updated_at"])
        record(article, job.created_by, "draft", State.SOURCE, comment, drafted_segments)
        _assign_when_drafted(article, job)
        return True


def _assign_when_drafted(article: Article, job: Job) -> None:
    """The assignee named when the draft was ordered, if they may still translate; otherwise it waits to be
    assigned, as any draft does."""
    assignee = get_user_model().objects.filter(pk=job.payload.get("assign_to"), is_active=True).first()
    if assignee is None or not assignee.has_perm("editorial.claim_article"):
        return
    article.assignee = assignee
    article.state = State.TRANSLATION
    article.save(update_fields=["assignee", "state", "updated_at"])
    record(article, job.created_by, "assign", State.MACHINE_DRAFT, "")


def publish_due(now: datetime | None = None) -> list[int]:
    """Publish every scheduled article whose time has come; returns their ids."""
    now = now or timezone.now()
    published = []
    for article_id in Article.objects.filter(state=State.SCHEDULED, publish_at__lte=now).values_list("pk", flat=True):
        with transaction.atomic():
            article = Article.objects.select_for_update().get(pk=article_id)
            if article.state != State.SCHEDULED or article.publish_at is None or article.publish_at > now:
                continue
            publishing.publish(article, now)
            article.state = State.PUBLISHED
            article.save()
            record(article, None, "publish_scheduled", State.SCHEDULED, "Published as scheduled")
            published.append(article_id)
    return published
