"""The desk's account pages: your password, the reset by email, and (editorial/accounts/ holds every rule)."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm, PasswordResetForm, SetPasswordForm
from django.shortcuts import redirect, render
from django.urls import reverse_lazy

from editorial.accounts import invitations, passwords
from editorial.errors import Refused


def _render(request, template, context, status=200):
    return render(request, template, {"nav": "account", **context}, status=status)


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
