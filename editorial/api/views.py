"""API v1: one view per operation. Parse, ask the workflow or a service, render."""

from django.contrib.auth import authenticate, get_user_model
from django.db import transaction
from django.utils.dateparse import parse_date
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from editorial import (
    credentials,
    history,
    jobs,
    quality,
    roles,
    search,
    selectors,
    services,
    signin,
    syncing,
    workflow,
)
from editorial.accounts import audit, sessions, twofactor
from editorial.errors import Refused
from editorial.models import Article, Job, Publication
from translations import memory
from translations.machinery.base import engine_names, get_engine
from translations.machinery.check import check_engine
from translations.models import Segment

from . import serializers as s
from .permissions import Needs
from .throttling import LoginRateThrottle


def _valid(serializer_class, data, **kwargs):
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _article_or_404(article_id: int) -> Article:
    article = selectors.article_detail(article_id)
    if article is None:
        raise Refused(404, "not_found", f"There is no article {article_id}.")
    return article


def _ensure_article(article_id: int) -> Article:
    """The article row alone (no segments), or 404."""
    article = Article.objects.select_related("document").filter(pk=article_id).first()
    if article is None:
        raise Refused(404, "not_found", f"There is no article {article_id}.")
    return article


def _readable_article(request, article_id: int) -> Article:
    """The article row, or 404; 403 when the caller may not read it (workflow.read_refusal)."""
    article = _ensure_article(article_id)
    refusal = workflow.read_refusal(article, request.user)
    if refusal is not None:
        raise refusal
    return article


def _article_context(request) -> dict:
    return {"request": request, "publication": Publication.current()}


def _detail_context(request, article) -> dict:
    issues = quality.article_issues(article, list(article.document.segments.all()))
    return {**_article_context(request), "issues": issues}


def _article_response(request, article_id: int, status_code=200) -> Response:
    article = _article_or_404(article_id)
    return Response(s.ArticleOut(article, context=_detail_context(request, article)).data, status=status_code)


class TokenView(APIView):
    """POST: sign in for a token (anyone, behind the lockout). DELETE: revoke the token you are using."""

    throttle_classes = [LoginRateThrottle]
    throttle_scope = "login"

    # Only DELETE reads the caller's token: signing in with an expired token still in the header must work.
    def _revoking(self) -> bool:
        return getattr(self.request, "method", None) == "DELETE"

    def get_authenticators(self):
        return super().get_authenticators() if self._revoking() else []

    def get_permissions(self):
        return super().get_permissions() if self._revoking() else [AllowAny()]

    @extend_schema(request=s.TokenInput, responses=inline_serializer(
        "TokenOut", {"token": serializers.CharField(), "user": s.UserOut(), "expires_at": serializers.DateTimeField()}))
    def post(self, request):
        data = _valid(s.TokenInput, request.data)
        who = (request.META.get("REMOTE_ADDR", ""), data["username"])
        if not signin.attempt(*who):
            raise Refused(429, "locked_out", signin.LOCKED_MESSAGE)
        user = authenticate(request, username=data["username"], password=data["password"])
        if user is None:
            raise Refused(401, "authentication_failed", "Wrong username or password, or the account is disabled.")
        twofactor.check_for_token(user, data.get("otp"))  # a wrong code stays counted, as a wrong password
        signin.succeeded(*who)
        audit.record(audit.SIGNIN, subject=user, actor=user, via="api")
        token = credentials.issue_token(user)
        return Response({"token": token.key, "user": {"id": user.pk, "username": user.username,
                                                      "role": roles.role_of(user)},
                         "expires_at": credentials.expires_at(token).isoformat()})

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        if isinstance(request.auth, Token):
            sessions.revoke_token(request.user)  # logged, as when it is ended from the account page
        return Response(status=204)


