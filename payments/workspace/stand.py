"""Sales at a hybrid expo's physical stand: the vendor's phone page that records them (the
organiser's page that verifies them is the organiser workspace's, ``manage:stand_sales``).

It uses the vendor workspace's gate (:func:`booths.vendor_views.vendor_page`); a booth is looked
up *through* the vendor, so another vendor's booth answers 404 (and the service checks membership
again).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from booths.models import Booth, Product, Stand
from booths.vendor_views import Workspace, vendor_page
from expo import timebox
from expo.refusals import Refused
from payments.models import OfflineSale
from payments.services import offline

# --- The vendor's phone page ------------------------------------------------------------------------


def _vendor_booths(ws: Workspace) -> list[Booth]:
    """The vendor's booths at expos with a venue, newest expo first, each with its stand."""
    booths = list(
        Booth.objects.filter(vendor=ws.vendor, expo__venue__isnull=False)
        .select_related("expo")
        .order_by("-expo__opens_at")
    )
    stands = {s.booth_id: s for s in Stand.objects.filter(booth__in=booths)}
    for booth in booths:
        booth.stand = stands.get(booth.pk)
        booth.can_sell = timebox.allows(booth.expo, timebox.Action.SELL_AT_STAND)
    return booths


def _quantities(request: HttpRequest, products: list[Product]) -> list[offline.StandLine]:
    lines = []
    for product in products:
        raw = request.POST.get(f"qty_{product.pk}", "").strip()
        if not raw:
            continue
        try:
            quantity = int(raw)
        except ValueError as error:
            raise ValidationError(
                _("Enter a whole number for %(product)s.") % {"product": product.name}
            ) from error
        if quantity < 0:
            raise ValidationError(_("A quantity cannot be negative."))
        lines.append(offline.StandLine(product, quantity))
    return lines


def _chosen_booth(request: HttpRequest, booths: list[Booth]) -> Booth | None:
    """The booth asked for (404 when it is not one of this vendor's), else the first that can
    sell now."""
    wanted = request.POST.get("booth") or request.GET.get("booth")
    if wanted:
        booth = next((b for b in booths if str(b.pk) == wanted), None)
        if booth is None:
            raise Http404  # not a booth of this vendor
        return booth
    return next((b for b in booths if b.can_sell), booths[0] if booths else None)


@require_http_methods(["GET", "HEAD", "POST"])
@vendor_page
def vendor_stand(request: HttpRequest, ws: Workspace) -> HttpResponse:
    """Record a sale made at the stand: products and quantities, how it was paid, the receipt."""
    booths = _vendor_booths(ws)
    booth = _chosen_booth(request, booths)
    products = (
        list(Product.objects.filter(booth=booth, is_active=True, is_preorder=False).order_by("pk"))
        if booth is not None
        else []
    )
    errors: list[str] = []
    if request.method == "POST" and booth is not None:
        try:
            sale = offline.offline_sale_record(
                booth=booth,
                by=request.user,
                lines=_quantities(request, products),
                payment_method=request.POST.get("payment_method", ""),
                receipt_number=request.POST.get("receipt_number", ""),
            )
        except PermissionDenied:
            raise
        except (Refused, ValidationError) as error:
            errors = [str(m) for m in getattr(error, "messages", [str(error)])]
        else:
            messages.success(
                request,
                _("Recorded: receipt %(receipt)s, Rp %(total)s. An organiser will verify it.")
                % {"receipt": sale.receipt_number, "total": f"{sale.total:,}".replace(",", ".")},
            )
            return redirect(f"{request.path}?booth={booth.pk}")
    recent = (
        list(
            OfflineSale.objects.filter(booth=booth)
            .select_related("order")
            .prefetch_related("order__lines")
            .order_by("-recorded_at", "-id")[:20]
        )
        if booth is not None
        else []
    )
    return render(
        request,
        "payments/vendor/stand.html",
        {
            "ws": ws,
            "vendor": ws.vendor,
            "booths": booths,
            "booth": booth,
            "products": products,
            "methods": OfflineSale.PaymentMethod.choices,
            "errors": errors,
            "posted": request.POST if errors else {},
            "recent": recent,
        },
        status=400 if errors else 200,
    )
