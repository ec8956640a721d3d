"""The header's cart count, kept in the session by the cart views (no query per page)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

CART_COUNT_KEY = "payments_cart_count"


def cart(request: HttpRequest) -> dict[str, Any]:
    session = getattr(request, "session", None)
    count = session.get(CART_COUNT_KEY, 0) if session is not None else 0
    return {"cart_count": count if isinstance(count, int) and count > 0 else 0}
