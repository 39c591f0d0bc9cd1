"""Per request, for the accounts: the address and browser the audit log records; a role that must sign in with a
second factor (REQUIRE_2FA_FOR) sets it up before the desk, the admin site or the API (by their session) opens;
when a session was last seen. A request signed in by an API token is not a session here: the token endpoint
has its own rule (twofactor.check_for_token)."""

from urllib.parse import urlencode

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect

from . import audit, sessions, twofactor

GUARDED = ("/desk/", "/admin/", "/api/")
SETUP_REQUIRED = "Your role must sign in with a second factor: set it up at /account/two-factor/ first."


class AccountMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        noted = audit.note_request(request)
        try:
            if self._setup_first(request):
                if request.path.startswith("/api/"):  # the desk's own calls, signed in by the session
                    return JsonResponse({"error": {"code": "otp_setup_required", "message": SETUP_REQUIRED,
                                                   "details": {}}}, status=403)
                return redirect(f"/account/two-factor/?{urlencode({'next': request.get_full_path()})}")
            response = self.get_response(request)
            sessions.seen(request)  # after the view: a sign-in is seen under its new session's key
            return response
        finally:
            audit.forget_request(noted)

    @staticmethod
    def _setup_first(request) -> bool:
        return (bool(settings.REQUIRE_2FA_FOR) and request.path.startswith(GUARDED)
                and request.user.is_authenticated and twofactor.required_for(request.user)
                and not twofactor.enabled(request.user))
