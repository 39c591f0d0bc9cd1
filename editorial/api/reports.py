"""Reports in the API (editors and admins): post-editing effort and time in each state."""

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from editorial import reports

from .serializers import StrictCharField
from .views import _require, _valid


class PostEditingQuery(serializers.Serializer):
    """?from=&to= (dates of first publication, inclusive), ?engine=, ?translator= (a username)."""

    def get_fields(self):
        # Declared here because "from" is a Python keyword.
        return {
            "from": serializers.DateField(required=False),
            "to": serializers.DateField(required=False),
            "engine": serializers.ChoiceField(choices=list(settings.MT_ENGINES), required=False),
            "translator": StrictCharField(max_length=150, required=False),
        }

    def validate(self, data):
        if data.get("from") and data.get("to") and data["from"] > data["to"]:
            raise serializers.ValidationError({"to": ["The first day comes after the last one."]})
        return data


class PostEditingReportView(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("from", str, description="YYYY-MM-DD"),
                    OpenApiParameter("to", str, description="YYYY-MM-DD"),
                    OpenApiParameter("engine", str), OpenApiParameter("translator", str)],
        responses=inline_serializer("PostEditingReport", {
            "segments": serializers.IntegerField(), "overall": serializers.DictField(),
            **{name: serializers.ListField(child=serializers.DictField()) for name in (
                "by_engine", "by_translator", "by_month", "by_article", "time_in_state")},
        }),
    )
    def get(self, request):
        _require(request.user, "editorial.view_reports", "Only editors and admins see the reports.")
        query = _valid(PostEditingQuery, request.query_params)
        return Response(reports.post_editing(
            date_from=query.get("from"), date_to=query.get("to"), engine=query.get("engine"),
            translator=query.get("translator") or None,
        ))
