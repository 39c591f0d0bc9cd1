"""Refuse oversized requests before anything reads their body."""

from django.conf import settings
from django.http import JsonResponse


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
