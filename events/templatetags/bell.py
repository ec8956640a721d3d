"""``{% unread_notifications as n %}``: the signed-in person's unread count for the header's bell.

The header's place is rendered twice per page (the phone bar and the menu); the count is read
once per request (one query) and kept on the request. Nothing is written."""

from __future__ import annotations

from django import template

from events.bell import selectors

register = template.Library()

_KEPT = "_bell_unread"


@register.simple_tag(takes_context=True)
def unread_notifications(context: template.Context) -> int:
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if user is None or not user.is_authenticated:
        return 0
    if request is None:
        return selectors.unread_count(user_id=user.pk)
    kept = getattr(request, _KEPT, None)
    if kept is None or kept[0] != user.pk:
        kept = (user.pk, selectors.unread_count(user_id=user.pk))
        setattr(request, _KEPT, kept)
    return kept[1]