class ArticleListView(GenericAPIView):
    serializer_class = s.ArticleSummaryOut

    @extend_schema(operation_id="articles_list", responses=s.ArticleSummaryOut(many=True), parameters=[
        OpenApiParameter("state", str), OpenApiParameter("assignee", str, description="'me' or a username"),
        OpenApiParameter("q", str, description="words, all to be found (Arabic folded; the last may be a prefix)"),
        OpenApiParameter("outlet", str), OpenApiParameter("keyword", str),
        OpenApiParameter("since", {"type": "string", "format": "date"}, description="imported on or after"),
        OpenApiParameter("until", {"type": "string", "format": "date"}, description="imported on or before"),
        OpenApiParameter("sort", {"type": "string", "enum": list(selectors.SORTS)},
                         description="default: relevance with q, else newest"),
        OpenApiParameter("page", {"type": "integer", "minimum": 1}),
    ])
    def get(self, request):
        params = request.query_params
        state = params.get("state") or None
        if state and state not in dict(Article._meta.get_field("state").choices):
            raise Refused(400, "invalid", f"Unknown state '{state}'.", {"state": ["Unknown state."]})
        sort = params.get("sort", "")
        if "sort" in params and sort not in selectors.SORTS:
            choices = ", ".join(selectors.SORTS)
            raise Refused(400, "invalid", f"Unknown sort '{sort}'.", {"sort": [f"One of {choices}."]})
        dates = {name: _date_param(params, name) for name in ("since", "until")}
        articles = selectors.article_search(
            user=request.user, state=state or "", assignee=params.get("assignee") or "", q=params.get("q") or "",
            outlet=params.get("outlet") or "", keyword=params.get("keyword") or "", sort=sort, **dates,
            for_api=True,  # ArticleSummaryOut's source.body and keywords
        )
        page = self.paginate_queryset(articles)
        if params.get("q"):  # where each matched: its words marked in the headline and in a snippet
            search.mark_found(page, params["q"])
        return self.get_paginated_response(s.ArticleSummaryOut(page, many=True, context=_article_context(request)).data)

    @extend_schema(request=s.ArticleCreateInput, responses={201: s.ArticleOut})
    def post(self, request):
        if not roles.may(request.user, "import_article"):
            raise Refused(403, "forbidden", roles.REFUSALS["import_article"])
        data = _valid(s.ArticleCreateInput, request.data)
        source = data["source"]
        article = services.import_article(
            user=request.user, title=source.get("title", ""), body=source.get("body", ""), language=source["language"],
            outlet=source["outlet"], author=source["author"], url=source["url"],
            published_at=source["published_at"], target_language=data["target_language"],
            keywords=data["keywords"], standfirst=data["standfirst"],
        )
        return _article_response(request, article.pk, status.HTTP_201_CREATED)


def _date_param(params, name: str):
    """A YYYY-MM-DD query parameter as a date (None when absent); 400 naming it when it is not a date."""
    if name not in params:
        return None
    value = params.get(name) or ""
    try:
        parsed = parse_date(value)
    except ValueError:
        parsed = None
    if parsed is None:
        raise Refused(400, "invalid", f"'{name}' is not a date (YYYY-MM-DD).", {name: ["A date, YYYY-MM-DD."]})
    return parsed


class ArticleDetailView(APIView):
    @extend_schema(responses=s.ArticleOut)
    def get(self, request, article_id):
        _readable_article(request, article_id)
        return _article_response(request, article_id)

    @extend_schema(request=s.ArticleUpdateInput, responses=s.ArticleOut)
    def patch(self, request, article_id):
        _ensure_article(article_id)
        data = _valid(s.ArticleUpdateInput, request.data)
        with transaction.atomic():  # all of it or nothing
            if "deadline" in data:
                services.set_deadline(article_id, request.user, data["deadline"])
            if {"standfirst", "keywords", "credit_story"} & set(data) or "deadline" not in data:
                services.update_details(article_id, request.user, version=data["version"],
                                        standfirst=data.get("standfirst"), keywords=data.get("keywords"),
                                        credit_story=data.get("credit_story"))
        return _article_response(request, article_id)


