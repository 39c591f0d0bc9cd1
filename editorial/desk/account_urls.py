from django.urls import path

import newsroom.converters  # noqa: F401 - registers <id:>

from . import account

app_name = "account"

urlpatterns = [
    path("", account.home, name="home"),
    path("sessions/<id:session_id>/end/", account.end_session, name="end-session"),
    path("sessions/end-others/", account.end_other_sessions, name="end-others"),
    path("two-factor/", account.two_factor, name="two-factor"),
    path("two-factor/recovery-codes/", account.recovery_codes, name="recovery-codes"),
    path("two-factor/off/", account.two_factor_off, name="two-factor-off"),
    path("token/end/", account.revoke_token, name="revoke-token"),
    path("password/", account.password_change, name="password"),
    path("reset/", account.ResetRequestView.as_view(), name="reset"),
    path("reset/sent/", account.ResetSentView.as_view(), name="reset-sent"),
    path("invitation/<str:secret>/", account.accept_invitation, name="invitation"),
    path("reset/<uidb64>/<token>/", account.ResetConfirmView.as_view(), name="reset-confirm"),
]
