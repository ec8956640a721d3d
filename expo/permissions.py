"""The one place that says who may do what. Every app's views, consumers and services ask here.

Roles are derived from memberships, never stored twice:
- platform admin: ``is_staff`` (or superuser) — manages offices and organisers in Django admin;
- organiser: a member of an :class:`~expo.models.Office`, for that office's expos only;
- vendor member: a member of a vendor (UMKM), through the ``vendor_memberships`` relation that the
  booths app declares (read here by name so that this base module imports no other app);
- buyer: every account, and what an account with no other role is.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

    from expo.models import Office


class Role(models.TextChoices):
    BUYER = "buyer", _("Buyer")
    VENDOR = "vendor", _("Vendor")
    ORGANISER = "organiser", _("Organiser")
    ADMIN = "admin", _("Platform admin")


# Highest first: the role a navigation bar shows when an account has several.
ROLE_PRECEDENCE = (Role.ADMIN, Role.ORGANISER, Role.VENDOR, Role.BUYER)

_CACHE_ATTR = "_expo_permission_cache"


def _cache(user: Any) -> dict[str, Any]:
    cache = getattr(user, _CACHE_ATTR, None)
    if cache is None:
        cache = {}
        setattr(user, _CACHE_ATTR, cache)
    return cache


def forget(user: Any) -> None:
    """Drop what was worked out for this user object (after a membership changes)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def is_authenticated(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_platform_admin(user: Any) -> bool:
    return is_authenticated(user) and bool(user.is_staff or user.is_superuser)


def organiser_office_ids(user: Any) -> frozenset[int]:
    """Ids of the offices whose expos this user organises (one query, then cached on the user)."""
    if not is_authenticated(user):
        return frozenset()
    cache = _cache(user)
    if "office_ids" not in cache:
        cache["office_ids"] = frozenset(user.office_memberships.values_list("office_id", flat=True))
    return cache["office_ids"]


def vendor_ids(user: Any) -> frozenset[int]:
    """Ids of the vendors (UMKM) this user is a member of (one query, then cached on the user)."""
    if not is_authenticated(user):
        return frozenset()
    cache = _cache(user)
    if "vendor_ids" not in cache:
        memberships = getattr(user, "vendor_memberships", None)
        cache["vendor_ids"] = (
            frozenset(memberships.values_list("vendor_id", flat=True))
            if memberships is not None
            else frozenset()
        )
    return cache["vendor_ids"]


def is_organiser(user: Any, office: Office | int | None = None) -> bool:
    """An organiser of ``office`` — or of any office when none is given."""
    ids = organiser_office_ids(user)
    if office is None:
        return bool(ids)
    office_id = office if isinstance(office, int) else office.pk
    return office_id in ids


def is_vendor_member(user: Any, vendor: Any = None) -> bool:
    """A member of ``vendor`` (an instance or id) — or of any vendor when none is given."""
    ids = vendor_ids(user)
    if vendor is None:
        return bool(ids)
    vendor_id = vendor if isinstance(vendor, int) else vendor.pk
    return vendor_id in ids


def can_manage_office(user: Any, office: Office | int) -> bool:
    """Organisers manage their own office's expos; platform admins manage every office."""
    return is_platform_admin(user) or is_organiser(user, office)


def user_roles(user: Any) -> frozenset[Role]:
    if not is_authenticated(user):
        return frozenset()
    roles = {Role.BUYER}
    if is_platform_admin(user):
        roles.add(Role.ADMIN)
    if is_organiser(user):
        roles.add(Role.ORGANISER)
    if is_vendor_member(user):
        roles.add(Role.VENDOR)
    return frozenset(roles)


def primary_role(user: Any) -> Role | None:
    roles = user_roles(user)
    return next((role for role in ROLE_PRECEDENCE if role in roles), None)


def require(allowed: bool) -> None:
    """Raise PermissionDenied (a bilingual 403 page) unless ``allowed``."""
    if not allowed:
        raise PermissionDenied


def role_required(
    *roles: Role,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """View decorator: log in first, then 403 unless the account holds one of ``roles``."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not is_authenticated(request.user):
                return redirect_to_login(request.get_full_path())
            require(bool(user_roles(request.user) & set(roles)))
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
