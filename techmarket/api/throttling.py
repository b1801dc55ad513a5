"""API rate limits: per IP for anonymous visitors, per user account for everyone logged in.

ninja's AnonRateThrottle skips every request whose ``request.auth`` is set, and OptionalAuth sets
it (to ``True``) for anonymous readers of public endpoints, so that limit never applied; its
AuthRateThrottle keys on ``str(request.auth)``, which put all anonymous visitors in one bucket and
users with the same display name in another. These key on ``request.user`` instead.
"""

from django.conf import settings
from django.http import HttpRequest
from ninja.throttling import AnonRateThrottle, UserRateThrottle

from .failsafe import CacheFailSafeThrottle


class AnonymousRateThrottle(CacheFailSafeThrottle, AnonRateThrottle):
    """settings.API_RATE_ANONYMOUS_PER_MINUTE requests a minute per IP address, read at each request."""

    def __init__(self) -> None:
        super().__init__("60/m")

    def get_cache_key(self, request: HttpRequest) -> str | None:
        if request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def allow_request(self, request: HttpRequest) -> bool:
        self.num_requests, self.duration = settings.API_RATE_ANONYMOUS_PER_MINUTE, 60
        return super().allow_request(request)


class AccountRateThrottle(CacheFailSafeThrottle, UserRateThrottle):
    """A per-account limit (by primary key) for logged-in users and token holders."""
