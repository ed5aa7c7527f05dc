"""Rate limits: per token, per signed-in person (session), per address (anonymous).

Rates are `REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`, read from the environment in
settings (`DOORWAY_API_RATE`, `DOORWAY_API_WRITE_RATE`, `DOORWAY_API_ANON_RATE`). The
counts live in Django's cache: with the default local-memory cache each server process
counts on its own, so N processes allow up to N times the rate; set `DOORWAY_CACHE_URL`
to a shared cache (Redis, Memcached, the database) for one count across processes.
A refused request is answered 429 (problem+json) with `Retry-After`."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from doorway.api.models import AccessToken


class _Throttle(SimpleRateThrottle):
    # Which kind of caller this throttle counts: "token", "user" or "address".
    counts: frozenset[str] = frozenset()

    def get_rate(self) -> str | None:
        # Read at each request (not frozen at import), so settings overrides apply.
        rates: dict[str, Any] = api_settings.DEFAULT_THROTTLE_RATES
        return rates.get(self.scope or "")

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if isinstance(request.auth, AccessToken):
            kind, ident = "token", str(request.auth.pk)
        elif request.user and request.user.is_authenticated:
            kind, ident = "user", str(request.user.pk)
        else:
            kind, ident = "address", str(self.get_ident(request))
        if kind not in self.counts:
            return None
        return self.cache_format % {"scope": self.scope, "ident": f"{kind}:{ident}"}


class ApiRateThrottle(_Throttle):
    """Every request of a token or a signed-in person."""

    scope = "api"
    counts = frozenset({"token", "user"})


class WriteRateThrottle(_Throttle):
    """Changes only, counted apart (and lower), so a runaway script cannot churn records."""

    scope = "api_write"
    counts = frozenset({"token", "user"})

    def allow_request(self, request: Request, view: Any) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return super().allow_request(request, view)


class AnonymousRateThrottle(_Throttle):
    """Requests with neither token nor session (only the schema answers them), per address."""

    scope = "api_anonymous"
    counts = frozenset({"address"})
