"""The pages of the export deal.

Buyer (signed in; their own requests only, another's number answers 404): ask a booth for a
quotation, the list of their requests, one request with its quotation and history, and the
answers (revision, decline, accept, pay the balance, withdraw), the deal's PDFs.

Vendor (the vendor workspace's gate, :func:`booths.vendor_views.vendor_page`; everything looked up
through the vendor): the requests, one request with the buyer's profile (while their consent
stands) and the quotation form, the deal's PDFs.

Views stay thin: forms clean, :mod:`.services` (and :mod:`booths.services.rfq`) decide; a refusal
shows its message and changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from booths import hooks
from booths.models import Booth, Product, QuoteRequest
from booths.services import rfq
from booths.vendor_views import Workspace, vendor_page
from expo import buyers
from expo.refusals import Refused, add_to_form, refuse
from payments import selectors as pay_selectors
from payments.models import Channel, Order
from payments.quotations import documents, forms, selectors
from payments.quotations import services as quotes
from payments.services import BuyerDetails


def _mine(request: HttpRequest, code: str) -> QuoteRequest:
    found = selectors.buyer_request(user=request.user, code=code)
    if found is None:
        raise Http404
    return found


def _approx(request: HttpRequest, expo_id: int) -> Any:
    """A function giving "≈ US$ …" for a rupiah amount in the visitor's chosen currency."""
    currency = pay_selectors.chosen_currency(request)
    rates = pay_selectors.exchange_rates(expo_id=expo_id) if currency else {}
    return lambda rupiah: pay_selectors.approx(rupiah, currency, rates)


# --- Buyer -----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def ask(request: HttpRequest, expo_slug: str, booth_slug: str) -> HttpResponse:
    booth = get_object_or_404(
        Booth.objects.select_related("vendor", "expo"), expo__slug=expo_slug, slug=booth_slug
    )
    if buyers.profile_of(request.user) is None:
        messages.info(request, _("Fill in your business profile to ask for a quotation."))
        return redirect(
            f"{reverse('buyer_profile')}?{urlencode({'next': request.get_full_path()})}"
        )
    products = booth.products.filter(is_active=True).order_by("name_en")
    chosen = _chosen_product(request, products)
    source, source_id = _source(request, booth, chosen)
    if request.method == "POST":
        form = forms.RequestForm(request.POST)
        lines = forms.RequestLineFormSet(request.POST, form_kwargs={"products": products})
        if form.is_valid() and lines.is_valid():
            try:
                found = rfq.quote_request_create(
                    booth=booth,
                    buyer=request.user,
                    lines=forms.requested_lines(lines),
                    terms=form.terms(),
                    source=source,
                    source_id=source_id,
                )
            except (ValidationError, Refused) as error:
                add_to_form(form, error)
            else:
                messages.success(
                    request,
                    _("Your request was sent to %(vendor)s.") % {"vendor": booth.vendor.name},
                )
                return redirect("payments:quote", found.code)
    else:
        profile = buyers.profile_of(request.user)
        form = forms.RequestForm(
            initial={"destination_country": profile.country if profile else ""}
        )
        initial = [{"product": chosen.pk, "quantity": chosen.min_order or 1}] if chosen else []
        lines = forms.RequestLineFormSet(initial=initial, form_kwargs={"products": products})
    return render(
        request,
        "payments/quotes/ask.html",
        {"booth": booth, "expo": booth.expo, "vendor": booth.vendor, "form": form, "lines": lines},
    )


def _chosen_product(request: HttpRequest, products: Any) -> Product | None:
    """The product a product page's link chose (``?product=<id>``, or its slug), else none."""
    wanted = request.GET.get("product", "")
    if wanted.isdigit():
        return products.filter(pk=int(wanted)).first()
    return products.filter(slug=wanted).first() if wanted else None


def _source(request: HttpRequest, booth: Booth, chosen: Product | None) -> tuple[str, int | None]:
    """Where the request came from: a private question or a meeting of this buyer with this
    booth's vendor (``?source=inquiry&id=…``), a product page, else the booth. Another buyer's
    thread or meeting, or one with another vendor, is ignored."""
    kind = request.GET.get("source", "")
    raw = request.GET.get("id", "")
    if (
        kind in (QuoteRequest.Source.INQUIRY, QuoteRequest.Source.MEETING)
        and raw.isdigit()
        and hooks.quote_source_ok(
            kind=kind, source_id=int(raw), buyer=request.user, vendor_id=booth.vendor_id
        )
    ):
        return kind, int(raw)
    if chosen is not None:
        return QuoteRequest.Source.PRODUCT, chosen.pk
    return QuoteRequest.Source.BOOTH, None