class ArticleActionView(APIView):
    @extend_schema(request=s.ActionInput, responses={200: s.ArticleOut, 202: inline_serializer(
        "DraftQueued", {"job": s.JobOut(), "article": s.ArticleOut()})})
    def post(self, request, article_id, action):
        _ensure_article(article_id)
        if action == "sync":  # not a move between states: an update of the source from the changed original
            article, _, job = syncing.sync(article_id, request.user)
            return self._answer(request, article_id, job)
        if action not in workflow.ACTIONS:
            raise Refused(404, "unknown_action", f"There is no action '{action}'.",
                          {"actions": [*workflow.ACTIONS, "sync"]})
        data = _valid(s.ActionInput, request.data)
        article, job = workflow.apply(
            article_id, request.user, action,
            comment=data["comment"], assignee=data["assignee"], publish_at=data["publish_at"],
        )
        return self._answer(request, article_id, job)

    def _answer(self, request, article_id, job):
        if job is not None:
            article = _article_or_404(article_id)
            body = {"job": s.JobOut(job).data,
                    "article": s.ArticleOut(article, context=_detail_context(request, article)).data}
            return Response(body, status=status.HTTP_202_ACCEPTED)
        return _article_response(request, article_id)


class SegmentView(APIView):
    @extend_schema(request=s.SegmentUpdateInput, responses=s.SegmentOut)
    def patch(self, request, article_id, segment_id):
        _ensure_article(article_id)
        data = _valid(s.SegmentUpdateInput, request.data)
        segment = services.save_segment(article_id, segment_id, request.user, text=data["text"],
                                        version=data["version"])
        issues = quality.article_issues(_ensure_article(article_id), [segment])
        return Response(s.SegmentOut(segment, context={"issues": issues}).data)


class OverrideInput(serializers.Serializer):
    code = s.StrictCharField(max_length=40)
    reason = s.StrictCharField(max_length=2000)


class OverrideView(APIView):
    @extend_schema(request=OverrideInput, responses={201: s.SegmentOut})
    def post(self, request, article_id, segment_id):
        _ensure_article(article_id)
        data = _valid(OverrideInput, request.data)
        quality.override(article_id, segment_id, request.user, code=data["code"], reason=data["reason"])
        segment = Segment.objects.select_related("changed_by").get(pk=segment_id)
        issues = quality.article_issues(_ensure_article(article_id), [segment])
        return Response(s.SegmentOut(segment, context={"issues": issues}).data, status=status.HTTP_201_CREATED)


class MemoryView(APIView):
    """Fuzzy and exact matches from the translation memory."""

    @extend_schema(
        parameters=[s.MemoryQuery],
        responses=inline_serializer("MemoryMatches", {"results": serializers.ListField(child=inline_serializer(
            "MemoryMatch", {"source": serializers.CharField(), "target": serializers.CharField(),
                            "score": serializers.IntegerField(),
                            "article": serializers.IntegerField(allow_null=True),
                            "translator": serializers.CharField(),
                            "published_at": serializers.DateTimeField(allow_null=True)}))}),
    )
    def get(self, request):
        query = _valid(s.MemoryQuery, request.query_params)
        matches = memory.fuzzy_matches(query["q"], query["source"], query["target"], limit=10)
        articles = selectors.article_ids_by_document(m.document_id for m in matches)
        return Response({"results": [
            {"source": m.source, "target": m.target, "score": m.score, "article": articles.get(m.document_id),
             "translator": m.translator, "published_at": m.published_at.isoformat() if m.published_at else None}
            for m in matches
        ]})


class HistoryView(GenericAPIView):
    serializer_class = s.RevisionOut

    @extend_schema(operation_id="articles_history_list", responses=s.RevisionOut(many=True))
    def get(self, request, article_id):
        article = _readable_article(request, article_id)
        page = self.paginate_queryset(history.revisions(article))
        return self.get_paginated_response(s.RevisionOut(page, many=True).data)


class RevisionView(APIView):
    @extend_schema(responses=inline_serializer("ArticleAtRevision", {
        "revision": serializers.IntegerField(), "title": serializers.CharField(),
        "state": serializers.CharField(), "standfirst": serializers.CharField(),
        "keywords": serializers.ListField(child=serializers.CharField()),
        "segments": serializers.ListField(child=serializers.DictField()),
    }))
    def get(self, request, article_id, revision_id):
        return Response(history.article_at(_readable_article(request, article_id), revision_id))


