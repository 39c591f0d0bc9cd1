"""Accounts in the API (admins): the audit log, reset links, invitations. Views parse, call editorial.accounts."""

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from editorial import roles
from editorial.accounts import audit, invitations, passwords, twofactor
from editorial.errors import Refused

from .permissions import Needs
from .serializers import StrictCharField, UserCreateInput, UserOut
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
        # A plain dict: DRF reads an empty value in a QueryDict as absent, and `?action=` must be refused.
        query = _valid(AuditQuery, {k: v for k, v in request.query_params.items() if k in ("subject", "action")})
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


class InvitationInput(serializers.Serializer):
    username = StrictCharField(max_length=150)
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=roles.ROLES)

    validate_username = UserCreateInput.validate_username


class InvitationOut(serializers.Serializer):
    id = serializers.IntegerField()
    user = UserOut()
    invited_by = serializers.CharField(source="invited_by.username", allow_null=True, default=None)
    sent_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()


class InvitationSentOut(InvitationOut):
    sent = serializers.BooleanField(help_text="False when the mail server refused the email: resend it.")


class InvitationListView(GenericAPIView):
    """Invite a colleague by name, email and role (they set their own password from the emailed link), or list the
    invitations not yet accepted."""

    permission_classes = [Needs("manage_team")]
    serializer_class = InvitationOut

    @extend_schema(operation_id="invitations_list", responses=InvitationOut(many=True))
    def get(self, request):
        page = self.paginate_queryset(invitations.pending())
        return self.get_paginated_response(InvitationOut(page, many=True).data)

    @extend_schema(request=InvitationInput, responses={201: InvitationSentOut})
    def post(self, request):
        data = _valid(InvitationInput, request.data)
        invitation, sent = invitations.invite(actor=request.user, **data)
        invitation.sent = sent
        return Response(InvitationSentOut(invitation).data, status=201)


class InvitationDetailView(APIView):
    permission_classes = [Needs("manage_team")]

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, invitation_id):
        """Cancel: the link stops working and the account it made is removed."""
        invitations.cancel(invitations.pending_or_404(invitation_id), actor=request.user)
        return Response(status=204)


class InvitationResendView(APIView):
    permission_classes = [Needs("manage_team")]

    @extend_schema(request=None, responses={200: InvitationSentOut})
    def post(self, request, invitation_id):
        """A new link, valid INVITATION_HOURS from now; the one sent before stops working."""
        invitation = invitations.pending_or_404(invitation_id)
        invitation.sent = invitations.resend(invitation, actor=request.user)
        return Response(InvitationSentOut(invitation).data)


class TwoFactorResetView(APIView):
    """A member lost their phone: their second factor goes (logged), their sessions and token end, and they set it
    up again at their next sign-in when their role requires it."""

    permission_classes = [Needs("manage_team")]

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, user_id):
        twofactor.turn_off(_member_or_404(user_id), actor=request.user)
        return Response(status=204)
