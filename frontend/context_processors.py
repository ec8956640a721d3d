from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from expo import permissions


def site(request: HttpRequest) -> dict[str, Any]:
    """What every page's chrome needs: the platform's name and the visitor's role."""
    user = getattr(request, "user", None)
    return {
        "PLATFORM_NAME": settings.PLATFORM_NAME,
        "current_role": permissions.primary_role(user) if user is not None else None,
        # Role values ("organiser", "vendor", ...) for the navigation's workspace links.
        "current_roles": (
            frozenset(role.value for role in permissions.user_roles(user)) if user else frozenset()
        ),
        "current_timezone_name": str(getattr(request, "timezone", settings.TIME_ZONE)),
    }
