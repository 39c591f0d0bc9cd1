"""Per request, for the accounts: the address and browser the audit log records, and when a session was last seen."""

from . import audit, sessions


class AccountMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        noted = audit.note_request(request)
        try:
            sessions.seen(request)
            return self.get_response(request)
        finally:
            audit.forget_request(noted)
