"""Every API error has one shape: {"error": {"code", "message", "details"}}."""

import sys

from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError, connection
from django.http import Http404, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from editorial.errors import Refused

from .authentication import TokenExpired

_CODES = {
    TokenExpired: ("token_expired", None),
    exceptions.ParseError: ("malformed_request", None),
    exceptions.ValidationError: ("invalid", "Some fields are missing or not valid."),
    exceptions.NotAuthenticated: ("not_authenticated", None),
    exceptions.AuthenticationFailed: ("authentication_failed", None),
    exceptions.PermissionDenied: ("forbidden", None),
    exceptions.NotFound: ("not_found", None),
    exceptions.MethodNotAllowed: ("method_not_allowed", None),
    exceptions.NotAcceptable: ("not_acceptable", None),
    exceptions.UnsupportedMediaType: ("unsupported_media_type", None),
    exceptions.Throttled: ("throttled", None),
}


def error_body(code: str, message: str, details: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def exception_handler(exc, context):
    if isinstance(exc, Refused):
        return Response(error_body(exc.code, exc.message, exc.details), status=exc.status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    code, message = "error", None
    for cls, (mapped_code, mapped_message) in _CODES.items():
        if isinstance(exc, cls):
            code, message = mapped_code, mapped_message
            break
    details = {}
    if isinstance(exc, exceptions.ValidationError):
        details = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
    elif isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        details = {"retry_after_seconds": int(exc.wait)}
    if message is None:
        message = str(exc.detail) if not isinstance(exc.detail, list | dict) else "The request was refused."
    response.data = error_body(code, message, details)
    return response


def json_404(request, exception=None):
    if not request.path.startswith("/api/"):
        return defaults.page_not_found(request, exception)
    return JsonResponse(error_body("not_found", "There is nothing at this address."), status=404)


DATABASE_DOWN = "The database is not answering, so the request may not have been completed. Try again in a moment."


# SQLSTATEs that mean "the server was away or going away", whatever it is doing now: class 08
# (connection exception) and the shutdown/startup codes of class 57. A deadlock (40P01) or a
# statement timeout (57014) is the database answering, and stays a server error.
_AWAY_SQLSTATES = ("57P01", "57P02", "57P03")


def _driver_says_away(exc) -> bool | None:
    """What the driver's own error says, or None when it does not say (SQLite, other drivers)."""
    cause = exc.__cause__
    sqlstate = getattr(cause, "sqlstate", False)
    if sqlstate is False:
        return None
    if sqlstate is None:  # psycopg: no server answer at all (refused, reset, closed mid-query)
        return True
    return sqlstate.startswith("08") or sqlstate in _AWAY_SQLSTATES


def _database_unreachable(exc) -> bool:
    """A database error because the database is away (not a missing table, a deadlock or a timeout).

    The driver's error decides when it can: a server that refused us while starting up may be
    ready a millisecond later, and that request still failed because it was away. Otherwise a
    probe decides."""
    if not isinstance(exc, OperationalError | InterfaceError):
        return False
    said = _driver_says_away(exc)
    if said is not None:
        return said
    if connection.connection is not None and connection.is_usable():
        return False
    try:
        connection.close()
        connection.ensure_connection()
    except (OperationalError, InterfaceError):
        return True
    return False


def json_500(request):
    """Django's last resort. A database that went away is a 503 to try again, not a server error."""
    if _database_unreachable(sys.exc_info()[1]):
        if request.path.startswith("/api/"):
            response = JsonResponse(error_body("unavailable", DATABASE_DOWN), status=503)
        else:
            response = HttpResponse(f"503 Service Unavailable\n\n{DATABASE_DOWN}\n", status=503,
                                    content_type="text/plain; charset=utf-8")
        response["Retry-After"] = "5"
        return response
    if not request.path.startswith("/api/"):
        return defaults.server_error(request)
    return JsonResponse(error_body("server_error", "Something went wrong on our side; it has been logged."),
                        status=500)


def json_400(request, exception=None):
    if not request.path.startswith("/api/"):
        return defaults.bad_request(request, exception)
    return JsonResponse(error_body("bad_request", "The request could not be understood."), status=400)
