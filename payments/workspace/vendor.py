"""The vendor's payment pages, under ``/vendor/<vendor slug>/``: orders (filtered, as CSV), packing
and shipping each part, shipping rates and settlements.

They use the vendor workspace's own gate, :func:`booths.vendor_views.vendor_page` (log in; 404 for
an unknown vendor; 403 unless a member of *that* vendor). Everything below it is looked up
*through* the vendor, so another vendor's order part answers 404.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from booths.vendor_views import Workspace, vendor_page
from expo.refusals import add_to_form, refuse
from expo.spreadsheets import csv_response
from payments import selectors, services
from payments.forms import ShipForm, ShippingRatesForm, VendorOrderFilterForm
from payments.models import OrderPart, ShippingZone
from payments.workspace import pages

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


def _vendor_filters(request: HttpRequest) -> selectors.VendorOrderFilters:
    form = VendorOrderFilterForm(request.GET or None)
    return selectors.VendorOrderFilters(**form.filters())


def _vendor_url(name: str, ws: Workspace, *args: Any) -> str:
    return reverse(f"payments:{name}", args=[ws.vendor.slug, *args])


@require_safe
@vendor_page
def vendor_orders(request: HttpRequest, ws: Workspace) -> HttpResponse:
    filters = _vendor_filters(request)
    page = pages.page_of(request, selectors.vendor_order_parts(vendor=ws.vendor, filters=filters))
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
            "query": pages.query_without_page(request),
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
) -> HttpResponse:
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
        return refuse(request, error, back)
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
        return refuse(request, error, back)
    messages.success(request, _("Marked as delivered."))
    return redirect(back)


# --- Vendor: shipping rates and settlements --------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@vendor_page
def vendor_shipping(request: HttpRequest, ws: Workspace) -> HttpResponse:
    current = selectors.shipping_rates(vendor=ws.vendor)
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
            "fee_percent": pages.fee_percent(),
            "total_balance": sum(row.balance for _e, row, _p in statements),
        },
    )
