"""The newsroom desk: server-rendered pages that ask the workflow and call the same services as the API."""

import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.dateparse import parse_datetime
from django.utils.timezone import make_aware
from django.views.decorators.http import require_POST

from editorial import (
    delivering,
    history,
    jobs,
    quality,
    roles,
    search,
    selectors,
    services,
    signin,
    syncing,
    targets,
    watch,
    workflow,
)
from editorial import presence as editorial_presence
from editorial.accounts import audit, invitations, passwords, twofactor
from editorial.errors import Refused
from editorial.models import Article, Comment, Job, Notification, Publication, PublishTarget, SourceSnapshot, State
from editorial.wire import stories
from translations import memory
from translations.diff import word_diff
from translations.machinery.base import MachineTranslationError, get_engine, memory_only
from translations.machinery.check import check_engine
from translations.models import Segment

from . import account, confirming, forms, track
from .access import needs


def _render(request, template, context, status=200, nav="desk"):
    return render(request, template, {"nav": nav, **context}, status=status)


def _refused(request, refusal: Refused) -> None:
    messages.error(request, refusal.message)


# Sign-in ----------------------------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    """Django's sign-in behind the lockout (signin.py): each attempt is counted before the password is checked."""

    def _who(self) -> tuple[str, str]:
        return self.request.META.get("REMOTE_ADDR", ""), self.request.POST.get("username") or ""

    def post(self, request, *args, **kwargs):
        if not signin.attempt(*self._who()):
            form = self.get_form()
            form.errors.clear()
            form.add_error(None, signin.LOCKED_MESSAGE)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        user = form.get_user()
        if twofactor.enabled(user):  # the attempt stays counted until the code is right too
            return account.hold_for_code(self.request, user, self.get_success_url())
        signin.succeeded(*self._who())
        return super().form_valid(form)


def admin_login(request):
    """The admin site's own sign-in page has no lockout: send everyone to the desk's, keeping where they go next."""
    query = request.GET.urlencode()
    return redirect(f"{reverse('login')}?{query}" if query else reverse("login"))


# Dashboard --------------------------------------------------------------------------------------


@login_required
def home(request):
    context = {"sections": selectors.desk_sections(request.user)}
    if workflow.may_edit_any(request.user):
        context["removed_originals"] = list(watch.removed_originals())
        context["unreachable_outlets"] = watch.unreachable_outlets()
    if roles.may(request.user, "manage_team"):
        context["team"] = selectors.team(limit=50)
    return _render(request, "desk/home.html", context)


# Finding articles -------------------------------------------------------------------------------


@login_required
def articles(request):
    """Every article the user may read: search (Arabic folded), filters, sort, pages of 25."""
    form = forms.ArticleSearchForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    found = selectors.article_search(user=request.user, **{k: v for k, v in data.items() if v})
    page = Paginator(found, 25).get_page(request.GET.get("page"))
    selectors.card_facts(page)
    if data.get("q"):  # the matched words, marked in the headline and in a snippet of the text
        search.mark_found(page, data["q"])
    query = request.GET.copy()
    query.pop("page", None)
    window = settings.SEARCH_RANK_WINDOW if data.get("q") and page.paginator.count >= settings.SEARCH_RANK_WINDOW \
        else None
    return _render(request, "desk/articles.html", {"form": form, "page": page, "query": query.urlencode(),
                                                   "window": window},
                   nav="articles", status=400 if form.errors else 200)


# Import -----------------------------------------------------------------------------------------


@login_required
def new_article(request):
    if not request.user.has_perm("editorial.import_article"):
        raise Http404
    form = forms.NewArticleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            article = services.import_article(
                user=request.user, title=data["title"], body=data["body"], language=data["language"],
                outlet=data["outlet"],
                author=data["author"], url=data["url"], published_at=data["published_at"],
                keywords=forms.split_keywords(data["keywords"]), standfirst=data["standfirst"],
            )
        except Refused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, f"Imported #{article.pk}. Order a machine draft when you are ready.")
            return redirect("desk:article", article.pk)
    return _render(request, "desk/new.html", {"form": form}, status=400 if form.errors else 200, nav="new")


# The workspace ----------------------------------------------------------------------------------


def _article(request, article_id: int) -> Article:
    """The article with its segments; 404 when there is none or the user may not read it (workflow.may_read)."""
    article = selectors.article_detail(article_id)
    if article is None or not workflow.may_read(article, request.user):
        raise Http404
    return article


