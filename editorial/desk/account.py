"""The desk's account pages: your sessions and token, your password, the reset by email, an invitation's link and
two-factor sign-in. Each view parses and calls editorial/accounts/, which holds every rule."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm, PasswordResetForm, SetPasswordForm
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from editorial import signin
from editorial.accounts import invitations, passwords, sessions, twofactor
from editorial.errors import Refused

from .forms import CodeForm, SetupCodeForm


def _render(request, template, context, status=200):
    return render(request, template, {"nav": "account", **context}, status=status)


@login_required
def home(request):
    """Your account: the sessions signed in as you (browser, address, last seen), your API token, your password."""
    return _render(request, "accounts/home.html", {
        "sessions": sessions.of(request.user, request.session.session_key),
        "token": sessions.token_of(request.user),
    })


@login_required
@require_POST
def end_session(request, session_id):
    """End one of your sessions, wherever it is; ending this one signs you out."""
    current = next((row for row in sessions.of(request.user, request.session.session_key) if row.pk == session_id),
                   None)
    if current is None:
        raise Http404
    if current.current:
        logout(request)
        return redirect("login")
    sessions.end(request.user, session_id)
    messages.success(request, f"The session of {current.browser} from {current.address or 'an unknown address'} "
                              "has ended.")
    return redirect("account:home")


@login_required
@require_POST
def end_other_sessions(request):
    ended = sessions.end_others(request.user, request.session.session_key)
    messages.success(request, f"{ended} other session{'s' if ended != 1 else ''} ended." if ended
                     else "You had no other session.")
    return redirect("account:home")


@login_required
@require_POST
def revoke_token(request):
    if sessions.revoke_token(request.user):
        messages.success(request, "Your API token is deleted: what used it must sign in again.")
    return redirect("account:home")


@login_required
def password_change(request):
    """Change your own password: the current one first, then a new one the validators accept."""
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        passwords.change_own(request, request.user, form.cleaned_data["new_password1"])
        messages.success(request, "Password changed. Your other sessions have ended and your API token was deleted.")
        return redirect("account:password")
    return _render(request, "accounts/password_change.html", {"form": form},
                   status=400 if form.errors else 200)


class ResetRequestForm(PasswordResetForm):
    """Django's reset form, sending through editorial.accounts.passwords (SITE_URL links, the audit log)."""

    def save(self, *, request=None, **kwargs):
        passwords.request_reset(request.META.get("REMOTE_ADDR", ""), self.cleaned_data["email"])


class ResetRequestView(auth_views.PasswordResetView):
    """'Forgot your password?': the same answer for every address, behind the sign-in lockout."""

    form_class = ResetRequestForm
    template_name = "accounts/reset_request.html"
    success_url = reverse_lazy("account:reset-sent")

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except Refused as refused:
            form.add_error(None, refused.message)
            return self.render_to_response(self.get_context_data(form=form), status=refused.status)


class ResetSentView(auth_views.PasswordResetDoneView):
    template_name = "accounts/reset_sent.html"


class ResetConfirmView(auth_views.PasswordResetConfirmView):
    """The link from the email: Django checks its token (once, within PASSWORD_RESET_TIMEOUT) and sets the
    password; saving it ends every session and token of the person (editorial.credentials)."""

    template_name = "accounts/reset_confirm.html"
    success_url = reverse_lazy("login")

    def form_valid(self, form):
        response = super().form_valid(form)
        passwords.reset_done(form.user)
        messages.success(self.request, "Your new password is set. Sign in with it.")
        return response


