"""Rate limits: per token, per signed-in person (session), per address (anonymous).

Rates are `REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`, read from the environment in
settings (`DOORWAY_API_RATE`, `DOORWAY_API_WRITE_RATE`, `DOORWAY_API_ANON_RATE`). The
counts live in Django's cache: with the default local-memory cache each server process
counts on its own, so N processes allow up to N times the rate; set `DOORWAY_CACHE_URL`
to a shared cache (Redis, Memcached, the database) for one count across processes.
A refused request is answered 429 (problem+json) with `Retry-After`."""

from __future__ import annotations

import math
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


class BadTokenThrottle(_Throttle):
    """Refused tokens, per address: after too many in the window every token from there
    is answered 429 until it passes, so nobody can try tokens (or load the database
    with lookups) at speed. Counted by `failed`, not by every request."""

    scope = "api_bad_token"
    counts = frozenset({"address"})

    def _address_key(self, request: Request) -> str:
        ident = f"address:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def refuses(self, request: Request) -> int | None:
        """Seconds to wait if this address has had too many refused tokens, else None."""
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        if self.num_requests is None or self.duration is None:
            return None
        self.key = self._address_key(request)
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()
        if len(self.history) >= self.num_requests:
            return max(1, math.ceil(self.wait() or 1))
        return None

    def failed(self, request: Request) -> None:
        if self.rate is not None:
            self.throttle_success()