def _translators_first(users) -> list:
    """Whom to assign: translators first, then the editors and admins who may also translate."""
    users = list(users.prefetch_related("groups"))
    return sorted(users, key=lambda u: (roles.role_of(u) != roles.TRANSLATOR, u.username))


def _refusal_items(refusal: Refused | None, segments) -> list[dict]:
    """A refused submit's reasons, one per segment, each to be linked to its segment."""
    details = refusal.details if refusal is not None and isinstance(refusal.details, dict) else {}
    by_position = {s.position: s for s in segments}
    items = [{"segment": by_position[p], "message": "no translation yet"}
             for p in details.get("positions", []) if p in by_position]
    items += [{"segment": by_position[i["position"]], "message": i["message"]}
              for i in details.get("issues", []) if i.get("position") in by_position]
    return items


def _workspace(request, article, *, status=200, details_form=None, comment_form=None, action_values=None,
               refusal=None):
    user = request.user
    segments = list(article.document.segments.all())
    found = quality.reports(article, segments)
    issues = quality.article_issues(article, segments, found)
    tracking = request.GET.get("track") == "1"
    changes = track.track_changes(article, segments) if tracking else {}
    for segment in segments:
        # Empty segments show in the progress bar; the rest of their issues matter once there is text.
        segment.issues = [i for i in issues[segment.pk] if i["code"] != "empty"]
        segment.source_ops = word_diff(segment.previous_source, segment.source_text) if segment.source_changed else []
        segment.terms = found[segment.pk].terms
        segment.changes = changes.get(segment.pk, [])
    done = sum(1 for s in segments if s.has_text)
    drafts = article.jobs.filter(kind=Job.Kind.DRAFT)
    job = drafts.filter(state__in=Job.ACTIVE).order_by("-id").first()
    failed_job = None if job else drafts.filter(state=Job.Status.FAILED).order_by("-id").first()
    actions = workflow.allowed_actions(article, user)
    review = workflow.changes_requested(article)
    context = {
        "article": article,
        "review": review,
        "review_segments": selectors.changed_in_review(article, review) if review else [],
        "refusal_items": _refusal_items(refusal, segments),
        "drafted": any(s.machine_text for s in segments),
        "copyable": any(s.machine_text and not s.has_text for s in segments),
        "memory_only": memory_only(),
        "time_zone": timezone.get_current_timezone_name(),
        "may_set_deadline": workflow.may_edit_any(user),
        "deliveries": [(d, delivering.status_line(d), d.job is not None and jobs.retry_refusal(d.job, user) is None)
                       for d in article.deliveries.select_related("target", "job")],
        "watch_summary": watch.summary(article),
        "watch_changes": article.watch_changes if watch.pending(article) else {},
        "may_sync": watch.pending(article) and syncing.refusal(article, user) is None,
        "may_decide": (article.watch_outcome == watch.GONE and article.live_version_id is not None
                       and not article.watch_decision and user.has_perm("editorial.publish_article")),
        "snapshot": (SourceSnapshot.objects.filter(article=article).defer("content").order_by("-retrieved_at", "-id")
                     .first() if workflow.may_edit_any(user) else None),
        "deadline_local": timezone.localtime(article.deadline).strftime("%Y-%m-%dT%H:%M") if article.deadline else "",
        "overdue": workflow.overdue(article),
        "scheduled_local": (timezone.localtime(article.publish_at).strftime("%Y-%m-%dT%H:%M")
                            if article.publish_at else ""),
        "may_manage_team": roles.may(user, "manage_team"),
        "correcting": workflow.under_correction(article),
        "segments": segments,
        "done": done,
        "total": len(segments),
        "percent": round(100 * done / len(segments)) if segments else 0,
        "actions": [workflow.ACTIONS[name] for name in actions],
        "can_edit": workflow.can_edit_segments(article, user),
        "can_edit_details": workflow.details_refusal(article, user) is None,
        "job": job,
        "failed_job": failed_job,
        "comments": Comment.objects.filter(article=article).select_related("user").order_by("created_at", "id"),
        "details_form": details_form or forms.DetailsForm(initial={
            "standfirst": article.standfirst, "keywords": ", ".join(k.name for k in article.keywords.all()),
            "credit_story": article.credit_story, "version": article.version}),
        "other_outlets": stories.other_outlets(article),
        "comment_form": comment_form or forms.CommentForm(),
        "action_values": action_values or {},
        "translators": _translators_first(workflow.assignable_users()) if "assign" in actions else [],
        "track": tracking,
        "blockers": _blockers(article, actions),
        "publication": Publication.current(),
        "may_override": user.has_perm("editorial.override_check"),
    }
    return _render(request, "desk/workspace.html", context, status=status)


