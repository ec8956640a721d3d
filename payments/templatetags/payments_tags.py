"""Template helpers of the payment pages."""

from __future__ import annotations

from django import template

from payments import providers

register = template.Library()


@register.filter
def times(value: int, factor: int) -> int:
    """Whole rupiah × a quantity (integers only: money is never a float)."""
    return int(value) * int(factor)


@register.filter
def payment_method(name: str, kind: str = "") -> str:
    """How the pages name the provider called ``name`` (``staff``: the organiser's pages,
    ``short``: lists); the name itself for a provider no longer installed."""
    method = providers.find(name)
    return method.title(kind) if method is not None else name


@register.filter
def payment_method_description(name: str) -> str:
    """The line the checkout shows under the provider's choice."""
    method = providers.find(name)
    return str(method.description) if method is not None else ""
