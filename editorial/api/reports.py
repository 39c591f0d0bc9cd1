"""Reports in the API (editors and admins): post-editing effort and time in each state."""

from django.conf import settings
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from editorial import reports

from .permissions import Needs
from .serializers import StrictCharField
from .views import _valid


class PostEditingQuery(serializers.Serializer):
    """?from=&to= (dates of first publication, inclusive), ?engine=, ?translator= (a username)."""

    def get_fields(self):
        # Declared here because "from" is a Python keyword.
        return {
            "from": serializers.DateField(required=False),
            "to": serializers.DateField(required=False),
            "engine": serializers.ChoiceField(choices=list(settings.MT_ENGINES), required=False),
            "translator": StrictCharField(max_length=150, required=False, allow_blank=True),  # blank: everyone
        }

    def to_internal_value(self, data):
        # DRF reads "?to=" as "not given"; the schema says a date (an engine's name), so an empty one is refused.
        empty = {name: ["Give a value, or leave the parameter out."]
                 for name in ("from", "to", "engine") if data.get(name) == ""}
        if empty:
            raise serializers.ValidationError(empty)
        return super().to_internal_value(data)

    def validate(self, data):
        if data.get("from") and data.get("to") and data["from"] > data["to"]:
            raise serializers.ValidationError({"to": ["The first day comes after the last one."]})
        return data


class PostEditingReportView(APIView):
    permission_classes = [Needs("view_reports")]

    @extend_schema(
        parameters=[PostEditingQuery],
        responses=inline_serializer("PostEditingReport", {
            "segments": serializers.IntegerField(), "overall": serializers.DictField(),
            **{name: serializers.ListField(child=serializers.DictField()) for name in (
                "by_engine", "by_translator", "by_month", "by_article", "time_in_state")},
        }),
    )
    def get(self, request):
        query = _valid(PostEditingQuery, request.query_params)
        return Response(reports.post_editing(
            date_from=query.get("from"), date_to=query.get("to"), engine=query.get("engine"),
            translator=query.get("translator") or None,
        ))
