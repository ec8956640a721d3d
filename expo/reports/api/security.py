"""Who may call the data API, and how often: ninja's bearer authentication with the office's
``ApiToken`` and ninja's throttle hook on the project's one rate limiter (``expo.ratelimit``)."""

from __future__ import annotations

import threading
from datetime import timedelta

from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer
from ninja.throttling import BaseThrottle

from expo import ratelimit
from expo.reports.api import selectors
from expo.reports.api.errors import invalid_token
from expo.reports.models import ApiToken

DEFAULT_RATE = (120, 60)
LAST_USED_EVERY = timedelta(minutes=5)


class BearerToken(HttpBearer):
    """``Authorization: Bearer <token>``: an active token, found by its SHA-256. Without a token
    ninja answers "no token"; an unknown or revoked one is refused as such."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        raw = token.strip()
        if not raw:
            return None
        found = selectors.active_token(raw=raw)
        if found is None:
            raise invalid_token()
        _note_use(found)
        return found


def _note_use(token: ApiToken) -> None:
    """Record ``last_used_at`` at most every few minutes: not a write per request, and a
    conditional update, so concurrent requests do not write it twice."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_EVERY)
        ).update(last_used_at=now)


def rate() -> ratelimit.Rate:
    return ratelimit.configured("REPORTS_API_RATE", DEFAULT_RATE)


class TokenRate(BaseThrottle):
    """``REPORTS_API_RATE`` requests per token, counted by ``expo.ratelimit`` (Redis when there is
    one, so shared by every process). Runs after authentication, so ``request.auth`` is the token."""

    def __init__(self) -> None:
        # ninja keeps one throttle for every request and asks wait() right after a refusal in
        # the same thread; the verdict is kept per thread so concurrent requests don't mix.
        self._last = threading.local()

    def allow_request(self, request: HttpRequest) -> bool:
        verdict = ratelimit.hit("api", request.auth.pk, rate())
        self._last.retry_after = verdict.retry_after
        return verdict.allowed

    def wait(self) -> float | None:
        return getattr(self._last, "retry_after", None)
