"""Template helpers of the payment pages."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def times(value: int, factor: int) -> int:
    """Whole rupiah × a quantity (integers only: money is never a float)."""
    return int(value) * int(factor)
