"""Rules shared by the banners' services: the days a banner may run, the weight, who may manage
an expo's banners, and how a campaign is locked and decided."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from events.bell import sources as bell
from expo import permissions
from expo.banners.models import BannerCampaign
from expo.models import Expo, User

MAX_WEIGHT = 100
MAX_PRICE = 1_000_000_000


def local_day(moment: datetime) -> date:
    """The day (Asia/Jakarta, the expos' time zone) of ``moment``."""
    return moment.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE)).date()


def expo_days(expo: Expo) -> tuple[date, date]:
    """The first and last day (Asia/Jakarta) a banner of this expo may run."""
    return local_day(expo.opens_at), local_day(expo.closes_at - timedelta(microseconds=1))


def check_dates(expo: Expo, starts_on: date | None, ends_on: date | None) -> None:
    """A banner runs inside the expo, from its first day to its last."""
    first, last = expo_days(expo)
    if starts_on is None or ends_on is None:
        raise ValidationError({"starts_on": _("Give the banner's first and last day.")})
    if starts_on > ends_on:
        raise ValidationError({"ends_on": _("The last day must be on or after the first day.")})
    if starts_on < first or ends_on > last:
        raise ValidationError(
            {
                "starts_on": _("A banner runs inside the expo: between %(first)s and %(last)s.")
                % {"first": first.isoformat(), "last": last.isoformat()}
            }
        )


def check_weight(weight: int) -> None:
    """A rotation weight is a whole number from 1 to :data:`MAX_WEIGHT`."""
    if not 1 <= weight <= MAX_WEIGHT:
        raise ValidationError(
            {"weight": _("The weight is a whole number from 1 to %(max)s.") % {"max": MAX_WEIGHT}}
        )


def require_manage(expo: Expo, by: User) -> None:
    """Only the expo's office manages its banners."""
    permissions.require(permissions.can_manage_office(by, expo.office_id))


def require_not_closed(expo: Expo) -> None:
    """A closed expo's banners no longer change."""
    if expo.has_closed:
        raise ValidationError(_("This expo has closed; its banners can no longer be changed."))


def campaign_locked(campaign: BannerCampaign) -> BannerCampaign:
    """The campaign read again under a row lock (inside the caller's transaction)."""
    return BannerCampaign.objects.select_for_update().select_related("expo").get(pk=campaign.pk)


def campaign_decide(campaign: BannerCampaign, by: User, status: str, fields: list[str]) -> None:
    """Record a decision: the new status, who decided and when, with the other changed ``fields``."""
    campaign.status = status
    campaign.decided_by, campaign.decided_at = by, timezone.now()
    campaign.save(update_fields=["status", "decided_by", "decided_at", *fields])
    bell.banner_decided(campaign=campaign)  # the vendor's members are told
