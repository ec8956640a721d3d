"""E-mails of the checkout: to the buyer (an account or a guest) and to a vendor's members."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings

from expo.services import send_templated_email
from payments.models import Order, OrderPart


@dataclass(frozen=True)
class Recipient:
    """Whom an e-mail goes to: an account, or a guest buyer (with the language they ordered in)."""

    email: str
    name: str
    language: str
    time_zone: str = settings.TIME_ZONE

    def get_short_name(self) -> str:
        return self.name.split(" ")[0] if self.name else self.email.split("@")[0]


def _buyer_recipient(order: Order) -> Recipient:
    buyer = order.buyer
    if buyer is not None:
        return Recipient(
            email=order.email,
            name=order.name or buyer.name,
            language=buyer.language or order.language,
            time_zone=buyer.time_zone,
        )
    return Recipient(email=order.email, name=order.name, language=order.language)


def buyer(order: Order, template: str, **context: Any) -> None:
    """Mail ``payments/email/<template>`` to the order's buyer."""
    send_templated_email(
        to=_buyer_recipient(order),  # type: ignore[arg-type]  # duck-typed recipient
        template=f"payments/email/{template}",
        context={"order": order, "expo": order.expo, **context},
    )


def vendor(part: OrderPart, template: str, **context: Any) -> None:
    """Mail ``payments/email/<template>`` to each member of the part's vendor."""
    for membership in part.vendor.memberships.select_related("user"):
        send_templated_email(
            to=membership.user,
            template=f"payments/email/{template}",
            context={
                "order": part.order,
                "part": part,
                "vendor": part.vendor,
                "expo": part.order.expo,
                **context,
            },
        )
