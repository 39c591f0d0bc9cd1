"""Publish targets, for admins: where published articles also go (WordPress, webhooks). Secrets are write-only."""

from django.core.validators import URLValidator
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from editorial import targets
from editorial.errors import Refused
from editorial.models import PublishTarget

from .permissions import Needs
from .serializers import StrictBooleanField, StrictCharField
from .views import _valid

# What a target's options may hold, as the schema says it; which of them a kind takes, and their checks, are the
# target classes' own (`Target.option_fields`, applied by `targets.clean_options`).
OPTIONS_SCHEMA = {
    "type": "object", "additionalProperties": False,
    "properties": {
        "category": {"type": "integer", "minimum": 1, "nullable": True,
                     "description": "WordPress: the id of the category posts go in (null: none)."},
        "unpublish": {"type": "string", "enum": ["draft", "trash", None], "nullable": True,
                      "description": "WordPress: what unpublishing does to the post (null: draft)."},
    },
}


@extend_schema_field(OPTIONS_SCHEMA)
class OptionsField(serializers.DictField):
    """A target's options (checked by its kind's class)."""


class TargetInput(serializers.Serializer):
    """A target to add; with partial=True, the fields to change (a secret left out stays as it was)."""

    kind = serializers.ChoiceField(choices=["wordpress", "webhook"])
    name = StrictCharField(max_length=200)
    url = StrictCharField(max_length=1000, validators=[
        URLValidator(schemes=["http", "https"], message="Give the target's full http:// or https:// address.")])
    username = StrictCharField(max_length=200, required=False, allow_blank=True, default="")
    secret = StrictCharField(max_length=500, required=False, allow_blank=True, write_only=True,
                             help_text="The Application Password or the webhook key: never shown back.")
    enabled = StrictBooleanField(default=True)
    options = OptionsField(required=False, default=dict)


class TargetChangeInput(TargetInput):
    """The fields of a target to change: its kind stays (add another target for another kind)."""

    kind = None


class TargetOut(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    name = serializers.CharField()
    url = serializers.CharField()
    username = serializers.CharField(allow_blank=True)
    has_secret = serializers.SerializerMethodField()
    enabled = serializers.BooleanField()
    options = serializers.DictField()
    created_at = serializers.DateTimeField()

    def get_has_secret(self, row) -> bool:
        return bool(row.secret)


def _target_or_404(target_id: int) -> PublishTarget:
    row = PublishTarget.objects.filter(pk=target_id).first()
    if row is None:
        raise Refused(404, "not_found", f"There is no publish target {target_id}.")
    return row


class TargetListView(APIView):
    permission_classes = [Needs("manage_team")]

    @extend_schema(operation_id="targets_list", responses=TargetOut(many=True))
    def get(self, request):
        return Response(TargetOut(PublishTarget.objects.all(), many=True).data)

    @extend_schema(request=TargetInput, responses={201: TargetOut})
    def post(self, request):
        row = targets.add(**_valid(TargetInput, request.data))
        return Response(TargetOut(row).data, status=status.HTTP_201_CREATED)


class TargetDetailView(APIView):
    permission_classes = [Needs("manage_team")]

    @extend_schema(request=TargetChangeInput(partial=True), responses=TargetOut)
    def patch(self, request, target_id):
        row = targets.change(_target_or_404(target_id), **_valid(TargetChangeInput, request.data, partial=True))
        return Response(TargetOut(row).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, target_id):
        _target_or_404(target_id).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class TargetCheckView(APIView):
    permission_classes = [Needs("manage_team")]

    @extend_schema(request=None, responses=inline_serializer("TargetCheck", {"ok": serializers.BooleanField(),
                                                                            "message": serializers.CharField()}))
    def post(self, request, target_id):
        return Response({"ok": True, "message": targets.check(_target_or_404(target_id))})
