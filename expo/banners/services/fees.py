"""A banner's fee: the organiser prices a vendor's request, the vendor pays it through the checkout's
providers (a bank transfer the organiser confirms, or a card), and the banner runs once it is paid.
The organiser's income: never an order, never in the sales ledger, never omzet."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from expo.banners.models import BannerCampaign, BannerFee
from expo.banners.services.pool import pool_changed
from expo.banners.services.rules import (
    MAX_PRICE,
    campaign_decide,
    campaign_locked,
    check_weight,
    require_manage,
    require_not_closed,
)
from expo.models import User
from expo.services import audit_log
from payments import hooks as pay_hooks
from payments import selectors as pay_selectors
from payments import services as pay_services
from payments.models import Charge, CollectingAccount

# The checkout's name for what a banner's fee is (payments.Charge.purpose).
FEE_PURPOSE = "banner_fee"


def _fee_reference(campaign: BannerCampaign) -> str:
    return f"BNR-{campaign.pk}-{secrets.token_hex(2).upper()}"


@transaction.atomic
def banner_set_price(
    *, campaign: BannerCampaign, price: int, weight: int | None = None, by: User
) -> BannerFee:
    """Approve a request for a fee: it runs once the vendor's bank transfer is confirmed."""
    require_manage(campaign.expo, by)
    if isinstance(price, bool) or not isinstance(price, int) or not 1 <= price <= MAX_PRICE:
        raise ValidationError({"price": _("The price is a whole number of rupiah above zero.")})
    campaign = campaign_locked(campaign)
    require_not_closed(campaign.expo)
    if campaign.status not in (BannerCampaign.Status.REQUESTED, BannerCampaign.Status.PRICED):
        raise ValidationError(_("Only a banner waiting for review or payment can be priced."))
    if campaign.vendor_id is None:
        raise ValidationError(_("The organiser's own banners have no fee."))
    if weight is not None:
        check_weight(weight)
        campaign.weight = weight
    campaign.price = price
    campaign_decide(campaign, by, BannerCampaign.Status.PRICED, ["price", "weight"])
    account = CollectingAccount.objects.filter(expo_id=campaign.expo_id).first()
    fee = BannerFee.objects.filter(campaign=campaign).first()
    if fee is None:
        fee = BannerFee(
            campaign=campaign, expo_id=campaign.expo_id, reference=_fee_reference(campaign)
        )
    fee.amount, fee.status = price, BannerFee.Status.PENDING
    if account is not None:
        fee.bank_name = account.bank_name
        fee.account_number = account.account_number
        fee.account_holder = account.account_holder
    fee.save()
    # Paid through the checkout's providers (transfer or card); never an order, never omzet.
    charge = pay_services.charge_open(
        expo=campaign.expo,
        purpose=FEE_PURPOSE,
        object_id=fee.pk,
        label=_("Banner: %(title)s") % {"title": campaign.title or campaign.slot.name},
        amount=price,
        payer=campaign.requested_by,
    )
    transfer = pay_selectors.charge_transfer(charge)
    fee.reference = transfer.reference
    fee.save(update_fields=["reference"])
    audit_log(
        action="expo.banner.priced", obj=campaign, user=by, expo_id=campaign.expo_id, price=price
    )
    return fee


def fee_charge(fee: BannerFee) -> Charge | None:
    """The checkout's charge a fee is paid through."""
    return Charge.objects.filter(purpose=FEE_PURPOSE, object_id=fee.pk).first()


def banner_fee_confirm(*, fee: BannerFee, by: User, note: str = "") -> BannerFee:
    """The organiser saw the vendor's transfer arrive: confirmed like any checkout transfer, and
    the fee is paid (by :func:`_fee_paid`, in the same transaction) and the banner runs.
    Organiser's income: never an order, never in the sales ledger."""
    require_manage(fee.expo, by)
    if fee.status != BannerFee.Status.PENDING:
        raise ValidationError(_("This fee is not waiting for a transfer."))
    if fee.campaign.status != BannerCampaign.Status.PRICED:
        raise ValidationError(_("This banner is not waiting for payment."))
    charge = fee_charge(fee)
    transfer = pay_selectors.charge_transfer(charge) if charge else None
    if transfer is None:
        raise ValidationError(_("This fee is not waiting for a transfer."))
    pay_services.transfer_confirm(payment=transfer, by=by, note=(note or "").strip())
    fee.refresh_from_db()
    return fee


def _fee_paid(charge: Charge) -> None:
    """The checkout was paid for a banner's fee (a confirmed transfer or a card): the fee is paid
    and the banner runs. Called inside the payment's transaction."""
    fee = BannerFee.objects.select_for_update().get(pk=charge.object_id)
    if fee.status == BannerFee.Status.PAID:
        return
    payment = pay_selectors.charge_received_payment(charge)
    campaign = campaign_locked(fee.campaign)
    fee.status, fee.paid_at = BannerFee.Status.PAID, charge.paid_at or timezone.now()
    fee.confirmed_by = payment.confirmed_by if payment else None
    fee.note = (payment.note if payment else "")[:255]
    fee.save(update_fields=["status", "paid_at", "confirmed_by", "note"])
    if campaign.status == BannerCampaign.Status.PRICED:
        campaign.status = BannerCampaign.Status.PAID
        campaign.save(update_fields=["status"])
    audit_log(
        action="expo.banner.fee_paid",
        obj=campaign,
        user=fee.confirmed_by,
        expo_id=campaign.expo_id,
        amount=fee.amount,
        reference=fee.reference,
        provider=payment.provider if payment else "",
    )
    pool_changed()


def fees_cancel_pending(*, campaign: BannerCampaign) -> None:
    """Close the campaign's unpaid fee and the checkout's charge for it: a rejected or withdrawn
    request owes nothing."""
    for fee in BannerFee.objects.filter(campaign=campaign, status=BannerFee.Status.PENDING):
        pay_services.charge_cancel(purpose=FEE_PURPOSE, object_id=fee.pk)
        fee.status = BannerFee.Status.CANCELLED
        fee.save(update_fields=["status"])


pay_hooks.register_charge(FEE_PURPOSE, on_paid=_fee_paid)
