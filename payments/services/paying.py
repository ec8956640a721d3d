"""Paying in the page: the provider's script in the page collects what it needs (a card) and posts
it; the server completes the payment with the provider and acts on what the provider then
says. Offered by the providers that are paid in the page (``pays_in_page``)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from expo import timebox
from expo.models import User
from payments import providers
from payments.models import Channel, Charge, Order, Payment
from payments.services.sync import payment_act_on


def payment_pay_with_card(*, order: Order, card: str, by: User | None = None) -> providers.Attempt:
    """The page sends the card its provider's script made; complete the order's payment with the
    provider and act on the outcome. Starting a payment needs the expo to be open, except for an
    order from an accepted quotation (it belongs to its expo, and is paid when agreed)."""
    if order.channel != Channel.QUOTATION:
        timebox.require(order.expo, timebox.Action.BUY)
    if order.status != Order.Status.PENDING:
        raise ValidationError(_("This order is not waiting for a payment."), code="state")
    payment = order.payments.filter(
        provider__in=_in_page_names(), status=Payment.Status.CREATED
    ).first()
    if payment is None or not payment.provider_ref:
        raise ValidationError(_("This order is not waiting for a card payment."), code="state")
    attempt = providers.get(payment.provider).pay(payment, data=card)
    payment_act_on(payment=payment, state=attempt.state)
    return attempt


def charge_pay_with_card(*, charge: Charge, card: str, by: User | None = None) -> providers.Attempt:
    """Pay a charge with the card the page's script made: a payment at the provider for it (made
    now, or the one still waiting), completed with the card. Acted on as the provider then says."""
    if charge.status != Charge.Status.PENDING:
        raise ValidationError(_("This is not waiting for a payment."), code="state")
    method = providers.in_page()
    if method is None:
        raise ValidationError(_("Card payments are not offered here."), code="provider")
    payment = charge.payments.filter(
        provider=method.name, status=Payment.Status.CREATED, amount=charge.amount
    ).first()
    if payment is None:
        payment = Payment.objects.create(charge=charge, provider=method.name, amount=charge.amount)
        payment.charge = charge
        method.start(payment)
        Payment.objects.filter(pk=payment.pk).update(provider_ref=payment.provider_ref)
    attempt = method.pay(payment, data=card)
    payment_act_on(payment=payment, state=attempt.state)
    return attempt


def _in_page_names() -> list[str]:
    return [method.name for method in providers.installed() if method.pays_in_page]
