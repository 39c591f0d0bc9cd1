"""Invitations: an admin adds a colleague by name, email and role; the colleague gets a link, single-use and valid
INVITATION_HOURS, to set their own password. Until then the account has no usable password and the team page
shows them as invited; the admin can resend (a new link, the old one stops working) or cancel (the account goes).

Only a SHA-256 of the link's secret is stored, so the table does not hold working links.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from editorial import roles
from editorial.errors import Refused
from editorial.models import Invitation

from . import audit, mail


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _new_link(invitation: Invitation) -> str:
    """Give the invitation a fresh secret and lifetime (not saved); the link to send."""
    secret = secrets.token_urlsafe(32)
    invitation.secret_hash = _hash(secret)
    invitation.sent_at = timezone.now()
    invitation.expires_at = invitation.sent_at + timedelta(hours=settings.INVITATION_HOURS)
    return mail.link(reverse("account:invitation", kwargs={"secret": secret}))


def _send(invitation: Invitation, link: str) -> bool:
    return mail.send("invitation", invitation.user.email, {
        "user": invitation.user, "by": invitation.invited_by, "link": link, "role": roles.role_of(invitation.user),
        "hours": settings.INVITATION_HOURS})


def invite(*, actor, username: str, email: str, role: str) -> tuple[Invitation, bool]:
    """A new account in `role` with no password yet, and the link emailed to `email`; (invitation, sent)."""
    with transaction.atomic():
        user = roles.add_member(username, email, None, role, actor=actor)
        invitation = Invitation(user=user, invited_by=actor)
        link = _new_link(invitation)
        invitation.save()
        audit.record(audit.INVITED, subject=user, actor=actor, email=email, role=role)
    return invitation, _send(invitation, link)


def pending():
    """The invitations not yet accepted, newest first."""
    return Invitation.objects.filter(accepted_at__isnull=True).select_related("user", "invited_by") \
        .order_by("-sent_at")


def pending_or_404(invitation_id: int) -> Invitation:
    invitation = pending().filter(pk=invitation_id).first()
    if invitation is None:
        raise Refused(404, "not_found", f"There is no open invitation {invitation_id}.")
    return invitation


def resend(invitation: Invitation, *, actor) -> bool:
    """A new link (the one sent before stops working), valid INVITATION_HOURS from now."""
    with transaction.atomic():
        link = _new_link(invitation)
        invitation.save(update_fields=["secret_hash", "sent_at", "expires_at"])
        audit.record(audit.INVITATION_RESENT, subject=invitation.user, actor=actor)
    return _send(invitation, link)


def cancel(invitation: Invitation, *, actor) -> None:
    """The invitation and the account it made go (nobody ever signed in with it)."""
    user = invitation.user
    with transaction.atomic():
        audit.record(audit.INVITATION_CANCELLED, subject=user, actor=actor, username=user.username, email=user.email)
        user.delete()


def find(secret: str) -> Invitation | None:
    """The open, unexpired invitation a link names, or None (used, cancelled, resent since, or too old)."""
    invitation = pending().filter(secret_hash=_hash(secret)).first()
    if invitation is None or invitation.expires_at <= timezone.now():
        return None
    return invitation


def accept(secret: str, password: str):
    """The colleague sets their password (already checked by the form): the link is used up."""
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().filter(
            secret_hash=_hash(secret), accepted_at__isnull=True, expires_at__gt=timezone.now()).first()
        if invitation is None:
            raise Refused(404, "invitation_invalid", "This invitation was used, cancelled or has expired.")
        user = invitation.user
        user.set_password(password)
        user.save(update_fields=["password"])
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
        audit.record(audit.INVITATION_ACCEPTED, subject=user, actor=user)
    return user
