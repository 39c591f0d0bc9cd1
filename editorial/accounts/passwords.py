"""Passwords: a person changes their own (their other sessions and their tokens end), asks for a reset link by
email (the same answer whoever asks, in the same time, rate-limited by the sign-in lockout), or an admin sends them
one. The links are Django's reset tokens (PASSWORD_RESET_TIMEOUT): a link works once, as the password it was made
for changes."""

from django.conf import settings
from django.contrib.auth import get_user_model, update_session_auth_hash
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from editorial import dispatch, signin
from editorial.errors import Refused
from editorial.models import UserSession

from . import audit, mail

RESET_LIMITED = "Too many reset requests from here. Wait 15 minutes and try again."


def change_own(request, user, password: str) -> None:
    """Set the user's new password (already checked by the form): this session stays, every other one ends, and
    their API token is deleted (editorial.credentials ends access on every password change)."""
    key = request.session.session_key
    user._keep_session_key = key
    user.set_password(password)
    user.save(update_fields=["password"])
    update_session_auth_hash(request, user)  # a new session key, still signed in
    UserSession.objects.filter(session_key=key).update(session_key=request.session.session_key)
    audit.record(audit.PASSWORD_CHANGED, subject=user, actor=user)


def reset_link(user) -> str:
    """The absolute reset link for this user, as it works now."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return mail.link(reverse("account:reset-confirm", kwargs={"uidb64": uid, "token": token}))


def send_reset_link(user, *, actor=None) -> bool:
    """Email the user a reset link (an admin's `actor`, or they asked); False when it could not be sent."""
    if not user.email:
        raise Refused(409, "no_email", f"{user.username} has no email address: add one in the admin site first.")
    sent = mail.send("password_reset", user.email, {"user": user, "link": reset_link(user), "by": actor,
                                                    "expires_hours": settings.PASSWORD_RESET_TIMEOUT // 3600})
    audit.record(audit.RESET_SENT, subject=user, actor=actor, sent=sent)
    return sent


def request_reset(address: str, email: str) -> None:
    """Someone asks for a reset link. Nothing in the answer says whether an account has that address, nor in its
    time: a background task looks the address up and sends the emails (`send_reset_links`); only a broker that
    cannot take the task makes the request send them itself. Counted by the sign-in lockout (429 `rate_limited`
    past it)."""
    if not signin.attempt(address, f"password-reset:{email}"):
        raise Refused(429, "rate_limited", RESET_LIMITED)
    asked = [email, *audit.where()]
    transaction.on_commit(lambda: dispatch.send(dispatch.RESET_LINKS, *asked, later="sending them in the request")
                          or send_reset_links(*asked))


def send_reset_links(email: str, address: str | None = None, user_agent: str = "") -> int:
    """For a reset asked for `email` (from `address`, with `user_agent`, as the audit log records it): a link to
    each active account with that address and a password, and their invitation again (a new link) to a colleague
    invited who has not yet set one. How many emails went out."""
    from .invitations import pending, resend

    sent = 0
    with audit.acting_from(address, user_agent):
        for user in get_user_model().objects.filter(email__iexact=email.strip(), is_active=True):
            if user.has_usable_password():
                sent += send_reset_link(user)
            elif (invitation := pending().filter(user=user).first()) is not None:
                sent += resend(invitation, actor=None)
    return sent


def reset_done(user) -> None:
    """The link was used: the new password is set (and every session and token of theirs has ended)."""
    audit.record(audit.PASSWORD_RESET, subject=user, actor=user)