@login_required
@require_safe
def quotes_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "payments/quotes/list.html",
        {"requests": list(selectors.buyer_requests(user=request.user)[:200])},
    )


def _deal_context(request: HttpRequest, found: QuoteRequest) -> dict[str, Any]:
    quotation = getattr(found, "quotation", None)
    order = selectors.order_of(found)
    received = quotes.received(order) if order is not None else 0
    approx = _approx(request, found.expo_id)
    revisions = selectors.revisions(quotation)
    for revision in revisions:
        revision.approx_total = approx(revision.total)  # "≈ US$ …", as the catalogue shows
    return {
        "rfq": found,
        "quotation": quotation,
        "revisions": revisions,
        "order": order,
        "payments": selectors.order_payments(order),
        "received": received,
        "due": (order.total - received) if order is not None else 0,
        "documents": _documents(order),
    }


def _documents(order: Order | None) -> list[str]:
    if order is None:
        return []
    if order.paid_at is not None:
        return list(documents.KINDS)
    return ["proforma"]


@login_required
@require_safe
def quote(request: HttpRequest, code: str) -> HttpResponse:
    found = _mine(request, code)
    context = _deal_context(request, found)
    quotation = context["quotation"]
    if quotation is not None and quotation.status == quotation.Status.SENT:
        profile = buyers.profile_of(request.user)
        context["accept_form"] = forms.AcceptForm(
            initial={
                "revision": quotation.revision,
                "email": request.user.email,
                "name": request.user.name,
                "country": found.destination_country,
                "city": found.destination_place,
                **({"state": ""} if profile else {}),
            }
        )
        context["revision_form"] = forms.RevisionForm()
    order = context["order"]
    waiting = any(p.status == "created" for p in context["payments"])
    if (
        order is not None
        and order.status == Order.Status.PENDING
        and context["received"]
        and not waiting
    ):
        context["balance_form"] = forms.BalanceForm()
    return render(request, "payments/quotes/quote.html", context)


@login_required
@require_POST
def quote_revise(request: HttpRequest, code: str) -> HttpResponse:
    found = _mine(request, code)
    form = forms.RevisionForm(request.POST)
    if not form.is_valid() or getattr(found, "quotation", None) is None:
        messages.error(request, _("Say what should change."))
        return redirect("payments:quote", code)
    try:
        quotes.quotation_ask_revision(
            quotation=found.quotation, by=request.user, note=form.cleaned_data["note"]
        )
    except (ValidationError, Refused) as error:
        return refuse(request, error, reverse("payments:quote", args=[code]))
    messages.success(request, _("The vendor was asked for a revision."))
    return redirect("payments:quote", code)


@login_required
@require_POST
def quote_decline(request: HttpRequest, code: str) -> HttpResponse:
    found = _mine(request, code)
    if getattr(found, "quotation", None) is None:
        raise Http404
    try:
        quotes.quotation_decline(quotation=found.quotation, by=request.user)
    except (ValidationError, Refused) as error:
        return refuse(request, error, reverse("payments:quote", args=[code]))
    messages.success(request, _("You declined the quotation."))
    return redirect("payments:quote", code)


@login_required
@require_POST
def quote_withdraw(request: HttpRequest, code: str) -> HttpResponse:
    found = _mine(request, code)
    try:
        rfq.quote_request_withdraw(request=found, by=request.user)
    except (ValidationError, Refused) as error:
        return refuse(request, error, reverse("payments:quote", args=[code]))
    messages.success(request, _("You withdrew the request."))
    return redirect("payments:quote", code)


@login_required
@require_POST
def quote_accept(request: HttpRequest, code: str) -> HttpResponse:
    found = _mine(request, code)
    quotation = getattr(found, "quotation", None)
    if quotation is None:
        raise Http404
    form = forms.AcceptForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        details = BuyerDetails.from_form(data, language=get_language() or settings.LANGUAGE_CODE)
        try:
            order = quotes.quotation_accept(
                quotation=quotation,
                by=request.user,
                revision=data["revision"],
                details=details,
                provider=data["provider"],
            )
        except (ValidationError, Refused) as error:
            add_to_form(form, error)
        else:
            messages.success(
                request,
                _("You accepted the quotation. Order %(code)s is ready to pay.")
                % {"code": order.code},
            )
            return redirect("payments:quote", code)
    context = _deal_context(request, found)
    context["accept_form"] = form
    context["revision_form"] = forms.RevisionForm()
    return render(request, "payments/quotes/quote.html", context, status=400)


