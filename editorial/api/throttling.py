"""Rate limits kept in the cache (Redis); if the cache is down, requests go through rather than fail."""

import logging

from rest_framework import throttling

log = logging.getLogger(__name__)


class _FailOpen:
    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except Exception as exc:  # noqa: BLE001 - any cache failure must not turn into a 500
            log.warning("Rate limit not checked, the cache is unavailable: %s", exc)
            return True


class AnonRateThrottle(_FailOpen, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(_FailOpen, throttling.UserRateThrottle):
    pass


class LoginRateThrottle(_FailOpen, throttling.ScopedRateThrottle):
    pass
