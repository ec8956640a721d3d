"""Sales at a hybrid expo's physical stand: the vendor's phone page that records them, and the
organiser's page that verifies them (one by one, or by a sample and a sign-off).

The vendor's page uses the vendor workspace's gate (:func:`booths.vendor_views.vendor_page`); a
booth is looked up *through* the vendor, so another vendor's booth answers 404 (and the service
checks membership again). The organiser's page uses the organiser gate and checks the expo's office.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from booths.models import Booth, Product, Stand
from booths.selectors import organiser_header
from booths.vendor_views import Workspace, vendor_page
from expo import timebox
from expo.refusals import Refused, refuse
from expo.web import managed_expo, organiser_required
from payments.models import OfflineSale, OfflineVerification
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


@require_http_methods(["GET", "HEAD", "POST"])
@vendor_page
def vendor_stand(request: HttpRequest, ws: Workspace) -> HttpResponse:
    """Record a sale made at the stand: products and quantities, how it was paid, the receipt."""
    booths = _vendor_booths(ws)
    wanted = request.POST.get("booth") or request.GET.get("booth")
    booth = None
    if wanted:
        booth = next((b for b in booths if str(b.pk) == wanted), None)
        if booth is None:
            raise Http404  # not a booth of this vendor
    elif booths:
        booth = next((b for b in booths if b.can_sell), booths[0])
    products = (
        list(
            Product.objects.filter(booth=booth, is_active=True, is_preorder=False).order_by(
                "name_en"
            )
        )
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


# --- The organiser's verification page ----------------------------------------------------------


@dataclass(frozen=True)
class OfflineTotals:
    verified: int = 0
    unverified: int = 0
    verified_count: int = 0
    unverified_count: int = 0


def offline_totals(sales: QuerySet[OfflineSale]) -> OfflineTotals:
    row = sales.aggregate(
        verified=Sum("total", filter=Q(verification__isnull=False)),
        unverified=Sum("total", filter=Q(verification__isnull=True)),
        verified_count=Count("id", filter=Q(verification__isnull=False)),
        unverified_count=Count("id", filter=Q(verification__isnull=True)),
    )
    return OfflineTotals(**{k: v or 0 for k, v in row.items()})


def _ids(values: list[str]) -> list[int]:
    out = []
    for value in values:
        try:
            out.append(int(value))
        except ValueError:
            continue
    return out


@require_http_methods(["GET", "HEAD", "POST"])
@organiser_required
def manage_stand_sales(request: HttpRequest, expo_slug: str) -> HttpResponse:
    """Offline sales of the expo: verified and unverified apart; verify one, or draw a sample of
    the unverified ones (all, or one booth's), check it, and sign off for the set."""
    expo = managed_expo(request, expo_slug)
    here = request.path
    if request.method == "POST":
        try:
            offline.offline_sample_sign_off(
                expo=expo,
                by=request.user,
                population=_ids(request.POST.getlist("population")),
                sampled=_ids(request.POST.getlist("checked")),
                note=request.POST.get("note", ""),
            )
        except ValidationError as error:
            return refuse(request, error, here)
        messages.success(request, _("Signed off: the sales of this set are verified."))
        return redirect(here)
    sales = OfflineSale.objects.filter(expo=expo)
    booth_id = _ids([request.GET.get("booth", "")])
    sample = None
    if request.GET.get("sample"):
        sample = offline.offline_sample_draw(expo=expo, booth_id=booth_id[0] if booth_id else None)
    listed = (
        sales.filter(pk__in=sample.sampled)
        if sample is not None
        else sales.filter(verification__isnull=True)
    )
    return render(
        request,
        "payments/manage/stand_sales.html",
        {
            **organiser_header(expo),
            "totals": offline_totals(sales),
            "sample": sample,
            "listed": listed.select_related("booth__vendor", "stand", "order").order_by(
                "booth__vendor__name", "recorded_at"
            )[:200],
            "booths": Booth.objects.filter(expo=expo, pk__in=sales.values("booth_id"))
            .select_related("vendor")
            .order_by("vendor__name"),
            "chosen_booth": booth_id[0] if booth_id else None,
            "signoffs": list(
                OfflineVerification.objects.filter(expo=expo)
                .select_related("signed_by")
                .order_by("-signed_at")[:20]
            ),
            "now": timezone.now(),
        },
    )


@require_POST
@organiser_required
def manage_stand_sale_verify(request: HttpRequest, expo_slug: str, sale_id: int) -> HttpResponse:
    expo = managed_expo(request, expo_slug)
    sale = get_object_or_404(OfflineSale, pk=sale_id, expo=expo)
    back = request.POST.get("next") or ""
    if not back.startswith("/"):
        back = ""
    try:
        offline.offline_sale_verify(sale=sale, by=request.user, note=request.POST.get("note", ""))
    except ValidationError as error:
        return refuse(request, error, back or _list_url(expo_slug))
    messages.success(
        request, _("Verified: receipt %(receipt)s.") % {"receipt": sale.receipt_number}
    )
    return redirect(back or _list_url(expo_slug))


def _list_url(expo_slug: str) -> str:
    return reverse("payments:manage_stand_sales", args=[expo_slug])