def _blockers(article, actions):
    from editorial import publishing

    return publishing.blockers(article) if "publish" in actions else []


@login_required
def workspace(request, article_id):
    return _workspace(request, _article(request, article_id))


def _typed_time(value: str):
    """A datetime-local field's value in the desk's time zone; None when empty or not a real time."""
    try:
        when = parse_datetime(value.strip()) if value.strip() else None
    except ValueError:  # well formed but not a real time, such as 30 February
        return None
    return make_aware(when) if when is not None and when.tzinfo is None else when


@login_required
@require_POST
def take_action(request, article_id, action):
    article = _article(request, article_id)
    values = {k: request.POST.get(k, "") for k in ("comment", "assignee", "publish_at")}
    publish_at = _typed_time(values["publish_at"])
    if values["publish_at"] and publish_at is None:
        messages.error(request, "The publishing time is not a date and time.")
        return _workspace(request, article, status=400, action_values=values)
    confirm = workflow.ACTIONS[action].confirm if action in workflow.ACTIONS else ""
    if confirm and not confirming.confirmed(request) and action in workflow.allowed_actions(article, request.user):
        label = workflow.ACTIONS[action].label
        return confirming.ask(request, title=f"{label} #{article.pk}?", consequences=[confirm],
                              confirm_label=label, cancel=reverse("desk:article", args=[article.pk]))
    try:
        _, job = workflow.apply(article.pk, request.user, action, comment=values["comment"],
                                assignee=values["assignee"] or None, publish_at=publish_at)
    except Refused as refusal:
        _refused(request, refusal)
        # Re-render with what was typed: a refused action never loses a comment.
        return _workspace(request, _article(request, article_id), status=refusal.status, action_values=values,
                          refusal=refusal)
    messages.success(request, _done(action, job, Article.objects.get(pk=article.pk)))
    return redirect("desk:article", article.pk)


def _done(action: str, job, article: Article) -> str:
    """What the action did, in words: a schedule says when, in which time zone."""
    if job:
        return "Machine draft ordered; it is running now."
    if article.state == State.SCHEDULED and article.publish_at:
        when = dateformat.format(timezone.localtime(article.publish_at), "l j F Y, H:i")
        return f"Scheduled for {when} ({timezone.get_current_timezone_name()})."
    if action == "cancel_schedule":
        return "Schedule cancelled: the article is back in editing, unpublished."
    if action == "restore":
        return f"Restored: the article is back in {article.get_state_display().lower()}."
    return f"{workflow.ACTIONS[action].label}: done."


@login_required
@require_POST
def deadline(request, article_id):
    article = _article(request, article_id)
    value = request.POST.get("deadline", "").strip()
    when = _typed_time(value)
    if value and when is None:
        messages.error(request, "The deadline is not a date and time.")
        return redirect("desk:article", article.pk)
    try:
        services.set_deadline(article.pk, request.user, when)
    except Refused as refusal:
        _refused(request, refusal)
    else:
        messages.success(request, "Deadline set." if when else "Deadline removed.")
    return redirect("desk:article", article.pk)


@login_required
@require_POST
def check_original(request, article_id):
    article = _article(request, article_id)
    try:
        outcome = watch.check(article.pk, request.user)
    except Refused as refusal:
        _refused(request, refusal)
    else:
        if outcome.outcome == watch.UNCHANGED:
            messages.success(request, "The original has not changed.")
        elif outcome.outcome == watch.UNREACHABLE:
            messages.error(request, f"The original could not be reached now: {outcome.detail}")
        else:
            messages.error(request, watch.summary(Article.objects.get(pk=article.pk)))
    return redirect("desk:article", article.pk)


@login_required
@require_POST
def sync_original(request, article_id):
    """Update from the original: unchanged segments keep their translation, changed ones are marked."""
    article = _article(request, article_id)
    try:
        _, summary, job = syncing.sync(article.pk, request.user)
    except Refused as refusal:
        _refused(request, refusal)
    else:
        parts = [f"{len(v)} {k}" for k, v in summary.items() if v]
        messages.success(request, "Updated from the original: " + ", ".join(parts) + "."
                         + (" The machine draft of the new text is on its way." if job else ""))
    return redirect("desk:article", article.pk)


