"""View helpers every app's views share: the organiser gate and the expo it manages.

The base holds them so that a workspace page of any app (booths, payments, the expo top) guards
itself the same way without importing another app's views.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from expo import permissions
from expo.models import Expo
from expo.permissions import Role

organiser_required = permissions.role_required(Role.ORGANISER, Role.ADMIN)


def managed_expo(request: HttpRequest, slug: str) -> Expo:
    """The expo named in the URL (404), if this account may manage its office (403)."""
    expo = get_object_or_404(Expo.objects.select_related("office"), slug=slug)
    permissions.require(permissions.can_manage_office(request.user, expo.office_id))
    return expo
