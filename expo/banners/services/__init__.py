"""Writes of the banner promotions, a module per concern:

- :mod:`~expo.banners.services.campaigns`: a vendor's request, the organiser's own banner, the
  decisions (approve, reject) and the vendor's withdrawal;
- :mod:`~expo.banners.services.fees`: pricing a request and its fee, paid through the checkout
  (importing it registers the payments hook that runs a banner once its fee is paid);
- :mod:`~expo.banners.services.counting`: impressions and clicks, buffered and written in batches;
- :mod:`~expo.banners.services.pool`: the serving pool's version;
- :mod:`~expo.banners.services.slots`: the five slots;
- :mod:`~expo.banners.services.rules`: the checks they share (days, weight, who may manage).

Callers use the names below (``from expo.banners import services``).
"""

from __future__ import annotations

from expo.banners.services.campaigns import (
    ASPECT_TOLERANCE,
    MAX_BANNER_BYTES,
    BannerTarget,
    banner_approve,
    banner_image,
    banner_place,
    banner_reject,
    banner_request,
    banner_target,
    banner_withdraw,
)
from expo.banners.services.counting import (
    BOT_MARKERS,
    TOKEN_MAX_AGE,
    TOKEN_SALT,
    VISITOR_COOKIE,
    VISITOR_COOKIE_AGE,
    click_record,
    flush,
    impression_token,
    impressions_record,
    is_bot,
    new_visitor_cookie,
    read_impression_token,
    stats_rollup,
    visitor_id,
)
from expo.banners.services.fees import (
    FEE_PURPOSE,
    banner_fee_confirm,
    banner_set_price,
    fee_charge,
    fees_cancel_pending,
)
from expo.banners.services.pool import POOL_VERSION_KEY, pool_version
from expo.banners.services.rules import MAX_PRICE, MAX_WEIGHT, expo_days, local_day
from expo.banners.services.slots import SLOTS, slots_ensure

__all__ = [
    "ASPECT_TOLERANCE",
    "BOT_MARKERS",
    "FEE_PURPOSE",
    "MAX_BANNER_BYTES",
    "MAX_PRICE",
    "MAX_WEIGHT",
    "POOL_VERSION_KEY",
    "SLOTS",
    "TOKEN_MAX_AGE",
    "TOKEN_SALT",
    "VISITOR_COOKIE",
    "VISITOR_COOKIE_AGE",
    "BannerTarget",
    "banner_approve",
    "banner_fee_confirm",
    "banner_image",
    "banner_place",
    "banner_reject",
    "banner_request",
    "banner_set_price",
    "banner_target",
    "banner_withdraw",
    "click_record",
    "expo_days",
    "fee_charge",
    "fees_cancel_pending",
    "flush",
    "impression_token",
    "impressions_record",
    "is_bot",
    "local_day",
    "new_visitor_cookie",
    "pool_version",
    "read_impression_token",
    "slots_ensure",
    "stats_rollup",
    "visitor_id",
]
