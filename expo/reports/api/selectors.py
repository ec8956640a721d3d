"""The data API's own reads: a token by its hash, and the expos a token's office may see."""

from __future__ import annotations

from django.db.models import QuerySet

from expo.models import Expo
from expo.reports.models import ApiToken, hash_token


def active_token(*, raw: str) -> ApiToken | None:
    """The unrevoked token whose SHA-256 is that of ``raw``, with its office."""
    return (
        ApiToken.objects.select_related("office")
        .filter(token_hash=hash_token(raw), revoked_at__isnull=True)
        .first()
    )


def office_expos(*, office_id: int) -> QuerySet[Expo]:
    """The office's expos, newest first."""
    return (
        Expo.objects.filter(office_id=office_id)
        .select_related("office")
        .order_by("-opens_at", "pk")
    )


def office_expo(*, office_id: int, slug: str) -> Expo | None:
    """The office's expo of that slug; another office's expo is as unknown as a missing one."""
    return office_expos(office_id=office_id).filter(slug=slug).first()
