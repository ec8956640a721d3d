"""Template filters for moments in time that every app's pages share."""

from __future__ import annotations

from datetime import UTC, datetime

from django import template

register = template.Library()


@register.filter
def isoutc(value: datetime | None) -> str:
    """An aware datetime as an ISO-8601 UTC timestamp (``2026-06-01T02:00:00Z``) for scripts,
    which show it in the visitor's own time zone."""
    if value is None:
        return ""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
