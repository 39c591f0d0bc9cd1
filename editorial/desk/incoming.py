"""The wire desk's incoming page: every source not yet taken, one row per story, with gists to read by; take
(order the draft, for a translator if named) or decline with a reason, by button or by key (j, k, t, d)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from editorial import roles, workflow
from editorial.errors import Refused
from editorial.models import Article
from editorial.wire import triage

from .access import needs

ROWS_PER_PAGE = 50


@needs("import_article")
def page(request):
    rows = Paginator(triage.incoming_rows(), ROWS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"nav": "incoming", "rows": rows, "translators": list(workflow.assignable_users())}
    if roles.may(request.user, "manage_team"):
        context["outlets"] = triage.outlet_figures()
        context["outlet_days"] = triage.OUTLET_DAYS
    return render(request, "desk/incoming.html", context)


def _back(request):
    """To the page of the list the editor was on."""
    page_number = request.POST.get("page", "")
    where = reverse("desk:incoming")
    return redirect(f"{where}?page={page_number}" if page_number.isdigit() else where)


def _source(article_id: int) -> None:
    if not Article.objects.filter(pk=article_id).exists():
        raise Http404


@needs("import_article")
@require_POST
def take(request, article_id):
    _source(article_id)
    assignee = request.POST.get("assignee", "").strip() or None
    try:
        workflow.apply(article_id, request.user, "draft", assignee=assignee)
    except Refused as refusal:
        messages.error(request, f"#{article_id}: {refusal.message}")
    else:
        then = f", then it goes to {assignee}" if assignee else ", then it waits to be assigned"
        messages.success(request, f"Taken: #{article_id} is being drafted{then}.")
    return _back(request)


@needs("import_article")
@require_POST
def decline(request, article_id):
    _source(article_id)
    try:
        workflow.apply(article_id, request.user, "decline", comment=request.POST.get("reason", ""))
    except Refused as refusal:
        messages.error(request, f"#{article_id}: {refusal.message}")
    else:
        messages.success(request, f"Declined #{article_id}. It stays findable under Articles, and Restore brings it "
                                  "back.")
    return _back(request)