@login_required
@require_POST
def decide_original(request, article_id):
    """A published article whose original was removed: keep it with a note, correct it, or unpublish it."""
    article = _article(request, article_id)
    try:
        decided = watch.decide(article.pk, request.user, request.POST.get("choice", ""),
                               request.POST.get("comment", "")[:2000])
    except Refused as refusal:
        _refused(request, refusal)
    else:
        messages.success(request, {
            watch.KEEP: "The page stays, with a note that the original was removed.",
            watch.CORRECT: "The article is back in editing for a correction; the page stays until republished.",
            watch.UNPUBLISH: "The article is off the public site.",
        }[decided.watch_decision])
    return redirect("desk:article", article.pk)


@login_required
@require_POST
def switch_watch(request, article_id):
    article = _article(request, article_id)
    try:
        watch.switch(article.pk, request.user, request.POST.get("enabled") == "1")
    except Refused as refusal:
        _refused(request, refusal)
    return redirect("desk:article", article.pk)


@login_required
@require_POST
def confirm_segment(request, article_id, segment_id):
    """The translation still holds against the changed source: save it as it is (clears `source_changed`)."""
    article = _article(request, article_id)
    segment = article.document.segments.filter(pk=segment_id).first()
    if segment is None:
        raise Http404
    try:
        services.save_segment(article.pk, segment.pk, request.user, text=segment.text or "",
                              version=int(request.POST.get("version", "0")) if request.POST.get("version", "")
                              .isdigit() else 0)
    except Refused as refusal:
        _refused(request, refusal)
    else:
        messages.success(request, f"Segment {segment.position} confirmed against the new source.")
    return redirect(f"{reverse('desk:article', args=[article.pk])}#segment-{segment.pk}")


@login_required
@require_POST
def replace(request, article_id):
    """Find and replace in the article's translations: a preview of every change first, then the change."""
    article = _article(request, article_id)
    find, replacement = request.POST.get("find", ""), request.POST.get("replace", "")
    match_case = request.POST.get("match_case") == "1"
    if len(find) > 500 or len(replacement) > 500:
        messages.error(request, "Find and replace take at most 500 characters each.")
        return redirect("desk:article", article.pk)
    refusal = workflow.edit_refusal(article, request.user)
    try:
        if refusal:
            raise refusal
        if not confirming.confirmed(request):
            rows = services.replacement_preview(article, find, replacement, match_case=match_case)
            for row in rows:
                row["ops"] = word_diff(row["before"], row["after"])
            return _render(request, "desk/replace.html", {
                "article": article, "rows": rows, "find": find, "replacement": replacement,
                "match_case": match_case, "occurrences": sum(r["count"] for r in rows)})
        versions = {int(name[2:]): int(value) for name, value in request.POST.items()
                    if re.fullmatch(r"v-[0-9]{1,18}", name) and re.fullmatch(r"[0-9]{1,9}", value)}
        result = services.replace_all(article.pk, request.user, find, replacement, match_case=match_case,
                                      versions=versions)
    except Refused as exc:
        _refused(request, exc)
        return redirect("desk:article", article.pk)
    changed, skipped = result["changed"], result["skipped"]
    messages.success(request, f"Replaced in {len(changed)} segment{'s' if len(changed) != 1 else ''}.")
    if skipped:
        messages.error(request, "Changed by someone since the preview, so left as they are: segment "
                       + ", ".join(str(p) for p in skipped) + ".")
    return redirect("desk:article", article.pk)


@login_required
@require_POST
def presence(request, article_id):
    """The workspace's heartbeat: I am here (on this segment); who else is?"""
    article = Article.objects.filter(pk=article_id).first()  # not the segments: this runs every 10 s per reader
    if article is None or not workflow.may_read(article, request.user):
        raise Http404
    value = request.POST.get("segment", "")
    segment_id = int(value) if re.fullmatch(r"[0-9]{1,18}", value) else None
    editorial_presence.touch(article.pk, request.user, segment_id)
    here = editorial_presence.others(article.pk, request.user)
    positions = dict(Segment.objects.filter(document_id=article.document_id, pk__in=[s for _, s in here if s])
                     .values_list("pk", "position"))
    people = [{"name": name, "segment": segment if segment in positions else None, "position": positions.get(segment)}
              for name, segment in here]
    return render(request, "desk/_presence.html", {"people": people})


@login_required
def concordance(request, article_id):
    """Concordance: the memory's entries holding a word or phrase, in the source or in the translation."""
    article = _article(request, article_id)
    phrase = request.GET.get("q", "")[:200]
    document = article.document
    found = memory.concordance(phrase, document.source_language, document.target_language) if phrase.strip() else []
    articles = selectors.article_ids_by_document(m.document_id for m in found)
    return render(request, "desk/_concordance.html", {
        "phrase": phrase, "document": document,
        "entries": [{"match": m, "article": articles.get(m.document_id)} for m in found]})


