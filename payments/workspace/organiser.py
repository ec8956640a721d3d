"""The organiser's payment pages of an expo, under ``/manage/expos/<expo slug>/payments/``: bank
transfers to confirm, orders and refunds, settlements and payouts, the collecting account and the
exchange rates.

They use the organiser workspace's gate (organiser or admin, then ``can_manage_office`` of the
expo's office, else 403). Payments, orders and vendors are then looked up *through* that expo.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from booths import selectors as booth_selectors
from expo.models import Expo
from expo.money import format_rupiah
from expo.refusals import add_to_form, refuse
from expo.web import managed_expo, organiser_required
from payments import providers, selectors, services
from payments.forms import (
    CollectingAccountForm,
    ExchangeRatesForm,
    PayoutForm,
    RefundForm,
    TransferConfirmForm,
)
from payments.models import Order
from payments.workspace import pages

RATE_EXAMPLE = 100_000  # the rupiah price the rates page converts as an example
ORGANISER_FILTERS = ("", *Order.Status.values)


def _manage_page(
    request: HttpRequest, expo: Expo, template: str, http_status: int = 200, **context: Any
) -> HttpResponse:
    return render(
        request,
        template,
        {
            **booth_selectors.organiser_header(expo),
            "pending_count": selectors.pending_transfer_count(expo=expo),
            **context,
        },
        status=http_status,
    )


def _manage_url(name: str, expo: Expo, *args: Any) -> str:
    return reverse(f"payments:{name}", args=[expo.slug, *args])


@require_safe
@organiser_required
def manage_transfers(request: HttpRequest, expo_slug: str) -> HttpResponse:
    """The payments area's first page: bank transfers waiting to be confirmed."""
    expo = managed_expo(request, expo_slug)
    transfers = selectors.pending_transfers(expo=expo)
    account = selectors.collecting_account(expo=expo)
    return _manage_page(
        request,
        expo,
        "payments/manage/transfers.html",
        transfers=transfers,
        account=account,
        now=timezone.now(),
        confirm_form=TransferConfirmForm(),
    )


@require_POST
@organiser_required
def manage_transfer_confirm(request: HttpRequest, expo_slug: str, payment_id: int) -> HttpResponse:
    expo = managed_expo(request, expo_slug)
    payment = selectors.transfer_of(expo=expo, payment_id=payment_id)
    if payment is None:
        raise Http404
    back = _manage_url("manage_transfers", expo)
    form = TransferConfirmForm(request.POST)
    if not form.is_valid():
        return refuse(request, ValidationError(_("The note is too long.")), back)
    try:
        confirmation = services.transfer_confirm(
            payment=payment, by=request.user, note=form.cleaned_data.get("note") or ""
        )
    except ValidationError as error:
        return refuse(request, error, back)
    code = confirmation.order.code
    if confirmation.refund_needed:
        messages.warning(
            request,
            _(
                "Transfer for %(code)s recorded, but its items are no longer available: "
                "transfer the money back to the buyer."
            )
            % {"code": code},
        )
    elif confirmation.changed:
        messages.success(
            request,
            _("Transfer for %(code)s confirmed. The buyer and the vendors were told by e-mail.")
            % {"code": code},
        )
    else:
        messages.info(request, _("Transfer for %(code)s was already confirmed.") % {"code": code})
    return redirect(back)


ORDER_STATUS_BADGES = {
    Order.Status.PENDING: "badge-warning",
    Order.Status.PAID: "badge-role",
    Order.Status.PACKED: "badge-role",
    Order.Status.SHIPPED: "badge-vendor",
    Order.Status.DELIVERED: "badge-success",
    Order.Status.CANCELLED: "",
    Order.Status.REFUNDED: "badge-danger",
}


