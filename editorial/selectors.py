"""The reads: article lists and details with a constant number of queries."""

from django.contrib.auth import get_user_model
from django.db.models import Count, F, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce

from translations.models import LIST_DEFERRED, Segment

from . import quality, search, workflow
from .models import Article, Delivery


def _base(*, keywords: bool = True):
    articles = workflow.with_workflow_facts(Article.objects.select_related("document", "assignee", "wire"))
    return articles.prefetch_related("keywords") if keywords else articles


def listed(articles, *, for_api: bool = False):
    """A list's articles: their documents without the texts no list shows (nor the source's body, which only the
    API's lists return). Each text is a whole article, stored compressed, which PostgreSQL decompresses as it
    sends it: reading a page's 25 articles with their documents took 7 ms with the texts, 3 without."""
    deferred = LIST_DEFERRED if for_api else (*LIST_DEFERRED, "source_body")
    return articles.defer(*(f"document__{name}" for name in deferred))


def article_detail(article_id: int) -> Article | None:
    """One article with its segments, keywords and deliveries: six queries whatever its length."""
    segments = Segment.objects.select_related("changed_by").order_by("position")
    return _base().prefetch_related(Prefetch("document__segments", queryset=segments),
                                    Prefetch("deliveries", queryset=Delivery.objects.select_related("target"))
                                    ).filter(pk=article_id).first()


def article_list(*, user, state: str | None = None, assignee: str | None = None, for_api: bool = False):
    """The articles `user` may read (workflow.readable_by), newest first, with their translated headline
    (`title_text`, None until there is one) and progress counted in the database. The API's lists (`for_api`)
    also return the source's body (`listed`) and the keywords, which no desk card shows (their prefetch cost
    the desk a query and 25 managers a page)."""
    titles = Segment.objects.filter(document_id=OuterRef("document_id"), kind=Segment.Kind.TITLE)
    articles = listed(_base(keywords=for_api), for_api=for_api).filter(workflow.readable_by(user)).annotate(
        title_text=Subquery(titles.values("text")[:1]),
        segments_total=_segment_count(), segments_done=_segment_count(~Q(text="") & Q(text__isnull=False)))
    if state:
        articles = articles.filter(state=state)
    if assignee == "me":
        articles = articles.filter(assignee=user)
    elif assignee:
        articles = articles.filter(assignee__username=assignee)
    return articles.order_by("-created_at", "-id")


def _segment_count(condition: Q | None = None):
    """How many segments of the article (those `condition` selects) as a subquery of its row: the database
    counts them only for the rows a page shows, never for every article the list could hold (a join counted
    every segment of every article, and one of 2,000 segments made a page take seconds). Segment.objects leaves
    out the segments an update from the original removed."""
    counted = (Segment.objects.filter(condition or Q(), document_id=OuterRef("document_id")).order_by()
               .values("document_id").annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(counted), 0)


def card_facts(articles):
    """What a desk card shows beside the title: overdue or not, changes requested or not."""
    for article in articles:
        article.overdue = workflow.overdue(article)
        article.changes_requested = workflow.request_stands(article.state, getattr(article, "review_action", None))
    return articles


SORTS = {
    "relevance": ("-rank", "-created_at", "-id"),  # with a search only (editorial.search ranks the matches)
    "newest": ("-created_at", "-id"),
    "oldest": ("created_at", "id"),
    "updated": ("-updated_at", "-id"),
    "deadline": (F("deadline").asc(nulls_last=True), "-id"),
}


def article_search(*, user, q="", state="", assignee="", outlet="", keyword="", since=None, until=None,
                   sort="", for_api: bool = False):
    """The desk's article search: `article_list` narrowed by outlet, keyword and import date, sorted, as a
    sequence the paginators read as they read a queryset: `IdsFirst`, or with `q` the matches as a
    `search.Results`."""
    articles = article_list(user=user, state=state or None, assignee=assignee or None, for_api=for_api)
    if outlet:
        articles = articles.filter(source_outlet__icontains=outlet)
    if keyword:
        articles = articles.filter(keywords__name__iexact=keyword)
    if since:
        articles = articles.filter(created_at__date__gte=since)
    if until:
        articles = articles.filter(created_at__date__lte=until)
    if sort == "relevance" and not q:
        sort = "newest"
    ordering = SORTS.get(sort or ("relevance" if q else "newest"), SORTS["newest"])
    if q:  # the matches, as a sequence the paginators read (search.Results)
        return search.ranked(articles, q, ordering)
    return IdsFirst(articles.order_by(*ordering))


