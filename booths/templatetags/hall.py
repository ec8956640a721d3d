"""Template filters and tags for the hall, booth and product pages: rupiah, placeholders, weights,
WhatsApp links, paging. A template library only: the rules behind it live in plain modules
(``expo.money``, ``booths.display``) that code imports instead."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import template
from django.utils.formats import number_format

from booths.display import whatsapp_link
from expo.money import format_rupiah
from expo.templatetags.moments import isoutc

register = template.Library()


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
