"""Signal receivers: each only hands over to a service."""

from __future__ import annotations

import logging
from typing import Any

from django.db import DatabaseError

from payments import services

logger = logging.getLogger(__name__)


def adopt_guest_cart(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """A guest who logs in keeps what they put in the cart: it joins the account's cart."""
    session = getattr(request, "session", None)
    if session is None:
        return
    try:
        services.cart_adopt_on_login(session=session, user=user)
    except DatabaseError:
        # Logging in matters more than the cart; the guest cart stays where it was.
        logger.exception("Could not merge the guest cart at login")