@require_safe
@organiser_required
def manage_orders(request: HttpRequest, expo_slug: str) -> HttpResponse:
    expo = managed_expo(request, expo_slug)
    status = request.GET.get("status", "")
    if status not in Order.Status.values:
        status = ""
    q = (request.GET.get("q") or "").strip()[:80]
    page = pages.page_of(request, selectors.expo_orders(expo=expo, status=status, q=q))
    counts = selectors.expo_order_status_counts(expo=expo)
    labels = dict(Order.Status.choices)
    tabs = [
        {
            "value": value,
            "label": labels.get(value, _("All")),
            "count": counts.get(value, 0),
            "active": value == status,
            "query": urlencode({k: v for k, v in (("status", value), ("q", q)) if v}),
        }
        for value in ORGANISER_FILTERS
        if value in ("", Order.Status.PENDING, Order.Status.PAID) or counts.get(value)
    ]
    return _manage_page(
        request,
        expo,
        "payments/manage/orders.html",
        page_obj=page,
        tabs=tabs,
        status=status,
        q=q,
        query=pages.query_without_page(request),
        badges=ORDER_STATUS_BADGES,
    )


def _managed_order(expo: Expo, code: str) -> Order:
    order = selectors.order_for_organiser(expo=expo, code=code)
    if order is None:
        raise Http404
    return order


def _refund_form(order: Order, data: Any = None) -> RefundForm:
    choices = [
        (line.pk, f"{line.quantity} × {line.name}")
        for part in order.parts.all()
        for line in part.lines.all()
    ]
    return RefundForm(data, line_choices=choices)


@require_safe
@organiser_required
def manage_order(request: HttpRequest, expo_slug: str, code: str) -> HttpResponse:
    expo = managed_expo(request, expo_slug)
    order = _managed_order(expo, code)
    return _render_manage_order(request, expo, order, _refund_form(order))


def _render_manage_order(
    request: HttpRequest, expo: Expo, order: Order, form: RefundForm, status: int = 200
) -> HttpResponse:
    payments = list(order.payments.all())
    pending = selectors.payable_payment(order)
    method = providers.find(pending.provider) if pending is not None else None
    ordered_with = providers.find(order.provider)
    return _manage_page(
        request,
        expo,
        "payments/manage/order.html",
        http_status=status,
        order=order,
        parts=list(order.parts.all()),
        payments=payments,
        refunds=list(order.refunds.all()),
        refund_form=form,
        can_refund=order.paid_at is not None and order.refunded_total < order.total,
        refundable=order.total - order.refunded_total,
        badges=ORDER_STATUS_BADGES,
        pending_transfer=pending if method is not None and method.confirms_offline else None,
        refund_note=ordered_with.refund_note if ordered_with is not None else "",
    )


@require_POST
@organiser_required
def manage_order_refund(request: HttpRequest, expo_slug: str, code: str) -> HttpResponse:
    """Refund the whole order (``scope=all``) or the chosen lines."""
    expo = managed_expo(request, expo_slug)
    order = _managed_order(expo, code)
    whole = request.POST.get("scope") == "all"
    form = _refund_form(order, request.POST)
    if whole:
        form.fields["lines"].required = False
    if form.is_valid():
        lines = None
        if not whole:
            wanted = set(form.cleaned_data["lines"])
            lines = [
                line for part in order.parts.all() for line in part.lines.all() if line.pk in wanted
            ]
        try:
            refund = services.order_refund(
                order=order,
                by=request.user,
                lines=lines,
                reason=form.cleaned_data.get("reason") or "",
            )
        except (ValidationError, providers.ProviderError) as error:
            add_to_form(form, error)
        else:
            messages.success(
                request,
                _("Refund of %(amount)s recorded for %(code)s.")
                % {"amount": format_rupiah(refund.amount), "code": order.code},
            )
            return redirect(_manage_url("manage_order", expo, order.code))
    messages.error(request, _("Nothing was refunded: %(reason)s") % {"reason": _form_errors(form)})
    return _render_manage_order(request, expo, order, form, status=400)


def _form_errors(form: Any) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


