"""Template helpers for the hall, booth and product pages: rupiah, placeholders, video embeds."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, quote, urlparse

from django import template
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import pgettext

from expo.money import format_rupiah
from expo.templatetags.moments import isoutc

register = template.Library()

YOUTUBE_HOSTS = {"youtube.com", "www.youtube.com", "m.youtube.com", "youtube-nocookie.com"}
YOUTUBE_HOSTS |= {"www.youtube-nocookie.com", "music.youtube.com"}
VIMEO_HOSTS = {"vimeo.com", "www.vimeo.com", "player.vimeo.com"}
_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_VIMEO_ID = re.compile(r"^\d{3,12}$")
_VIMEO_HASH = re.compile(r"^[0-9a-f]{6,20}$")


@register.filter
def rupiah(value: int | Decimal | None) -> str:
    return format_rupiah(value)


@register.simple_tag
def price_range(low: int | None, high: int | None) -> str:
    """``Rp 25.000 – Rp 150.000``, or one price when both ends are equal; empty without prices."""
    if low is None and high is None:
        return ""
    if low is None or high is None or low == high:
        return format_rupiah(low if low is not None else high)
    return f"{format_rupiah(low)} – {format_rupiah(high)}"


@register.filter
def initials(name: str, letters: int = 2) -> str:
    """Up to two initials for an avatar or a photo placeholder: ``Batik Sekar Jagad`` → ``BS``."""
    words = [w for w in re.split(r"[\s\-_/&.,]+", str(name or "")) if w and w[0].isalnum()]
    return "".join(w[0] for w in words[: int(letters)]).upper() or "•"


@register.filter
def hue(seed: Any) -> int:
    """A stable hue (0–359) for a placeholder gradient, so each booth keeps its own colour."""
    text = str(seed or "")
    total = 0
    for char in text:
        total = (total * 31 + ord(char)) % 3600
    return (total * 7) % 360


@register.filter
def grams(value: int | None) -> str:
    """``250`` → ``250 g``; ``1500`` → ``1.5 kg`` (localised decimal separator)."""
    if not value:
        return ""
    value = int(value)
    if value < 1000:
        return f"{value} g"
    kilos = (Decimal(value) / 1000).normalize()
    return f"{number_format(kilos, use_l10n=True)} kg"


register.filter("isoutc", isoutc)  # shared with every app: expo.templatetags.moments


def video_embed_url(url: str | None) -> str:
    """The player URL of a YouTube or Vimeo video page, or ``""`` for anything else."""
    if not url:
        return ""
    try:
        parsed = urlparse(url.strip())
    except ValueError:
        return ""
    if parsed.scheme not in {"http", "https"}:
        return ""
    host = (parsed.hostname or "").lower()
    parts = [p for p in parsed.path.split("/") if p]
    if host == "youtu.be":
        video_id = parts[0] if parts else ""
    elif host in YOUTUBE_HOSTS:
        if parts[:1] == ["watch"]:
            video_id = (parse_qs(parsed.query).get("v") or [""])[0]
        elif len(parts) >= 2 and parts[0] in {"embed", "shorts", "live", "v"}:
            video_id = parts[1]
        else:
            video_id = ""
    elif host in VIMEO_HOSTS:
        if host == "player.vimeo.com":
            parts = parts[1:] if parts[:1] == ["video"] else []
        # vimeo.com/123, vimeo.com/123/abcdef (unlisted), vimeo.com/channels/x/123
        numeric = [i for i, p in enumerate(parts) if _VIMEO_ID.match(p)]
        if not numeric:
            return ""
        video_id = parts[numeric[0]]
        query_hash = (parse_qs(parsed.query).get("h") or [""])[0]
        following = parts[numeric[0] + 1] if len(parts) > numeric[0] + 1 else ""
        private_hash = following if _VIMEO_HASH.match(following) else query_hash
        embed = f"https://player.vimeo.com/video/{video_id}"
        if private_hash and _VIMEO_HASH.match(private_hash):
            embed += f"?h={private_hash}"
        return embed
    else:
        return ""
    if not _YOUTUBE_ID.match(video_id):
        return ""
    return f"https://www.youtube-nocookie.com/embed/{video_id}"


@register.filter
def video_embed(url: str | None) -> str:
    return video_embed_url(url)


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


@register.simple_tag
def whatsapp_url(number: str | None, text: str = "") -> str:
    return whatsapp_link(number, text)


@register.simple_tag
def page_window(page_obj: Any, around: int = 2) -> list[int | None]:
    """Page numbers to show: first, last and ``around`` either side of the current; None = gap."""
    last = page_obj.paginator.num_pages
    current = page_obj.number
    shown = {1, last, *range(max(1, current - around), min(last, current + around) + 1)}
    window: list[int | None] = []
    previous = 0
    for number in sorted(shown):
        if number - previous > 1:
            window.append(None)
        window.append(number)
        previous = number
    return window


def countdown_parts(seconds: int) -> tuple[int, int, int, int]:
    seconds = max(0, int(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    return days, hours, minutes, secs


@register.simple_tag
def countdown_text(moment: datetime) -> str:
    """Time left until ``moment`` as ``2d 03:14:05`` (countdown.js keeps it ticking)."""
    days, hours, minutes, secs = countdown_parts((moment - timezone.now()).total_seconds())
    clock = f"{hours:02d}:{minutes:02d}:{secs:02d}"
    return f"{days}{pgettext('days, abbreviated in a countdown', 'd')} {clock}" if days else clock
