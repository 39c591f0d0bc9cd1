from django.urls import path

from . import account

app_name = "account"

urlpatterns = [
    path("password/", account.password_change, name="password"),
    path("reset/", account.ResetRequestView.as_view(), name="reset"),
    path("reset/sent/", account.ResetSentView.as_view(), name="reset-sent"),
    path("invitation/<str:secret>/", account.accept_invitation, name="invitation"),
    path("reset/<uidb64>/<token>/", account.ResetConfirmView.as_view(), name="reset-confirm"),
]
