"""Template helpers of the payment pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from payments import providers, shipping

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


@register.filter
def tracking_link(part: Any) -> SafeString:
    """A part's tracking number, linked to its courier's tracking page when the courier has one."""
    url = shipping.tracking_url(part.courier, part.tracking_number)
    if not url:
        return format_html("{}", part.tracking_number)
    return format_html(
        '<a href="{}" target="_blank" rel="noopener noreferrer" data-testid="tracking-link">{}</a>',
        url,
        part.tracking_number,
    )


@register.filter
def tracking_url(part: Any) -> str:
    """The courier's tracking page for a part (for e-mails), or ""."""
    return shipping.tracking_url(part.courier, part.tracking_number)