def accept_invitation(request, secret):
    """The link from an invitation: the colleague sets their own password, once."""
    invitation = invitations.find(secret)
    if invitation is None:
        return _render(request, "accounts/invitation.html", {"invitation": None}, status=404)
    form = SetPasswordForm(invitation.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = invitations.accept(secret, form.cleaned_data["new_password1"])
        except Refused:
            return _render(request, "accounts/invitation.html", {"invitation": None}, status=404)
        messages.success(request, f"Welcome, {user.username}: your password is set. Sign in with it.")
        return redirect("login")
    return _render(request, "accounts/invitation.html", {"invitation": invitation, "form": form},
                   status=400 if form.errors else 200)


# Two-factor sign-in ------------------------------------------------------------------------------

_SETUP_KEY = "_otp_setup_device"


@login_required
def two_factor(request):
    """Turn on the second factor (scan, confirm a code, keep the recovery codes), or see and manage it."""
    user = request.user
    if twofactor.enabled(user):
        return _render(request, "accounts/two_factor.html", {
            "enabled": True, "required": twofactor.required_for(user),
            "codes_left": twofactor.recovery_codes_left(user)})
    device = twofactor.unconfirmed(user, request.session.get(_SETUP_KEY))
    if device is None or request.method != "POST":
        device = twofactor.start(user)
        request.session[_SETUP_KEY] = device.pk
    form = SetupCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = twofactor.confirm(user, device, form.cleaned_data["code"],
                                      keep_session=request.session.session_key)
        except Refused as refused:
            form.add_error("code", refused.message)
        else:
            request.session.pop(_SETUP_KEY, None)
            otp_login(request, device)
            return _render(request, "accounts/recovery_codes.html", {"codes": codes, "just_enabled": True,
                                                                     "next": _safe_next(request)})
    return _render(request, "accounts/two_factor.html", {
        "enabled": False, "required": twofactor.required_for(user), "form": form, "qr": twofactor.qr_svg(device),
        "secret": twofactor.secret_text(device), "next": _safe_next(request)}, status=400 if form.errors else 200)


@login_required
@require_POST
def recovery_codes(request):
    """Ten new recovery codes, shown once; the earlier ones stop working."""
    if not twofactor.enabled(request.user):
        return redirect("account:two-factor")
    return _render(request, "accounts/recovery_codes.html", {"codes": twofactor.new_recovery_codes(request.user)})


@login_required
@require_POST
def two_factor_off(request):
    try:
        twofactor.turn_off(request.user, actor=request.user)
    except Refused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, "Two-factor sign-in is off: your password alone signs you in.")
    return redirect("account:two-factor")


def _safe_next(request, default: str = "") -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(wanted, {request.get_host()}, request.is_secure()):
        return wanted
    return default


PENDING_KEY = "_otp_pending"
PENDING_SECONDS = 300


def hold_for_code(request, user, next_url: str):
    """The password was right and the user has a second factor: not signed in yet, asked for the code."""
    request.session[PENDING_KEY] = {"user": user.pk, "backend": user.backend, "next": next_url,
                                    "at": time.time()}
    return redirect("login-code")


def sign_in_code(request):
    """The second step of signing in: the code from the app, or a recovery code. Counted by the lockout."""
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        if request.session.pop(PENDING_KEY, None):
            messages.error(request, "Sign in again: the code was not given in time.")
        return redirect("login")
    user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
    if user is None:
        return redirect("login")
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        who = (request.META.get("REMOTE_ADDR", ""), user.get_username())
        if not signin.attempt(*who):
            request.session.pop(PENDING_KEY, None)
            form.add_error(None, signin.LOCKED_MESSAGE)
            return _render(request, "accounts/sign_in_code.html", {"form": form}, status=429)
        device = twofactor.verify(user, form.cleaned_data["code"])
        if device is not None:
            signin.succeeded(*who)
            request.session.pop(PENDING_KEY, None)
            login(request, user, backend=pending["backend"])
            otp_login(request, device)
            return redirect(pending["next"] or settings.LOGIN_REDIRECT_URL)
        form.add_error("code", "That code is not right, or it was used already.")
    if form.errors:
        status = 400
    return _render(request, "accounts/sign_in_code.html", {"form": form}, status=status)
