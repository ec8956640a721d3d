"""The payment pages of the vendor and organiser workspaces (namespace ``payments``).

Vendor pages live under ``/vendor/<vendor slug>/`` and use the vendor workspace's own gate,
:func:`booths.vendor_views.vendor_page` (log in; 404 for an unknown vendor; 403 unless a member of
*that* vendor). Everything below it is looked up *through* the vendor, so another vendor's order
part answers 404.

Organiser pages live under ``/manage/expos/<expo slug>/payments/`` and use the organiser
workspace's gate (organiser or admin, then ``can_manage_office`` of the expo's office, else 403).
Payments, orders and vendors are then looked up *through* that expo.

Views stay thin: forms clean input, ``payments.services`` apply the rules (they check the
permissions again), ``payments.selectors`` read. A refused action shows its message and changes
nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from booths import selectors as booth_selectors
from booths.models import Vendor
from booths.vendor_views import Workspace, vendor_page
from expo.models import Expo
from expo.money import format_rupiah
from expo.refusals import add_to_form
from expo.spreadsheets import csv_response
from expo.web import managed_expo, organiser_required
from payments import providers, selectors, services
from payments.forms import (
    CollectingAccountForm,
    ExchangeRatesForm,
    PayoutForm,
    RefundForm,
    ShipForm,
    ShippingRatesForm,
    TransferConfirmForm,
    VendorOrderFilterForm,
)
from payments.models import (
    CollectingAccount,
    Order,
    OrderPart,
    Payment,
    SettlementPayout,
    ShippingZone,
    VendorShippingRate,
)

PAGE_SIZE = 50
RATE_EXAMPLE = 100_000  # the rupiah price the rates page converts as an example
# Cells a spreadsheet would read as a formula (or that hide one behind a tab or carriage return).

VENDOR_FILTER_LABELS = {
    "": gettext_lazy("All"),
    OrderPart.Status.PAID: gettext_lazy("To pack"),
    OrderPart.Status.PACKED: gettext_lazy("Packed"),
    OrderPart.Status.SHIPPED: gettext_lazy("Shipped"),
    OrderPart.Status.DELIVERED: gettext_lazy("Delivered"),
    OrderPart.Status.PENDING: gettext_lazy("Awaiting payment"),
    OrderPart.Status.CANCELLED: gettext_lazy("Cancelled"),
    OrderPart.Status.REFUNDED: gettext_lazy("Refunded"),
}
ORGANISER_FILTERS = ("", *Order.Status.values)


def _error_text(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(str(m) for m in error.messages)
    return str(getattr(error, "message", "") or error) or _("This is not possible.")


def _refused(request: HttpRequest, error: Exception, to: str) -> HttpResponse:
    """A service refused: say why, change nothing, go back."""
    messages.error(request, _error_text(error))
    return redirect(to)


def _page_of(request: HttpRequest, rows: Any) -> Any:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def _query_without_page(request: HttpRequest) -> str:
    return urlencode([(k, v) for k, v in request.GET.items() if k != "page" and v])


# --- CSV -------------------------------------------------------------------------------------------


# --- Vendor: orders --------------------------------------------------------------------------------


def _vendor_filters(request: HttpRequest) -> selectors.VendorOrderFilters:
    form = VendorOrderFilterForm(request.GET or None)
    return selectors.VendorOrderFilters(**form.filters())


def _vendor_url(name: str, ws: Workspace, *args: Any) -> str:
    return reverse(f"payments:{name}", args=[ws.vendor.slug, *args])


@require_safe
@vendor_page
def vendor_orders(request: HttpRequest, ws: Workspace) -> HttpResponse:
    filters = _vendor_filters(request)
    page = _page_of(request, selectors.vendor_order_parts(vendor=ws.vendor, filters=filters))
    counts = selectors.vendor_status_counts(vendor=ws.vendor)
    base = {k: v for k, v in (("expo", filters.expo), ("q", filters.q)) if v}
    tabs = [
        {
            "value": value,
            "label": VENDOR_FILTER_LABELS[value],
            "count": counts.get(value, 0),
            "active": value == filters.status,
            "query": urlencode({**base, **({"status": value} if value else {})}),
        }
        for value in selectors.VENDOR_STATUS_FILTERS
        if value in ("", OrderPart.Status.PAID) or counts.get(value)
    ]
    return render(
        request,
        "payments/vendor/orders.html",
        {
            "ws": ws,
            "vendor": ws.vendor,
            "page_obj": page,
            "filters": filters,
            "tabs": tabs,
            "to_pack": counts.get(OrderPart.Status.PAID, 0),
            "expos": selectors.vendor_expos(vendor=ws.vendor),
            "query": _query_without_page(request),
            "csv_query": urlencode(
                {k: v for k, v in (("status", filters.status), *base.items()) if v}
            ),
        },
    )


CSV_HEADER = (
    gettext_lazy("Order"),
    gettext_lazy("Placed (WIB)"),
    gettext_lazy("Expo"),
    gettext_lazy("Status"),
    gettext_lazy("Product"),
    gettext_lazy("Quantity"),
    gettext_lazy("Unit price (Rp)"),
    gettext_lazy("Line total (Rp)"),
    gettext_lazy("Refunded (Rp)"),
    gettext_lazy("Pre-order ships by"),
    gettext_lazy("Shipping (Rp)"),
    gettext_lazy("Courier"),
    gettext_lazy("Tracking number"),
    gettext_lazy("Buyer"),
    gettext_lazy("E-mail"),
    gettext_lazy("Phone"),
    gettext_lazy("Address"),
    gettext_lazy("City"),
    gettext_lazy("Province or state"),
    gettext_lazy("Postal code"),
    gettext_lazy("Country"),
)


@require_safe
@vendor_page
def vendor_orders_csv(request: HttpRequest, ws: Workspace) -> HttpResponse:
    """The filtered list as CSV, one row per order line (only this vendor's lines)."""
    filters = _vendor_filters(request)
    parts = selectors.vendor_order_parts(vendor=ws.vendor, filters=filters)
    stamp = timezone.localtime(timezone.now()).strftime("%Y%m%d-%H%M")
    return csv_response(
        CSV_HEADER, _csv_rows(parts), filename=f"orders-{ws.vendor.slug}-{stamp}.csv"
    )


def _csv_rows(parts: Any) -> Iterator[list[Any]]:
    """One row per order line; the part's shipping on its first line only."""
    for part in parts.iterator(chunk_size=500):
        order = part.order
        placed = timezone.localtime(order.placed_at).strftime("%Y-%m-%d %H:%M")
        for i, line in enumerate(part.lines.all()):
            yield [
                order.code,
                placed,
                order.expo.title,
                str(part.get_status_display()),
                line.name,
                line.quantity,
                line.unit_price,
                line.amount,
                line.refunded_amount,
                line.ships_by.isoformat() if line.ships_by else "",
                part.shipping_amount if i == 0 else 0,
                part.courier_label if part.courier else "",
                part.tracking_number,
                order.name,
                order.email,
                order.phone,
                order.address,
                order.city,
                order.region,
                order.postal_code,
                order.country,
            ]


def _vendor_part(ws: Workspace, part_id: int) -> OrderPart:
    part = selectors.vendor_part(vendor=ws.vendor, part_id=part_id)
    if part is None:
        raise Http404
    return part


@require_safe
@vendor_page
def vendor_order(request: HttpRequest, ws: Workspace, part_id: int) -> HttpResponse:
    part = _vendor_part(ws, part_id)
    return _render_part(request, ws, part, ShipForm())


def _render_part(
    request: HttpRequest, ws: Workspace, part: OrderPart, ship_form: ShipForm, status: int = 200
):
    return render(
        request,
        "payments/vendor/order.html",
        {
            "ws": ws,
            "vendor": ws.vendor,
            "part": part,
            "order": part.order,
            "lines": list(part.lines.all()),
            "ship_form": ship_form,
            "can_pack": part.status == OrderPart.Status.PAID,
            "can_ship": part.status in (OrderPart.Status.PAID, OrderPart.Status.PACKED),
            "can_deliver": part.status == OrderPart.Status.SHIPPED,
        },
        status=status,
    )


@require_POST
@vendor_page
def vendor_order_packed(request: HttpRequest, ws: Workspace, part_id: int) -> HttpResponse:
    part = _vendor_part(ws, part_id)
    back = _vendor_url("vendor_order", ws, part.pk)
    try:
        services.part_mark_packed(part=part, by=request.user)
    except ValidationError as error:
        return _refused(request, error, back)
    messages.success(request, _("Marked as packed. The buyer was told by e-mail."))
    return redirect(back)


@require_POST
@vendor_page
def vendor_order_shipped(request: HttpRequest, ws: Workspace, part_id: int) -> HttpResponse:
    part = _vendor_part(ws, part_id)
    form = ShipForm(request.POST)
    if form.is_valid():
        try:
            services.part_mark_shipped(
                part=part,
                courier=form.cleaned_data["courier"],
                courier_name=form.cleaned_data.get("courier_name") or "",
                tracking_number=form.cleaned_data["tracking_number"],
                by=request.user,
            )
        except ValidationError as error:
            add_to_form(form, error)
        else:
            messages.success(
                request, _("Marked as shipped. The buyer received the tracking number by e-mail.")
            )
            return redirect(_vendor_url("vendor_order", ws, part.pk))
    messages.error(request, _("Check the shipping details below."))
    return _render_part(request, ws, part, form, status=400)


@require_POST
@vendor_page
def vendor_order_delivered(request: HttpRequest, ws: Workspace, part_id: int) -> HttpResponse:
    part = _vendor_part(ws, part_id)
    back = _vendor_url("vendor_order", ws, part.pk)
    try:
        services.part_mark_delivered(part=part, by=request.user)
    except ValidationError as error:
        return _refused(request, error, back)
    messages.success(request, _("Marked as delivered."))
    return redirect(back)


# --- Vendor: shipping rates and settlements --------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@vendor_page
def vendor_shipping(request: HttpRequest, ws: Workspace) -> HttpResponse:
    current = {
        rate.zone: (rate.method, rate.amount)
        for rate in VendorShippingRate.objects.filter(vendor=ws.vendor)
    }
    form = ShippingRatesForm(request.POST or None, current=current)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.shipping_rates_update(
                    vendor=ws.vendor, rates=form.rates(), by=request.user
                )
            except ValidationError as error:
                add_to_form(form, error)
            else:
                messages.success(request, _("Shipping rates saved. New orders use them."))
                return redirect(_vendor_url("vendor_shipping", ws))
        messages.error(request, _("Check the rates below: nothing was saved."))
    province = ws.vendor.region.province if ws.vendor.region_id else ""
    zone_notes = {
        ShippingZone.PROVINCE: _("Buyers in %(province)s.") % {"province": province}
        if province
        else _("Buyers in your own province."),
        ShippingZone.DOMESTIC: _("Buyers anywhere else in Indonesia."),
        ShippingZone.INTERNATIONAL: _(
            "Buyers abroad. Think of customs papers and the parcel's weight."
        ),
    }
    zones = [(zone, method, amount, zone_notes[zone]) for zone, method, amount in form.zones()]
    return render(
        request,
        "payments/vendor/shipping.html",
        {"ws": ws, "vendor": ws.vendor, "form": form, "zones": zones},
        status=400 if request.method == "POST" else 200,
    )


@require_safe
@vendor_page
def vendor_settlements(request: HttpRequest, ws: Workspace) -> HttpResponse:
    statements = selectors.vendor_settlements(vendor=ws.vendor)
    return render(
        request,
        "payments/vendor/settlements.html",
        {
            "ws": ws,
            "vendor": ws.vendor,
            "statements": statements,
            "fee_percent": _fee_percent(),
            "total_balance": sum(row.balance for _e, row, _p in statements),
        },
    )


def _fee_percent() -> str:
    bps = int(settings.PLATFORM_FEE_BPS)
    whole, rest = divmod(bps, 100)
    return f"{whole}" if not rest else f"{whole}.{rest:02d}".rstrip("0")


# --- Organiser: the expo's payments ---------------------------------------------------------------


def _manage_page(
    request: HttpRequest, expo: Expo, template: str, http_status: int = 200, **context: Any
):
    return render(
        request,
        template,
        {
            **booth_selectors.organiser_header(expo),
            "pending_count": Payment.objects.filter(
                order__expo=expo,
                provider=providers.MANUAL.name,
                status=Payment.Status.CREATED,
            ).count(),
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
    account = CollectingAccount.objects.filter(expo=expo).first()
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
    payment = get_object_or_404(
        Payment.objects.select_related("order"),
        pk=payment_id,
        order__expo=expo,
        provider=providers.MANUAL.name,
    )
    back = _manage_url("manage_transfers", expo)
    form = TransferConfirmForm(request.POST)
    if not form.is_valid():
        return _refused(request, ValidationError(_("The note is too long.")), back)
    try:
        confirmation = services.transfer_confirm(
            payment=payment, by=request.user, note=form.cleaned_data.get("note") or ""
        )
    except ValidationError as error:
        return _refused(request, error, back)
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
    page = _page_of(request, selectors.expo_orders(expo=expo, status=status, q=q))
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
        query=_query_without_page(request),
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
        pending_payment=selectors.payable_payment(order),
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
        except ValidationError as error:
            add_to_form(form, error)
        except providers.ProviderError as error:
            form.add_error(None, str(error))
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
    payouts = list(
        SettlementPayout.objects.filter(expo=expo)
        .select_related("vendor", "paid_by")
        .order_by("-paid_at")
    )
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
        fee_percent=_fee_percent(),
        payout_form=PayoutForm(),
    )


@require_POST
@organiser_required
def manage_payout(request: HttpRequest, expo_slug: str, vendor_id: int) -> HttpResponse:
    expo = managed_expo(request, expo_slug)
    vendor = get_object_or_404(Vendor.objects.filter(booths__expo=expo).distinct(), pk=vendor_id)
    back = _manage_url("manage_settlements", expo)
    form = PayoutForm(request.POST)
    if not form.is_valid():
        return _refused(request, ValidationError(_form_errors(form)), back)
    try:
        payout = services.settlement_pay_out(
            expo=expo,
            vendor=vendor,
            by=request.user,
            reference=form.cleaned_data.get("reference") or "",
        )
    except ValidationError as error:
        return _refused(request, error, back)
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
    account = CollectingAccount.objects.filter(expo=expo).first()
    initial = (
        {
            "bank_name": account.bank_name,
            "account_number": account.account_number,
            "account_holder": account.account_holder,
            "instructions_en": account.instructions_en,
            "instructions_id": account.instructions_id,
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
