"""The originals behind an article, for editors: its snapshots with their fingerprints, and the bytes of each."""

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from editorial import watch, workflow
from editorial.api.serializers import StrictBooleanField, StrictCharField
from editorial.api.views import _valid as valid
from editorial.errors import Refused
from editorial.models import Article, SourceSnapshot

SNAPSHOT_FIELDS = {
    "id": serializers.IntegerField(), "sha256": serializers.CharField(), "text_sha256": serializers.CharField(),
    "kind": serializers.CharField(), "retrieved_at": serializers.DateTimeField(),
    "final_url": serializers.CharField(), "status": serializers.IntegerField(allow_null=True),
    "content_type": serializers.CharField(), "size": serializers.IntegerField(),
}


def _article_for_editor(request, article_id: int) -> Article:
    article = Article.objects.filter(pk=article_id).first()
    if article is None:
        raise Refused(404, "not_found", f"There is no article {article_id}.")
    if not workflow.may_edit_any(request.user):
        raise Refused(403, "forbidden", "Only editors and admins read an article's originals.")
    return article


class SnapshotListView(APIView):
    @extend_schema(responses=inline_serializer("Snapshot", SNAPSHOT_FIELDS, many=True))
    def get(self, request, article_id):
        article = _article_for_editor(request, article_id)
        rows = SourceSnapshot.objects.filter(article=article).select_related("content").defer("content__data")
        return Response([
            {"id": s.pk, "sha256": s.sha256, "text_sha256": s.text_sha256, "kind": s.kind,
             "retrieved_at": s.retrieved_at.isoformat(), "final_url": s.final_url, "status": s.status,
             "content_type": s.content_type, "size": s.content.size}
            for s in rows
        ])


class SnapshotRawView(APIView):
    @extend_schema(responses={(200, "application/octet-stream"): OpenApiResponse(description="the bytes as received")})
    def get(self, request, article_id, snapshot_id):
        article = _article_for_editor(request, article_id)
        snapshot = SourceSnapshot.objects.filter(article=article, pk=snapshot_id).select_related("content").first()
        if snapshot is None:
            raise Refused(404, "not_found", "This article has no such snapshot.")
        response = HttpResponse(bytes(snapshot.content.data), content_type=snapshot.content_type
                                or "application/octet-stream")
        response["Content-Disposition"] = f'attachment; filename="article-{article.pk}-{snapshot.sha256[:12]}.orig"'
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "sandbox"
        response["Digest"] = f"sha-256={snapshot.sha256}"
        return response


class WatchCheckView(APIView):
    @extend_schema(request=None, responses=inline_serializer("WatchOutcome", {
        "outcome": serializers.ChoiceField(choices=["unchanged", "edited", "gone", "unreachable"]),
        "edited": serializers.ListField(child=serializers.IntegerField()),
        "removed": serializers.ListField(child=serializers.IntegerField()),
        "added": serializers.ListField(child=serializers.IntegerField()),
        "detail": serializers.CharField()}))
    def post(self, request, article_id):
        _article_for_editor(request, article_id)
        return Response(watch.check(article_id, request.user).as_dict())


class WatchSwitchInput(serializers.Serializer):
    enabled = StrictBooleanField()


class WatchSwitchView(APIView):
    @extend_schema(request=WatchSwitchInput, responses=inline_serializer("WatchSwitch", {
        "enabled": serializers.BooleanField()}))
    def patch(self, request, article_id):
        _article_for_editor(request, article_id)
        data = valid(WatchSwitchInput, request.data)
        return Response({"enabled": watch.switch(article_id, request.user, data["enabled"]).watch_enabled})


class DecisionInput(serializers.Serializer):
    choice = serializers.ChoiceField(choices=[watch.KEEP, watch.CORRECT, watch.UNPUBLISH])
    comment = StrictCharField(max_length=2000, required=False, default="", allow_blank=True)


class WatchDecisionView(APIView):
    @extend_schema(request=DecisionInput, responses=inline_serializer("WatchDecision", {
        "decision": serializers.CharField(), "state": serializers.CharField()}))
    def post(self, request, article_id):
        _article_for_editor(request, article_id)
        data = valid(DecisionInput, request.data)
        article = watch.decide(article_id, request.user, data["choice"], data["comment"])
        return Response({"decision": article.watch_decision, "state": article.state})
