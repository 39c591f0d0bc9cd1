"""Accounts in the API: the audit log and reset links (admins). Views parse, call editorial.accounts, render."""

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from editorial.accounts import audit, passwords
from editorial.errors import Refused

from .permissions import Needs
from .views import _valid


class AuditQuery(serializers.Serializer):
    subject = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1,
                                       help_text="The id of the user the events are about.")
    action = serializers.ChoiceField(choices=audit.ACTIONS, required=False)


class AccountEventOut(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    action = serializers.CharField()
    actor = serializers.CharField(source="actor.username", allow_null=True, default=None)
    subject = serializers.CharField(source="subject.username", allow_null=True, default=None)
    subject_id = serializers.IntegerField(allow_null=True)
    address = serializers.CharField(allow_null=True)
    user_agent = serializers.CharField(allow_blank=True)
    details = serializers.DictField()


class AuditListView(GenericAPIView):
    """The account audit log, newest first: who did what to whom, from which address and when."""

    permission_classes = [Needs("manage_team")]
    serializer_class = AccountEventOut

    @extend_schema(operation_id="audit_list", parameters=[AuditQuery], responses=AccountEventOut(many=True))
    def get(self, request):
        query = _valid(AuditQuery, request.query_params)
        page = self.paginate_queryset(audit.events(subject=query.get("subject"), action=query.get("action")))
        return self.get_paginated_response(AccountEventOut(page, many=True).data)


def _member_or_404(user_id: int):
    member = get_user_model().objects.filter(pk=user_id).first()
    if member is None:
        raise Refused(404, "not_found", f"There is no user {user_id}.")
    return member


class PasswordResetView(APIView):
    """Email a member a link to set a new password (their own email; nobody sees or sets it for them)."""

    permission_classes = [Needs("manage_team")]

    @extend_schema(request=None, responses={202: inline_serializer("ResetSent", {"sent": serializers.BooleanField(
        help_text="False when the mail server refused it.")})})
    def post(self, request, user_id):
        member = _member_or_404(user_id)
        return Response({"sent": passwords.send_reset_link(member, actor=request.user)}, status=202)
