"""Charges: what the organiser sells through the checkout (a banner's fee). Paid like an order, by
bank transfer to the expo's account or in the page, but never an order, never in the sales ledger,
never any UMKM's omzet. Confirming a charge's payment is :func:`payment_confirm`'s, as for orders."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from expo.models import Expo, User
from expo.services import audit_log
from payments import providers
from payments.models import Charge, Payment
from payments.services.codes import new_charge_code


@transaction.atomic
def charge_open(
    *, expo: Expo, purpose: str, object_id: int, label: str, amount: int, payer: User | None
) -> Charge:
    """What the organiser asks to be paid for ``purpose``/``object_id`` (again, with a new amount,
    if it was asked before and not paid). A bank-transfer payment with the charge's reference is
    ready at once; a payment in the page is made when the payer pays there."""
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ValidationError(_("The amount is a whole number of rupiah above zero."))
    charge = Charge.objects.select_for_update().filter(purpose=purpose, object_id=object_id).first()
    if charge is not None and charge.status == Charge.Status.PAID:
        raise ValidationError(_("This has been paid already."), code="paid")
    if charge is None:
        charge = Charge(
            code=new_charge_code(),
            access_key=secrets.token_urlsafe(32),
            purpose=purpose,
            object_id=object_id,
        )
    charge.expo, charge.label, charge.amount, charge.payer = expo, label[:200], amount, payer
    charge.status = Charge.Status.PENDING
    charge.save()
    # A changed amount: earlier attempts can no longer be used.
    charge.payments.filter(status=Payment.Status.CREATED).exclude(amount=amount).update(
        status=Payment.Status.CANCELLED
    )
    for name in providers.offline():
        if not charge.payments.filter(provider=name, status=Payment.Status.CREATED).exists():
            transfer = Payment(charge=charge, provider=name, amount=amount)
            transfer.reference = f"{charge.code}-{charge.payments.count() + 1}"
            transfer.save()
    audit_log(
        action="payments.charge.opened", obj=charge, expo_id=expo.pk, amount=amount, purpose=purpose
    )
    return charge


@transaction.atomic
def charge_cancel(*, purpose: str, object_id: int) -> None:
    """The service is no longer sold (a banner rejected): its unpaid charge is closed."""
    charge = (
        Charge.objects.select_for_update()
        .filter(purpose=purpose, object_id=object_id, status=Charge.Status.PENDING)
        .first()
    )
    if charge is None:
        return
    charge.status = Charge.Status.CANCELLED
    charge.save(update_fields=["status"])
    charge.payments.filter(status=Payment.Status.CREATED).update(status=Payment.Status.CANCELLED)
    audit_log(action="payments.charge.cancelled", obj=charge, expo_id=charge.expo_id)
