"""What lets a person in, and what ends it: API tokens with a lifetime, and sessions we can find and end.

- A token lives API_TOKEN_DAYS from when it was issued; an expired token is refused with `token_expired` and
  deleted, and signing in again issues a new one.
- A password change, wherever it happens (`adduser`, the admin site, the team page), deletes the person's
  tokens and ends their sessions. Deactivation does the same, so reactivating brings nothing old back.
- Every session is recorded at sign-in (`UserSession`), so it can be found and ended without decoding every
  session in the store.
"""

from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db import transaction
from django.db.models.signals import post_save, pre_save
from django.utils import timezone
from rest_framework.authtoken.models import Token

from .models import UserSession


def expires_at(token: Token):
    """When the token stops working."""
    return token.created + timedelta(days=settings.API_TOKEN_DAYS)


def token_expired(token: Token, now=None) -> bool:
    return expires_at(token) <= (now or timezone.now())


def issue_token(user) -> Token:
    """The user's token, a new one when theirs has expired."""
    with transaction.atomic():
        token = Token.objects.select_for_update().filter(user=user).first()
        if token is not None and token_expired(token):
            token.delete()
            token = None
        return token or Token.objects.create(user=user)


def end_access(user, keep_session: str | None = None) -> int:
    """Delete the user's tokens and end all their sessions but `keep_session` (the one changing its own
    password); returns how many sessions ended."""
    Token.objects.filter(user=user).delete()
    store = import_module(settings.SESSION_ENGINE).SessionStore
    ended = 0
    rows = UserSession.objects.filter(user=user).exclude(session_key=keep_session or "")
    for key in rows.values_list("session_key", flat=True):
        store(session_key=key).delete()
        ended += 1
    rows.delete()
    return ended


def _remember_session(sender, request, user, **kwargs):
    if getattr(request, "session", None) is not None and request.session.session_key:
        UserSession.objects.update_or_create(session_key=request.session.session_key, defaults={
            "user": user, "address": request.META.get("REMOTE_ADDR") or None,
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300]})


def _forget_session(sender, request, user, **kwargs):
    if getattr(request, "session", None) is not None and request.session.session_key:
        UserSession.objects.filter(session_key=request.session.session_key).delete()


def _note_password_or_activity(sender, instance, **kwargs):
    """Before a user is saved: did the password change, or were they deactivated?"""
    instance._access_changed = False
    if instance.pk is None:
        return
    before = sender.objects.filter(pk=instance.pk).values("password", "is_active").first()
    if before is not None:
        instance._access_changed = before["password"] != instance.password or (
            before["is_active"] and not instance.is_active)


def _end_access_if_changed(sender, instance, created, **kwargs):
    if getattr(instance, "_access_changed", False):
        instance._access_changed = False
        end_access(instance, keep_session=getattr(instance, "_keep_session_key", None))
        instance._keep_session_key = None


def connect() -> None:
    user_model = get_user_model()
    user_logged_in.connect(_remember_session, dispatch_uid="editorial.credentials.login")
    user_logged_out.connect(_forget_session, dispatch_uid="editorial.credentials.logout")
    pre_save.connect(_note_password_or_activity, sender=user_model, dispatch_uid="editorial.credentials.pre")
    post_save.connect(_end_access_if_changed, sender=user_model, dispatch_uid="editorial.credentials.post")