class IdsFirst(search.ArticlePages):
    """A list of articles read a page in two queries: the page's ids, by the filters and the order alone, then
    the rows with everything the list shows for those ids. In one query PostgreSQL worked out every row OFFSET
    skips: page 40 of the desk list computed the progress, headline and review subqueries of 1,000 articles to
    show 25 (the desk list's median 87 ms that way, 36 ms this way, measured request by request in one
    process)."""

    def count(self) -> int:
        return self.articles.count()  # Django leaves the annotations out of the COUNT

    def _ids(self, index: slice) -> list[int]:
        return list(self.articles.values_list("pk", flat=True)[index])


def users():
    return get_user_model().objects.prefetch_related("groups").order_by("username")


def team(limit: int | None = None) -> list:
    """The users for the desk's team lists, each with `.role` as roles.role_of gives it and `.invited` while
    they have not yet accepted their invitation, `.two_factor` when they sign in with a second factor."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from . import roles
    from .models import Invitation

    members = list(users()[:limit] if limit else users())
    invited = set(Invitation.objects.filter(accepted_at__isnull=True, user__in=members).values_list("user_id",
                                                                                                  flat=True))
    two_factor = set(TOTPDevice.objects.filter(confirmed=True, user__in=members).values_list("user_id", flat=True))
    for member in members:
        member.role = roles.role_of(member)
        member.invited = member.pk in invited
        member.two_factor = member.pk in two_factor
    return members


SECTION_SIZE = 20


def desk_sections(user) -> list[dict]:
    """The dashboard for this user's role: titled lists of articles, each one query-bounded."""
    from .models import Job, State

    def listing(**filters):
        drafting = Job.objects.filter(kind=Job.Kind.DRAFT, state__in=Job.ACTIVE)
        active_jobs = Prefetch("jobs", queryset=drafting, to_attr="active_jobs")
        articles = workflow.with_review_facts(article_list(user=user))  # the home's cards show a standing request
        articles = list(articles.filter(**filters).prefetch_related(active_jobs)[:SECTION_SIZE])
        return card_facts(articles)

    if not user.has_perm("editorial.edit_any_article"):
        sections = [
            {"key": "mine", "title": "My work",
             "articles": listing(assignee=user, state__in=[State.TRANSLATION, State.EDITING])},
            {"key": "claimable", "title": "Available to claim", "articles": listing(state=State.MACHINE_DRAFT)},
        ]
    else:
        sections = _editor_sections(listing)
    # The work in hand shows its open quality errors: a finished-looking bar must not hide them.
    in_hand = [a for section in sections if section["key"] in ("mine", "translation", "review")
               for a in section["articles"]]
    errors = quality.open_error_counts(in_hand)
    for article in in_hand:
        article.open_errors = errors[article.pk]
    return sections


def _editor_sections(listing) -> list[dict]:
    from .models import State

    return [
        {"key": "incoming", "title": "Incoming sources", "articles": listing(state=State.SOURCE, draft_running=False)},
        {"key": "drafting", "title": "Drafting", "articles": listing(state=State.SOURCE, draft_running=True)},
        {"key": "drafted", "title": "Drafted, to assign", "articles": listing(state=State.MACHINE_DRAFT)},
        {"key": "translation", "title": "In translation", "articles": listing(state=State.TRANSLATION)},
        {"key": "review", "title": "Waiting for review", "articles": listing(state=State.EDITING)},
        {"key": "scheduled", "title": "Scheduled", "articles": listing(state=State.SCHEDULED)},
        {"key": "published", "title": "Recently published", "articles": listing(state=State.PUBLISHED)},
        {"key": "archived", "title": "Archived", "articles": listing(state=State.ARCHIVED)},
    ]


def changed_in_review(article: Article, request) -> list[Segment]:
    """The segments the editor who requested changes edited in that review round (since the submit before)."""
    if request is None or request.user_id is None:
        return []
    submitted = (article.state_changes.filter(action="submit", created_at__lte=request.created_at)
                 .order_by("-created_at", "-id").values_list("created_at", flat=True).first())
    edits = Segment.objects.filter(document_id=article.document_id, changed_by_id=request.user_id,
                                   changed_at__lte=request.created_at)
    if submitted is not None:
        edits = edits.filter(changed_at__gte=submitted)
    return list(edits.order_by("position"))


def article_ids_by_document(document_ids) -> dict[int, int]:
    """The article of each document (memory matches name documents; people want the article), in one query."""
    ids = {pk for pk in document_ids if pk}
    return dict(Article.objects.filter(document_id__in=ids).values_list("document_id", "pk")) if ids else {}
