"""Settlements: the office pays each vendor what its sales at an expo earned (ledger sales minus
refunds minus the platform's fee, plus the shipping it collected), as the selectors sum it."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from booths.models import Vendor
from expo.models import Expo, User
from expo.services import audit_log, send_templated_email
from payments import selectors
from payments.models import SettlementPayout
from payments.services.settings import require_organiser


@transaction.atomic
def settlement_pay_out(
    *, expo: Expo, vendor: Vendor, by: User, reference: str = ""
) -> SettlementPayout:
    """Record that the office transferred the vendor's balance for this expo."""
    require_organiser(expo, by)
    # One payout at a time per vendor and expo: lock the vendor row while summing.
    Vendor.objects.select_for_update().filter(pk=vendor.pk).first()
    row = selectors.settlement_for(expo=expo, vendor=vendor)
    if row.balance <= 0:
        raise ValidationError(_("Nothing is owed to this vendor right now."), code="nothing")
    payout = SettlementPayout.objects.create(
        expo=expo,
        vendor=vendor,
        amount=row.balance,
        sales=row.sales,
        refunds=row.refunds,
        fee=row.fee,
        shipping=row.shipping,
        reference=reference[:80],
        paid_by=by,
    )
    audit_log(
        action="payments.settlement.paid_out",
        obj=payout,
        user=by,
        expo_id=expo.pk,
        vendor=vendor.pk,
        amount=payout.amount,
    )
    for membership in vendor.memberships.select_related("user"):
        send_templated_email(
            to=membership.user,
            template="payments/email/vendor_paid_out",
            context={"payout": payout, "vendor": vendor, "expo": expo},
        )
    return payout
