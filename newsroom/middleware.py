"""Request guards: oversized bodies refused before parsing, NUL characters refused before they reach the
database (PostgreSQL cannot store them); a Content-Security-Policy on every page."""

import ipaddress

from django.conf import settings
from django.http import HttpResponseBadRequest, JsonResponse
from django.utils.cache import add_never_cache_headers
from django.utils.functional import SimpleLazyObject, empty


def _ip(address: str):
    """An address as proxies write it ('1.2.3.4', '1.2.3.4:5678', '[2001:db8::1]:443', '::ffff:1.2.3.4'); or None."""
    address = address.strip()
    if address.startswith("["):
        address = address[1:].partition("]")[0]
    elif address.count(":") == 1:
        address = address.partition(":")[0]
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    return ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped else ip


def _trusted(ip) -> bool:
    return ip is not None and any(ip in network for network in settings.TRUSTED_PROXIES)


def client_address(remote_addr: str, forwarded_for: str) -> str:
    """The client's address: the last hop of X-Forwarded-For that is not one of our proxies.

    The header is believed only as far back as it was written by proxies in TRUSTED_PROXIES; anything to the
    left of the first untrusted hop was written by the client, who may put anything there.
    """
    address = remote_addr
    if not _trusted(_ip(address)):
        return address
    for hop in reversed([h.strip() for h in forwarded_for.split(",") if h.strip()]):
        ip = _ip(hop)
        if ip is None:
            return address  # garbage from here on: stop at the last proxy we trust
        address = str(ip)
        if not _trusted(ip):
            break
    return address


class TrustedProxyMiddleware:
    """REMOTE_ADDR becomes the client's address when the request came through a trusted proxy.

    Everything in Django that reads the client's address (the sign-in lockout, the API throttles) then reads the
    same, unspoofable value. (gunicorn's access log shows the proxy: the proxy's own log has the client.)
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        forwarded = request.META.pop("HTTP_X_FORWARDED_FOR", "")
        if settings.TRUSTED_PROXIES and forwarded:
            request.META["REMOTE_ADDR"] = client_address(request.META.get("REMOTE_ADDR", ""), forwarded)
        return self.get_response(request)


class RequestSizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_BYTES:
            return JsonResponse(
                {
                    "error": {
                        "code": "too_large",
                        "message": (
                            f"The request body is {length} bytes; the limit is "
                            f"{settings.MAX_REQUEST_BYTES} bytes."
                        ),
                        "details": {"limit_bytes": settings.MAX_REQUEST_BYTES, "size_bytes": length},
                    }
                },
                status=413,
            )
        return self.get_response(request)


NUL_MESSAGE = "The request contains a NUL character (\\x00), which no address, parameter or field accepts."


class NulCharacterMiddleware:
    """A NUL in the address, a query parameter or a desk form field gets 400, not a database error.

    The API's JSON fields refuse NUL themselves (DRF's CharField), with the field named."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        api = request.path.startswith("/api/")
        values = [request.path, *request.GET.keys(), *(v for _, vs in request.GET.lists() for v in vs)]
        if not api and request.method == "POST":
            values += [*request.POST.keys(), *(v for _, vs in request.POST.lists() for v in vs)]
        if any("\x00" in value for value in values):
            if api:
                return JsonResponse({"error": {"code": "invalid", "message": NUL_MESSAGE, "details": {}}}, status=400)
            return HttpResponseBadRequest(NUL_MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
# The Django admin and the API docs page ship inline scripts and styles of their own.
CSP_EXEMPT = ("/admin/", "/api/v1/docs/")


# Browser features the desk and the site never use (cameras, location, payments...): none, for any frame.
PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in (
    "accelerometer", "autoplay", "camera", "display-capture", "fullscreen", "geolocation", "gyroscope",
    "magnetometer", "microphone", "midi", "payment", "usb", "xr-spatial-tracking",
))
TOKEN_PATH = "/api/v1/auth/token/"


class ContentSecurityPolicyMiddleware:
    """No inline script, nothing from other origins: an injected <script> could not run. No browser feature
    the pages do not use, no embedding of our responses by other origins, and nothing a signed-in person (or
    the token endpoint) receives is kept by a browser or proxy cache (OWASP: sensitive data, shared machines)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(CSP_EXEMPT):
            response.setdefault("Content-Security-Policy", CSP)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        if request.path == TOKEN_PATH or _signed_in(request):
            add_never_cache_headers(response)
        return response


def _signed_in(request) -> bool:
    """Whether the response went to a signed-in person, asking nothing new of the database: a user the view
    never looked at (a public page) is not read here, and DRF puts a token's user on the request itself."""
    user = request.__dict__.get("user")
    if user is None or (isinstance(user, SimpleLazyObject) and user._wrapped is empty):
        return False
    return user.is_authenticated