@login_required
def segment_matches(request, article_id, segment_id):
    """The translation memory's closest matches for one segment (loaded when the segment gets focus)."""
    article = _article(request, article_id)
    segment = next((s for s in article.document.segments.all() if s.pk == segment_id), None)
    if segment is None:
        raise Http404
    document = article.document
    matches = [m for m in memory.fuzzy_matches(segment.source_text, document.source_language,
                                               document.target_language, limit=3)
               if m.document_id != document.pk]
    articles = selectors.article_ids_by_document(m.document_id for m in matches)
    return render(request, "desk/_matches.html", {
        # Each match's source against this segment's: what differs is marked (the words to check in its target).
        "matches": [{"match": m, "article": articles.get(m.document_id),
                     "ops": word_diff(segment.source_text, m.source)} for m in matches],
        "can_edit": workflow.can_edit_segments(article, request.user), "document": document,
    })


@login_required
@require_POST
def override_check(request, article_id, segment_id):
    try:
        quality.override(article_id, segment_id, request.user, code=request.POST.get("code", ""),
                         reason=request.POST.get("reason", ""))
        messages.success(request, "Override recorded; the issue no longer blocks this text.")
    except Refused as refusal:
        _refused(request, refusal)
    return redirect(reverse("desk:article", args=[article_id]) + f"#segment-{segment_id}")


@login_required
@require_POST
def save_details(request, article_id):
    article = _article(request, article_id)
    form = forms.DetailsForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            services.update_details(article.pk, request.user, version=form.cleaned_data["version"],
                                    standfirst=form.cleaned_data["standfirst"],
                                    keywords=forms.split_keywords(form.cleaned_data["keywords"]),
                                    credit_story=form.cleaned_data["credit_story"])
        except Refused as refusal:
            status = refusal.status
            if refusal.code == "stale_version":
                form.add_error(None, "Someone changed the standfirst or keywords since you opened the page. Theirs: "
                               f"“{refusal.details['standfirst']}” / {', '.join(refusal.details['keywords'])}. "
                               "Your text is kept below; save again to replace theirs.")
                form.data = {**form.data.dict(), "version": refusal.details["version"]}
            else:
                form.add_error(None, refusal.message)
        else:
            messages.success(request, "Standfirst and keywords saved.")
            return redirect("desk:article", article.pk)
    return _workspace(request, _article(request, article_id), status=status, details_form=form)


@login_required
@require_POST
def add_comment(request, article_id):
    article = _article(request, article_id)
    form = forms.CommentForm(request.POST)
    if form.is_valid():
        try:
            services.add_comment(article, request.user, form.cleaned_data["text"])
        except Refused as refusal:
            form.add_error("text", refusal.message)
    if not form.is_valid():
        return _workspace(request, article, status=400, comment_form=form)
    if request.htmx:
        comments = Comment.objects.filter(article=article).select_related("user").order_by("created_at", "id")
        return render(request, "desk/_comments.html", {"comments": comments, "article": article,
                                                        "comment_form": forms.CommentForm()})
    return redirect(reverse("desk:article", args=[article.pk]) + "#comments")


@login_required
def job_progress(request, job_id):
    job = Job.objects.select_related("article").filter(pk=job_id).first()
    if job is None or workflow.job_read_refusal(job, request.user) is not None:
        raise Http404
    response = render(request, "desk/_job.html", {"job": job})
    if job.state not in Job.ACTIVE and request.htmx:
        # The job is over: reload the page so the drafts and the new state show.
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def retry_job(request, job_id):
    job = Job.objects.select_related("article").filter(pk=job_id).first()
    if job is None or workflow.job_read_refusal(job, request.user) is not None:
        raise Http404
    try:
        jobs.retry(job.pk, request.user)
        messages.success(request, "Queued again." if job.kind == Job.Kind.DELIVERY
                         else "The machine draft is queued again.")
    except Refused as refusal:
        _refused(request, refusal)
    return redirect("desk:article", job.article_id)


# History ----------------------------------------------------------------------------------------


@login_required
def revisions(request, article_id):
    article = _article(request, article_id)
    return _render(request, "desk/history.html", {
        "article": article, "revisions": list(history.revisions(article)[:200]),
        "may_revert": workflow.revert_refusal(article, request.user) is None,
    })


def _revision_param(request, name):
    value = request.GET.get(name, "")
    return int(value) if re.fullmatch(r"[0-9]{1,18}", value) else None


