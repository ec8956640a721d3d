"""Plain text the hall's pages show and the ``hall`` template library registers: the WhatsApp
contact link and the countdown until an expo opens."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import quote

from django.utils import timezone
from django.utils.translation import pgettext


def whatsapp_link(number: str | None, text: str = "") -> str:
    """``https://wa.me/<digits>`` for an Indonesian or international number, or ``""``.

    Local numbers (``0812…``) get the Indonesian country code; wa.me wants digits only.
    """
    digits = re.sub(r"\D", "", number or "")
    if digits.startswith("0"):
        digits = "62" + digits.lstrip("0")
    elif digits.startswith("8") and 9 <= len(digits) <= 12:
        digits = "62" + digits
    if not 8 <= len(digits) <= 15:
        return ""
    link = f"https://wa.me/{digits}"
    if text:
        link += "?text=" + quote(text)
    return link


def countdown_parts(seconds: int | float) -> tuple[int, int, int, int]:
    """``(days, hours, minutes, seconds)`` of a span; a past moment counts as zero."""
    seconds = max(0, int(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    return days, hours, minutes, secs


def countdown_text(moment: datetime) -> str:
    """Time left until ``moment`` as ``2d 03:14:05`` (countdown.js keeps it ticking)."""
    days, hours, minutes, secs = countdown_parts((moment - timezone.now()).total_seconds())
    clock = f"{hours:02d}:{minutes:02d}:{secs:02d}"
    return f"{days}{pgettext('days, abbreviated in a countdown', 'd')} {clock}" if days else clock
