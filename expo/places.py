"""Places in a page where a higher app adds its part, so that lower templates never include a
higher app's template.

A template of a lower app names a place — ``{% place "vendor_tabs" %}`` — and knows nothing of what
fills it; each app that has something to show there registers a template for it in its
``AppConfig.ready()``::

    places.register("vendor_tabs", "banners/vendor/_nav.html", order=40)

The tag renders every registered template, in ``order``, with the page's context (plus the tag's
keyword arguments). A place nobody filled renders nothing. The places used today:

=====================  ==========================================================================
``header_actions``     the site header, beside the menu (the cart link, the bell); ``extra_class`` in
                       the phone bar (rendered first), not in the menu
``user_menu``          the signed-in person's menu in the header, after "Your orders"
``vendor_tabs``        the vendor workspace's tabs, after the base app's own
``organiser_tabs``     the organiser's expo workspace tabs
``organiser_actions``  the buttons in the organiser's expo header
``page_slot``          a promotion slot on a public page (``slot=…``, see the banners app)
``booth_aside``        the aside of a booth page (live sessions)
``product_actions``    beside "Visit booth" on a product page (cached for everyone: nothing personal)
``inquiry_actions``    under a buyer's private conversation with a booth (``inquiry``, ``booth``)
``meeting_actions``    the buyer's "What next" of a meeting page (``meeting``)
=====================  ==========================================================================
"""

from __future__ import annotations

from dataclasses import dataclass

KNOWN = frozenset(
    {
        "header_actions",
        "user_menu",
        "vendor_tabs",
        "organiser_tabs",
        "organiser_actions",
        "page_slot",
        "booth_aside",
        "product_actions",
        "inquiry_actions",
        "meeting_actions",
    }
)


@dataclass(frozen=True, order=True)
class Part:
    order: int
    template_name: str


_parts: dict[str, list[Part]] = {}


def register(place: str, template_name: str, *, order: int = 100) -> None:
    """Show ``template_name`` at ``place``; registering the same template twice is harmless."""
    if place not in KNOWN:
        raise ValueError(f"unknown place {place!r}; known: {sorted(KNOWN)}")
    parts = _parts.setdefault(place, [])
    if all(p.template_name != template_name for p in parts):
        parts.append(Part(order, template_name))
        parts.sort()


def templates_at(place: str) -> list[str]:
    return [part.template_name for part in _parts.get(place, [])]
