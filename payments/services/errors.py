"""The refusals of the checkout: each a :class:`~expo.refusals.Refused` with a stable code, and
nothing changed when one is raised."""

from __future__ import annotations

from django.utils.translation import gettext as _

from expo.refusals import Refused


class SoldOut(Refused):
    """Another buyer took the last items; nothing was reserved or charged."""

    default_code = "sold_out"


class Busy(Refused):
    """Too many buyers at once for the same items: nothing changed, try again."""

    default_code = "busy"

    def __init__(self) -> None:
        super().__init__(
            _(
                "Many buyers are checking out these items right now. Nothing was charged; please try again."
            )
        )


class PricesChanged(Refused):
    """A price changed after the buyer's page stated the subtotal: nothing was ordered."""

    default_code = "prices_changed"

    def __init__(self) -> None:
        super().__init__(
            _(
                "Some prices changed since you opened this page. Check the new total, then place the order again."
            )
        )