@login_required
@require_POST
def quote_balance(request: HttpRequest, code: str) -> HttpResponse:
    found = _mine(request, code)
    order = selectors.order_of(found)
    form = forms.BalanceForm(request.POST)
    if order is None or not form.is_valid():
        messages.error(request, _("Choose a way to pay."))
        return redirect("payments:quote", code)
    try:
        quotes.quotation_pay_balance(
            order=order, by=request.user, provider=form.cleaned_data["provider"]
        )
    except (ValidationError, Refused) as error:
        return refuse(request, error, reverse("payments:quote", args=[code]))
    return redirect("payments:order", order.code)


def _pdf(order: Order | None, kind: str, allowed: list[str]) -> HttpResponse:
    if order is None or kind not in allowed:
        raise Http404
    response = HttpResponse(documents.render_pdf(order, kind), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{documents.filename(order, kind)}"'
    return response


@login_required
@require_safe
def quote_document(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    order = selectors.order_of(_mine(request, code))
    return _pdf(order, kind, _documents(order))


# --- Vendor ----------------------------------------------------------------------------------------


@require_safe
@vendor_page
def vendor_quotes(request: HttpRequest, ws: Workspace) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in selectors.STATUS_FILTERS:
        status = ""
    counts = selectors.vendor_status_counts(vendor=ws.vendor)
    return render(
        request,
        "payments/quotes/vendor_list.html",
        {
            "ws": ws,
            "vendor": ws.vendor,
            "requests": list(selectors.vendor_requests(vendor=ws.vendor, status=status)[:200]),
            "status": status,
            "tabs": [("", _("All"), sum(counts.values()))]
            + [
                (value, label, counts.get(value, 0)) for value, label in QuoteRequest.Status.choices
            ],
        },
    )


def _offer_forms(found: QuoteRequest, data: Any = None) -> tuple[forms.OfferForm, Any]:
    quotation = getattr(found, "quotation", None)
    previous = (
        quotation.revisions.prefetch_related("lines").get(number=quotation.revision)
        if quotation
        else None
    )
    if data is not None:
        return forms.OfferForm(data), forms.OfferLineFormSet(data)
    if previous is not None:
        initial_lines = [
            {
                "product": line.product_id,
                "name_en": line.name_en,
                "name_id": line.name_id,
                "quantity": line.quantity,
                "unit": line.unit,
                "min_quantity": line.min_quantity,
                "unit_price": line.unit_price,
                "hs_code": line.hs_code,
                "weight_grams": line.weight_grams,
            }
            for line in previous.lines.all()
        ]
    else:
        initial_lines = [
            {
                "product": line.product_id,
                "name_en": line.product.name_en if line.product else line.description,
                "name_id": line.product.name_id if line.product else line.description,
                "quantity": line.quantity,
                "unit": line.unit,
                "min_quantity": (line.product.min_order if line.product else 1) or 1,
                "unit_price": line.product.price if line.product else None,
                "weight_grams": line.product.weight_grams if line.product else 0,
            }
            for line in found.lines.select_related("product")
        ]
    return (
        forms.OfferForm(initial=forms.OfferForm.initial_for(found, previous)),
        forms.OfferLineFormSet(initial=initial_lines),
    )


def _vendor_found(ws: Workspace, code: str) -> QuoteRequest:
    found = selectors.vendor_request(vendor=ws.vendor, code=code)
    if found is None:
        raise Http404
    return found


@require_http_methods(["GET", "POST"])
@vendor_page
def vendor_quote(request: HttpRequest, ws: Workspace, code: str) -> HttpResponse:
    found = _vendor_found(ws, code)
    offer, lines = _offer_forms(found, request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if offer.is_valid() and lines.is_valid():
            products = {p.pk: p for p in Product.objects.filter(booth_id=found.booth_id)}
            try:
                quotes.quotation_send(
                    request=found,
                    by=request.user,
                    lines=forms.offered_lines(lines, products),
                    terms=offer.terms(),
                )
            except (ValidationError, Refused) as error:
                add_to_form(offer, error)
            else:
                messages.success(request, _("Your quotation was sent to the buyer."))
                return redirect("payments:vendor_quote", ws.vendor.slug, code)
        status = 400
    context = _deal_context(request, found)
    context.update(
        ws=ws,
        vendor=ws.vendor,
        offer=offer,
        lines=lines,
        profile=buyers.profile_for_vendor(vendor_id=ws.vendor.pk, buyer_id=found.buyer_id),
        can_quote=found.status in (QuoteRequest.Status.OPEN, QuoteRequest.Status.QUOTED)
        and (context["quotation"] is None or context["quotation"].status in ("sent", "revision")),
        channel=Channel.QUOTATION,
    )
    return render(request, "payments/quotes/vendor_quote.html", context, status=status)


@require_safe
@vendor_page
def vendor_quote_document(
    request: HttpRequest, ws: Workspace, code: str, kind: str
) -> HttpResponse:
    order = selectors.order_of(_vendor_found(ws, code))
    return _pdf(order, kind, _documents(order))