class RevertView(APIView):
    @extend_schema(request=s.RevertInput, responses=s.ArticleOut)
    def post(self, request, article_id, revision_id):
        _ensure_article(article_id)
        data = _valid(s.RevertInput, request.data)
        services.revert(article_id, revision_id, request.user, segment_id=data["segment"])
        return _article_response(request, article_id)


class DiffView(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("from", {"type": "integer", "minimum": 0}, required=True),
                    OpenApiParameter("to", {"type": "string", "pattern": "^(current|[0-9]+)$"},
                                     description="a revision id or 'current'")],
        responses=inline_serializer("ArticleDiff", {
            "from": serializers.IntegerField(), "to": serializers.CharField(),
            "segments": serializers.ListField(child=serializers.DictField()),
        }),
    )
    def get(self, request, article_id):
        article = _readable_article(request, article_id)
        query = _valid(s.RevisionQuery, request.query_params)
        return Response(history.diff(article, query["from"], query["to"]))


class JobView(APIView):
    @extend_schema(responses=s.JobOut)
    def get(self, request, job_id):
        job = Job.objects.select_related("article").filter(pk=job_id).first()
        if job is None:
            raise Refused(404, "not_found", f"There is no job {job_id}.")
        refusal = workflow.job_read_refusal(job, request.user)
        if refusal is not None:
            raise refusal
        return Response(s.JobOut(job).data)


class JobRetryView(APIView):
    @extend_schema(request=None, responses=s.JobOut)
    def post(self, request, job_id):
        if not Job.objects.filter(pk=job_id).exists():
            raise Refused(404, "not_found", f"There is no job {job_id}.")
        return Response(s.JobOut(jobs.retry(job_id, request.user)).data)


class MachineTranslationView(APIView):
    permission_classes = [Needs("manage_team")]
    """Which engine drafts, and a test translation with it (admins)."""

    @extend_schema(responses=inline_serializer("EngineInfo", {
        "engine": serializers.CharField(), "engines": serializers.ListField(child=serializers.CharField()),
        "configuration": serializers.DictField()}))
    def get(self, request):
        engine = get_engine()
        return Response({"engine": engine.name, "engines": engine_names(), "configuration": engine.describe()})

    @extend_schema(request=None, responses=inline_serializer("EngineCheck", {
        "ok": serializers.BooleanField(), "engine": serializers.CharField(),
        "translation": serializers.CharField(allow_null=True), "error": serializers.CharField(allow_null=True),
        "seconds": serializers.FloatField()}))
    def post(self, request):
        return Response(check_engine())


class UserListView(GenericAPIView):
    permission_classes = [Needs("manage_team")]
    serializer_class = s.UserOut

    @extend_schema(operation_id="users_list", responses=s.UserOut(many=True))
    def get(self, request):
        page = self.paginate_queryset(selectors.users())
        return self.get_paginated_response(s.UserOut(page, many=True).data)

    @extend_schema(request=s.UserCreateInput, responses={201: s.UserOut})
    def post(self, request):
        data = _valid(s.UserCreateInput, request.data)
        user = roles.add_member(data["username"], data["email"], data["password"], data["role"],
                                 actor=request.user)
        return Response(s.UserOut(user).data, status=status.HTTP_201_CREATED)


class UserDetailView(APIView):
    permission_classes = [Needs("manage_team")]
    @extend_schema(request=s.UserUpdateInput, responses=s.UserOut)
    def patch(self, request, user_id):
        user = get_user_model().objects.filter(pk=user_id).first()
        if user is None:
            raise Refused(404, "not_found", f"There is no user {user_id}.")
        data = _valid(s.UserUpdateInput, request.data)
        roles.change_member(request.user, user, role=data.get("role"), is_active=data.get("is_active"))
        return Response(s.UserOut(user).data)