@login_required
def compare(request, article_id):
    article = _article(request, article_id)
    revs = list(history.revisions(article)[:200])
    if not revs:
        raise Http404
    to_rev = _revision_param(request, "to")
    from_rev = _revision_param(request, "from") or revs[-1].revision_id
    try:
        diff = history.diff(article, from_rev, to_rev)
    except Refused:
        raise Http404 from None
    rows, folded = [], 0
    for segment in diff["segments"]:
        if segment["changed"]:
            if folded:
                rows.append({"folded": folded})
                folded = 0
            rows.append(segment)
        else:
            folded += 1
    if folded:
        rows.append({"folded": folded})
    return _render(request, "desk/compare.html", {
        "article": article, "revisions": revs, "from_rev": from_rev, "to_rev": to_rev, "rows": rows,
        "changed": sum(1 for s in diff["segments"] if s["changed"]),
        "may_revert": workflow.revert_refusal(article, request.user) is None,
    })


@login_required
def segment_history(request, article_id, segment_id):
    """One segment's texts through time, each restorable (by those who may revert)."""
    article = _article(request, article_id)
    segment = next((s for s in article.document.segments.all() if s.pk == segment_id), None)
    if segment is None:
        raise Http404
    return _render(request, "desk/segment_history.html", {
        "article": article, "segment": segment, "versions": history.segment_versions(article, segment),
        "may_revert": workflow.revert_refusal(article, request.user) is None,
    })


@login_required
@require_POST
def revert(request, article_id, revision_id):
    article = _article(request, article_id)
    segment_id = request.POST.get("segment", "")
    segment_id = int(segment_id) if re.fullmatch(r"[0-9]{1,18}", segment_id) else None
    if not confirming.confirmed(request):
        refusal = workflow.revert_refusal(article, request.user)
        if refusal is None:
            try:
                return _confirm_revert(request, article, revision_id, segment_id)
            except Refused as exc:
                refusal = exc
        _refused(request, refusal)
        return redirect("desk:history", article_id)
    try:
        services.revert(article_id, revision_id, request.user, segment_id=segment_id)
    except Refused as refusal:
        _refused(request, refusal)
        return redirect("desk:history", article_id)
    if segment_id is None:
        messages.success(request, f"Reverted to revision {revision_id}.")
    else:
        messages.success(request, f"Segment restored from revision {revision_id}.")
    return redirect("desk:article", article_id)


def _confirm_revert(request, article, revision_id, segment_id):
    """What a revert will change, segment by segment, before it is done."""
    changes = history.revert_changes(article, revision_id, segment_id)
    lines = []
    count = len(changes["segments"])
    if segment_id is not None:
        lines.append(f"This segment gets its text from revision {revision_id}." if count else
                     f"This segment already has its text from revision {revision_id}: nothing changes.")
        title = f"Restore a segment of #{article.pk} from revision {revision_id}?"
    else:
        lines.append(f"{count} segment{'s' if count != 1 else ''} get their text from revision {revision_id}"
                     + (" (below)." if count else ": no segment's text changes."))
        if changes["standfirst"]:
            then = changes["standfirst"][1]
            lines.append(f"The standfirst becomes: \u201c{then}\u201d." if then else "The standfirst is emptied.")
        if changes["keywords"]:
            now, then = changes["keywords"]
            lines.append(f"The keywords become: {', '.join(then) or 'none'} (now: {', '.join(now) or 'none'}).")
        for key, words in (("sources", "The source text as it was then, for"),
                           ("restored", "Back in the article (an update from the original removed it since):"),
                           ("removed", "Out of the article again (an update from the original added it since; "
                                       "its history stays):")):
            if changes[key]:
                positions = ", ".join(str(c["position"]) for c in changes[key])
                lines.append(f"{words} segment{'s' if len(changes[key]) != 1 else ''} {positions}.")
        title = f"Revert #{article.pk} to revision {revision_id}?"
    lines.append("Nothing is lost: the text as it is now stays in the history, and can be restored from there.")
    return confirming.ask(request, title=title, consequences=lines, changes=changes["segments"],
                          confirm_label="Restore the segment" if segment_id is not None else "Revert",
                          cancel=reverse("desk:history", args=[article.pk]), danger=False)


# Notifications ----------------------------------------------------------------------------------


@login_required
def notification_list(request):
    """What the emails say, in the desk: the newest 50, unread ones marked."""
    items = list(Notification.objects.filter(recipient=request.user).select_related("article")[:50])
    return _render(request, "desk/notifications.html", {"items": items}, nav="notifications")


