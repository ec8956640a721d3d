"""``{% matching_window expo as window %}``: the expo's business-matching window, or None while
matching is off (the booth page's "Book a meeting" card)."""

from __future__ import annotations

from typing import Any

from django import template

from events.matching import selectors

register = template.Library()


@register.simple_tag
def matching_window(expo: Any) -> selectors.Window | None:
    if expo is None:
        return None
    return selectors.window_of(expo)
