"""The account audit log: every event is written here, by `record`, and never edited.

The address and browser are those of the request being served (the middleware notes them for the request), so
a service deep in a call does not need the request passed down to it.
"""

import contextlib
import contextvars

from django.contrib.auth import get_user_model

from editorial.models import AccountEvent

SIGNIN = "account.signin"
SIGNIN_FAILED = "account.signin.failed"
LOCKED_OUT = "account.signin.locked"
SIGNOUT = "account.signout"
CREATED = "account.created"
PASSWORD_CHANGED = "account.password.changed"
RESET_SENT = "account.password.reset_sent"
PASSWORD_RESET = "account.password.reset"
INVITED = "account.invitation.sent"
INVITATION_RESENT = "account.invitation.resent"
INVITATION_CANCELLED = "account.invitation.cancelled"
INVITATION_ACCEPTED = "account.invitation.accepted"
ROLE_CHANGED = "account.role.changed"
DEACTIVATED = "account.deactivated"
REACTIVATED = "account.reactivated"
SESSION_ENDED = "account.session.ended"
TOKEN_REVOKED = "account.token.revoked"
TWOFACTOR_ENABLED = "account.2fa.enabled"
TWOFACTOR_DISABLED = "account.2fa.disabled"
TWOFACTOR_RESET = "account.2fa.reset"
TWOFACTOR_FAILED = "account.2fa.failed"
RECOVERY_CODE_USED = "account.2fa.recovery_used"

ACTIONS = (SIGNIN, SIGNIN_FAILED, LOCKED_OUT, SIGNOUT, CREATED, PASSWORD_CHANGED, RESET_SENT, PASSWORD_RESET, INVITED,
           INVITATION_RESENT, INVITATION_CANCELLED, INVITATION_ACCEPTED, ROLE_CHANGED, DEACTIVATED, REACTIVATED,
           SESSION_ENDED, TOKEN_REVOKED, TWOFACTOR_ENABLED, TWOFACTOR_DISABLED, TWOFACTOR_RESET, TWOFACTOR_FAILED,
           RECOVERY_CODE_USED)

_where: contextvars.ContextVar[tuple[str | None, str]] = contextvars.ContextVar("account_request", default=(None, ""))


def note_request(request) -> contextvars.Token:
    """Remember this request's address and browser for the events it causes (the middleware calls it)."""
    return _where.set((request.META.get("REMOTE_ADDR") or None, request.META.get("HTTP_USER_AGENT", "")[:300]))


def forget_request(token: contextvars.Token) -> None:
    _where.reset(token)


def where() -> tuple[str | None, str]:
    """This request's address and browser: what a background task that acts for it carries (`acting_from`)."""
    return _where.get()


@contextlib.contextmanager
def acting_from(address: str | None, user_agent: str):
    """Record the events of a background task with the address and browser of the request that asked for it."""
    token = _where.set((address, user_agent))
    try:
        yield
    finally:
        _where.reset(token)


def record(action: str, *, subject=None, actor=None, **details) -> AccountEvent:
    """Write one event: `actor` did `action` to `subject` (either may be None: a failed sign-in has no actor)."""
    assert action in ACTIONS, action
    address, user_agent = _where.get()
    return AccountEvent.objects.create(action=action, subject=subject, actor=actor, address=address,
                                       user_agent=user_agent, details=details)


def subject_named(username: str):
    """The user a typed username names (as Django's sign-in reads it), or None."""
    if not username:
        return None
    model = get_user_model()
    return model.objects.filter(**{f"{model.USERNAME_FIELD}__iexact": username.strip()}).first()


def events(*, subject: int | None = None, action: str | None = None):
    """The log, newest first, of one subject and/or one action."""
    found = AccountEvent.objects.select_related("actor", "subject")
    if subject is not None:
        found = found.filter(subject_id=subject)
    if action:
        found = found.filter(action=action)
    return found


def _signed_in(sender, request, user, **kwargs):
    record(SIGNIN, subject=user, actor=user, via="desk")


def _sign_in_failed(sender, credentials, request=None, **kwargs):
    username = credentials.get("username", "")
    record(SIGNIN_FAILED, subject=subject_named(username), username=username[:150])


def _signed_out(sender, request, user, **kwargs):
    if user is not None:
        record(SIGNOUT, subject=user, actor=user)


def connect() -> None:
    from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

    user_logged_in.connect(_signed_in, dispatch_uid="editorial.accounts.audit.in")
    user_login_failed.connect(_sign_in_failed, dispatch_uid="editorial.accounts.audit.failed")
    user_logged_out.connect(_signed_out, dispatch_uid="editorial.accounts.audit.out")