@login_required
@require_POST
def notifications_read(request):
    Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(read_at=timezone.now())
    return redirect("desk:notifications")


# Team -------------------------------------------------------------------------------------------


TEAM_PAGE_EVENTS = 30


def _team_page(request, *, new_user_form=None, publication_form=None, target_form=None, change_form=None,
               invite_form=None, status=200):
    return _render(request, "desk/team.html", {
        "users": selectors.team(),
        "roles": roles.ROLES,
        "new_user_form": new_user_form or forms.NewUserForm(),
        "invite_form": invite_form or forms.InviteForm(prefix="invite"),
        "invitations": list(invitations.pending()),
        "now": timezone.now(),
        "invitation_hours": settings.INVITATION_HOURS,
        "publication_form": publication_form or forms.PublicationForm(instance=Publication.current()),
        "engine": _engine_description(),
        "targets": [(row, change_form if change_form is not None and change_form.row.pk == row.pk
                     else forms.TargetChangeForm(row)) for row in PublishTarget.objects.all()],
        "target_form": target_form or forms.TargetForm(prefix="target"),
        "events": audit.events()[:TEAM_PAGE_EVENTS],
    }, status=status, nav="team")


@needs("manage_team")
@require_POST
def add_target(request):
    form = forms.TargetForm(request.POST, prefix="target")  # its field names apart from the other forms' there
    if not form.is_valid():
        return _team_page(request, target_form=form, status=400)
    data = form.cleaned_data
    try:
        row = targets.add(kind=data["kind"], name=data["name"], url=data["url"], username=data["username"],
                          secret=data["secret"], options=form.options())
    except Refused as refusal:
        form.add_error(None, refusal.message)
        return _team_page(request, target_form=form, status=400)
    messages.success(request, f"{row.name} added: published articles now go there too. Test the connection.")
    return redirect("desk:team")


@needs("manage_team")
@require_POST
def target_action(request, target_id):
    """Test the connection, change, turn on or off, or remove a publish target."""
    row = PublishTarget.objects.filter(pk=target_id).first()
    if row is None:
        raise Http404
    what = request.POST.get("do", "")
    if what == "change":
        return _change_target(request, row)
    try:
        if what == "check":
            messages.success(request, targets.check(row))
        elif what in ("enable", "disable"):
            targets.change(row, enabled=what == "enable")
            messages.success(request, f"{row.name} turned {'on' if row.enabled else 'off'}.")
        elif what == "remove":
            row.delete()
            messages.success(request, f"{row.name} removed; the posts already sent stay where they are.")
        else:
            messages.error(request, "Say what to do: check, change, enable, disable or remove.")
    except Refused as refusal:
        _refused(request, refusal)
    return redirect("desk:team")


def _change_target(request, row):
    form = forms.TargetChangeForm(row, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            targets.change(row, name=data["name"], url=data["url"], username=data["username"],
                           secret=data["secret"] or None, options=form.options())
        except Refused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, f"{row.name} saved.")
            return redirect("desk:team")
    return _team_page(request, change_form=form, status=400)


def _engine_description() -> dict:
    try:
        return get_engine().describe()
    except MachineTranslationError as exc:
        return {"engine": "misconfigured", "error": str(exc)}


@needs("manage_team")
@require_POST
def test_engine(request):
    result = check_engine()
    if result["ok"]:
        sample = result["translation"] or result.get("note", "")
        messages.success(request, f"The {result['engine']} engine works ({result['seconds']} s): {sample}")
    else:
        messages.error(request, f"The engine does not work: {result['error']}")
    return redirect("desk:team")


@needs("manage_team")
def team(request):
    if request.method != "POST":
        return _team_page(request)
    form = forms.NewUserForm(request.POST)
    if not form.is_valid():
        return _team_page(request, new_user_form=form, status=400)
    data = form.cleaned_data
    try:
        user = roles.add_member(data["username"], data["email"], data["password"], data["role"],
                                 actor=request.user)
    except Refused as refusal:
        for field, errors in refusal.details.items():
            form.add_error(field, errors)
        return _team_page(request, new_user_form=form, status=refusal.status)
    messages.success(request, f"{user.username} can now sign in as {data['role']}.")
    return redirect("desk:team")


