"""Channel attribution: which live session or banner brought a buyer to an order.

The features that bring buyers (live sessions in ``events``, banner promotions in ``expo``) sit
beside or above ``payments``, so payments never imports them. They write one session key when a
buyer arrives through them, and checkout reads it when the order is placed:

    request.session["attribution"] = {
        "channel": "live_session",   # or "banner"
        "id": 12,                    # the session's or banner's id (a positive integer)
        "label": "Batik tulis demo", # shown in reports as it was (up to 200 characters)
        "expo": 3,                   # optional: the expo id; another expo's order ignores it
        "at": 1767225600,            # optional: when (Unix seconds); older than
                                     # settings.ATTRIBUTION_HOURS is ignored
    }

A physical stand's QR code leads to its booth page with ``?stand=<code>``: :func:`stand_arrival`
(called by the booth page through ``booths.hooks``) writes the key with channel ``stand``, the
stand's id and its code as the label.

The last touch wins (a later live session or banner overwrites the key). Anything missing or
malformed counts as ``direct``. An order placed while the expo's mall is open (after closing) is
``mall`` whatever brought the buyer (:func:`for_order`): the mall's sales are counted apart. The order, and every ledger entry it writes, keeps the channel, id
and label, so omzet can be split by channel and by the session or banner that brought it.
:func:`remember` writes the key for code that may import payments (the banners in ``expo``).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from expo.models import Expo, ExpoState
from payments.models import Channel

# The channels a visit can bring (written in the session key); the others are decided by the
# order itself (the mall) or by the stand sale's record (offline).
VISIT_CHANNELS = (Channel.LIVE_SESSION.value, Channel.BANNER.value, Channel.STAND.value)
STAND_PARAM = "stand"

SESSION_KEY = "attribution"
LABEL_LENGTH = 200


@dataclass(frozen=True)
class Attribution:
    channel: str = Channel.DIRECT
    id: int | None = None
    label: str = ""


DIRECT = Attribution()


def remember(
    session: Any, *, channel: str, id: int, label: str, expo_id: int | None = None
) -> None:
    """Record that this visitor came through a live session or banner (last touch wins)."""
    if channel not in VISIT_CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    value = {"channel": str(channel), "id": int(id), "label": str(label)[:LABEL_LENGTH]}
    if expo_id is not None:
        value["expo"] = int(expo_id)
    value["at"] = int(time.time())
    session[SESSION_KEY] = value


def read(session: Mapping[str, Any] | Any, *, expo_id: int) -> Attribution:
    """The attribution for an order at ``expo_id``: what the session holds, if it is well formed,
    recent and for this expo; else direct."""
    raw = session.get(SESSION_KEY) if session is not None else None
    if not isinstance(raw, Mapping):
        return DIRECT
    channel = raw.get("channel")
    if channel not in VISIT_CHANNELS:
        return DIRECT
    ident = raw.get("id")
    if isinstance(ident, bool) or not isinstance(ident, int) or ident <= 0:
        return DIRECT
    expo = raw.get("expo")
    if expo is not None and expo != expo_id:
        return DIRECT
    at = raw.get("at")
    if at is not None:
        if isinstance(at, bool) or not isinstance(at, int | float):
            return DIRECT
        if time.time() - at > getattr(settings, "ATTRIBUTION_HOURS", 24) * 3600:
            return DIRECT
    label = raw.get("label")
    return Attribution(channel=channel, id=ident, label=str(label)[:LABEL_LENGTH] if label else "")


MALL = Attribution(channel=Channel.MALL)


def for_order(attribution: Attribution, *, expo: Expo, at: datetime) -> Attribution:
    """The channel an order placed at ``at`` is counted in: ``mall`` while the expo's mall is
    open (its omzet is shown apart from the expo's own, never merged), else what brought the
    buyer."""
    if expo.state_at(at) == ExpoState.MALL:
        return MALL
    return attribution


def stand_arrival(request: HttpRequest, *, booth_id: int, expo_id: int) -> None:
    """A visitor opened a booth page from one of its stand's QR codes (``?stand=<code>``): a
    later order in this browser session counts for the stand (channel ``stand``). An unknown code,
    or another booth's, changes nothing."""
    from booths.models import Stand

    code = request.GET.get(STAND_PARAM, "")
    if not code or len(code) > Stand.CODE_LENGTH:
        return
    stand = Stand.objects.filter(code=code.upper(), booth_id=booth_id).only("pk", "code").first()
    if stand is None:
        return
    remember(request.session, channel=Channel.STAND, id=stand.pk, label=stand.code, expo_id=expo_id)
