"""``{% place "name" key=value … %}``: what the apps registered for a place (see expo.places)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import mark_safe

from expo import places

register = template.Library()


@register.simple_tag(takes_context=True)
def place(context: template.Context, name: str, **extra: Any) -> str:
    engine = context.template.engine
    with context.push(**extra):
        rendered = [engine.get_template(t).render(context) for t in places.templates_at(name)]
    return mark_safe("".join(rendered))