@require_safe
@organiser_required
def manage_settlements(request: HttpRequest, expo_slug: str) -> HttpResponse:
    expo = managed_expo(request, expo_slug)
    rows = selectors.settlements(expo=expo)
    payouts = selectors.expo_payouts(expo=expo)
    totals = {
        "sales": sum(r.sales for r in rows),
        "refunds": sum(r.refunds for r in rows),
        "net": sum(r.net for r in rows),
        "fee": sum(r.fee for r in rows),
        "shipping": sum(r.shipping for r in rows),
        "owed": sum(r.owed for r in rows),
        "paid_out": sum(r.paid_out for r in rows),
        "balance": sum(r.balance for r in rows),
    }
    return _manage_page(
        request,
        expo,
        "payments/manage/settlements.html",
        rows=rows,
        payouts=payouts,
        totals=totals,
        fee_percent=pages.fee_percent(),
        payout_form=PayoutForm(),
    )


@require_POST
@organiser_required
def manage_payout(request: HttpRequest, expo_slug: str, vendor_id: int) -> HttpResponse:
    expo = managed_expo(request, expo_slug)
    vendor = selectors.expo_vendor(expo=expo, vendor_id=vendor_id)
    if vendor is None:
        raise Http404
    back = _manage_url("manage_settlements", expo)
    form = PayoutForm(request.POST)
    if not form.is_valid():
        return refuse(request, ValidationError(_form_errors(form)), back)
    try:
        payout = services.settlement_pay_out(
            expo=expo,
            vendor=vendor,
            by=request.user,
            reference=form.cleaned_data.get("reference") or "",
        )
    except ValidationError as error:
        return refuse(request, error, back)
    messages.success(
        request,
        _("Paid out %(amount)s to %(vendor)s. The vendor was told by e-mail.")
        % {"amount": format_rupiah(payout.amount), "vendor": vendor.name},
    )
    return redirect(back)


@require_http_methods(["GET", "HEAD", "POST"])
@organiser_required
def manage_account(request: HttpRequest, expo_slug: str) -> HttpResponse:
    """The bank account the expo's buyers transfer to."""
    expo = managed_expo(request, expo_slug)
    account = selectors.collecting_account(expo=expo)
    initial = (
        {
            "bank_name": account.bank_name,
            "account_number": account.account_number,
            "account_holder": account.account_holder,
            "instructions_en": account.instructions_en,
            "instructions_id": account.instructions_id,
            "swift_bic": account.swift_bic,
            "bank_address": account.bank_address,
            "transfer_fees": account.transfer_fees,
        }
        if account
        else None
    )
    form = CollectingAccountForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.collecting_account_update(expo=expo, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_to_form(form, error)
            else:
                messages.success(request, _("Collecting account saved. New orders show it."))
                return redirect(_manage_url("manage_account", expo))
        messages.error(request, _("Check the account below: nothing was saved."))
    return _manage_page(
        request,
        expo,
        "payments/manage/account.html",
        http_status=400 if request.method == "POST" else 200,
        form=form,
        account=account,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@organiser_required
def manage_rates(request: HttpRequest, expo_slug: str) -> HttpResponse:
    """Rupiah per unit of each foreign currency, for the approximate prices buyers see."""
    expo = managed_expo(request, expo_slug)
    current = selectors.exchange_rates(expo_id=expo.pk)
    form = ExchangeRatesForm(request.POST or None, current=current)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.exchange_rates_update(expo=expo, rates=form.rates(), by=request.user)
            except ValidationError as error:
                add_to_form(form, error)
            else:
                messages.success(request, _("Exchange rates saved."))
                return redirect(_manage_url("manage_rates", expo))
        messages.error(request, _("Check the rates below: nothing was saved."))
    return _manage_page(
        request,
        expo,
        "payments/manage/rates.html",
        http_status=400 if request.method == "POST" else 200,
        form=form,
        rows=[(form[code], selectors.approx(RATE_EXAMPLE, code, current)) for code in form.fields],
        example_rupiah=format_rupiah(RATE_EXAMPLE),
    )