@needs("manage_team")
@require_POST
def team_member(request, user_id):
    member = get_user_model().objects.filter(pk=user_id).first()
    if member is None:
        raise Http404
    if request.POST.get("is_active", "1") not in ("0", "1"):
        messages.error(request, "Say 1 to let them sign in or 0 to deactivate them.")
        return redirect("desk:team")
    is_active = request.POST["is_active"] == "1" if "is_active" in request.POST else None
    role = None
    if "role" in request.POST:
        form = forms.UserRoleForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Choose one of the roles.")
            return redirect("desk:team")
        role = form.cleaned_data["role"]
    refused = roles.self_change_refusal(request.user, member, role=role, is_active=is_active)
    if is_active is False and member.is_active and not refused and not confirming.confirmed(request):
        return confirming.ask(
            request, title=f"Deactivate {member.username}?", confirm_label=f"Deactivate {member.username}",
            cancel=reverse("desk:team"), nav="team", consequences=[
                f"{member.username} can no longer sign in; their open sessions end and their API token is deleted.",
                "Their articles, translations and history stay as they are.",
                "Reactivate them on this page to let them sign in again (with a new token).",
            ])
    try:
        roles.change_member(request.user, member, role=role, is_active=is_active)
    except Refused as refusal:
        messages.error(request, refusal.message)
        return redirect("desk:team")
    if role is not None:
        messages.success(request, f"{member.username} is now {role}.")
    if is_active is not None:
        messages.success(request, f"{member.username} is {'active' if member.is_active else 'deactivated'}.")
    return redirect("desk:team")


@needs("manage_team")
@require_POST
def invite(request):
    form = forms.InviteForm(request.POST, prefix="invite")
    if not form.is_valid():
        return _team_page(request, invite_form=form, status=400)
    data = form.cleaned_data
    try:
        _, sent = invitations.invite(actor=request.user, username=data["username"], email=data["email"],
                                     role=data["role"])
    except Refused as refusal:
        for field, errors in refusal.details.items():
            form.add_error(field, errors)
        return _team_page(request, invite_form=form, status=refusal.status)
    _invitation_sent(request, data["username"], data["email"], sent)
    return redirect("desk:team")


def _invitation_sent(request, username: str, email: str, sent: bool) -> None:
    if sent:
        messages.success(request, f"{username} is invited: the link to set a password was sent to {email}.")
    else:
        messages.error(request, f"{username} is invited, but the email could not be sent: check the email "
                                "settings (EMAIL_HOST), then resend the invitation.")


@needs("manage_team")
@require_POST
def invitation_action(request, invitation_id):
    """Resend or cancel an open invitation."""
    try:
        invitation = invitations.pending_or_404(invitation_id)
    except Refused:
        raise Http404 from None
    what = request.POST.get("do", "")
    if what == "resend":
        _invitation_sent(request, invitation.user.username, invitation.user.email,
                         invitations.resend(invitation, actor=request.user))
    elif what == "cancel":
        invitations.cancel(invitation, actor=request.user)
        messages.success(request, f"The invitation of {invitation.user.username} is cancelled; its link no "
                                  "longer works.")
    else:
        messages.error(request, "Say what to do: resend or cancel.")
    return redirect("desk:team")


@needs("manage_team")
@require_POST
def reset_two_factor(request, user_id):
    """A colleague lost their phone: their second factor goes (logged), and their sessions and token end."""
    member = get_user_model().objects.filter(pk=user_id).first()
    if member is None:
        raise Http404
    try:
        twofactor.turn_off(member, actor=request.user)
    except Refused as refusal:
        _refused(request, refusal)
    else:
        messages.success(request, f"{member.username}'s two-factor sign-in is reset: they set it up again at their "
                                  "next sign-in" + (" (their role requires it)." if twofactor.required_for(member)
                                                    else ", if they wish."))
    return redirect("desk:team")


@needs("manage_team")
@require_POST
def send_reset(request, user_id):
    """Email a colleague a link to set a new password: the admin never sees or sets it."""
    member = get_user_model().objects.filter(pk=user_id).first()
    if member is None:
        raise Http404
    try:
        sent = passwords.send_reset_link(member, actor=request.user)
    except Refused as refusal:
        _refused(request, refusal)
        return redirect("desk:team")
    if sent:
        messages.success(request, f"A link to set a new password was sent to {member.email}.")
    else:
        messages.error(request, "The email could not be sent: check the email settings (EMAIL_HOST).")
    return redirect("desk:team")


@needs("manage_team")
@require_POST
def publication(request):
    form = forms.PublicationForm(request.POST, instance=Publication.current())
    if not form.is_valid():
        return _team_page(request, publication_form=form, status=400)
    form.save()
    messages.success(request, "Publication saved. Articles published from now on carry the new disclaimer.")
    return redirect("desk:team")

