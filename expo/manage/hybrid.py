"""The organiser's "Mall & stands" pages: keeping the catalogue open as a mall after the expo
closes (an action with a date and a confirmation), the venue with its numbered stands and their
printable QR cards, and the sales recorded at the stands, verified one by one or by a sample and a
sign-off, or rejected with a reason when they do not check out (``payments.services.offline``)."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from booths.models import Booth, Stand, Venue
from booths.selectors import organiser_header
from booths.services import stands as stand_services
from booths.stand_cards import cards_pdf, stand_link
from expo import services, timebox
from expo.manage.forms import JakartaDateTimeField
from expo.models import ExpoState
from expo.refusals import Refused, add_to_form, refuse
from expo.web import managed_expo, organiser_required
from payments.models import OfflineSale, OfflineSaleCount, OfflineVerification
from payments.services import offline


class MallForm(forms.Form):
    until = JakartaDateTimeField(
        label=gettext_lazy("Mall open until (Asia/Jakarta)"),
        help_text=gettext_lazy("After the expo closes, its catalogue keeps selling until then."),
    )
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)


class VenueForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Venue"), max_length=160)
    address = forms.CharField(label=gettext_lazy("Address"), max_length=240, required=False)


class AddStandsForm(forms.Form):
    count = forms.IntegerField(
        label=gettext_lazy("Stands to add"), min_value=1, max_value=stand_services.MAX_NEW_AT_ONCE
    )


def _header(expo) -> dict:
    return {**organiser_header(expo), "now": timezone.now()}


@require_http_methods(["GET", "HEAD", "POST"])
@organiser_required
def expo_mall(request: HttpRequest, slug: str) -> HttpResponse:
    """Open the mall until a date (or move its end): the form, then a confirmation that shows the
    date before and after, then the action. "Close the mall now" posts ``end=1``, also confirmed."""
    expo = managed_expo(request, slug)
    here = request.path
    if request.method == "POST" and request.POST.get("end"):
        if not request.POST.get("confirmed"):
            return render(
                request, "manage/hybrid/mall_confirm.html", {**_header(expo), "ending": True}
            )
        try:
            services.expo_set_mall(expo=expo, by=request.user, until=None)
        except Refused as error:
            return refuse(request, error, here)
        messages.success(request, _("The mall is closed."))
        return redirect(here)
    form = MallForm(request.POST or None, initial={"until": expo.mall_until})
    if request.method == "POST" and form.is_valid():
        until = form.cleaned_data["until"]
        try:
            timebox.mall_plan(expo, timezone.now(), until=until)
            if form.cleaned_data["confirmed"]:
                services.expo_set_mall(expo=expo, by=request.user, until=until)
        except Refused as error:
            add_to_form(form, ValidationError(error.message), "until")
        else:
            if form.cleaned_data["confirmed"]:
                messages.success(request, _("The mall is set: the catalogue sells until then."))
                return redirect(here)
            return render(
                request,
                "manage/hybrid/mall_confirm.html",
                {**_header(expo), "form": form, "until": until, "ending": False},
            )
    return render(
        request,
        "manage/hybrid/mall.html",
        {
            **_header(expo),
            "form": form,
            "can_open": timebox.stage_allows(expo, timebox.Stage.MALL),
            "can_end": timebox.stage_allows(expo, timebox.Stage.END_MALL),
            "in_mall": expo.state == ExpoState.MALL,
        },
        status=400 if form.is_bound else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@organiser_required
def stands(request: HttpRequest, slug: str) -> HttpResponse:
    """The venue, its stands (each assigned to a booth) and their printable cards."""
    expo = managed_expo(request, slug)
    venue = Venue.objects.filter(expo=expo).first()
    venue_form = VenueForm(
        request.POST if request.POST.get("form") == "venue" else None,
        initial={"name": venue.name, "address": venue.address} if venue else None,
    )
    add_form = AddStandsForm(request.POST if request.POST.get("form") == "add" else None)
    if request.method == "POST":
        try:
            if venue_form.is_bound and venue_form.is_valid():
                stand_services.venue_save(expo=expo, by=request.user, **venue_form.cleaned_data)
                messages.success(request, _("The venue is saved."))
                return redirect(request.path)
            if add_form.is_bound and add_form.is_valid() and venue is not None:
                added = stand_services.stands_add(
                    venue=venue, by=request.user, count=add_form.cleaned_data["count"]
                )
                messages.success(request, _("%(n)s stands added.") % {"n": len(added)})
                return redirect(request.path)
        except ValidationError as error:
            add_to_form(venue_form if venue_form.is_bound else add_form, error)
    stand_list = list(venue.stands.select_related("booth__vendor", "booth__expo")) if venue else []
    for stand in stand_list:
        stand.link = stand_link(stand) if stand.booth is not None else ""
    return render(
        request,
        "manage/hybrid/stands.html",
        {
            **_header(expo),
            "venue": venue,
            "venue_form": venue_form,
            "add_form": add_form,
            "stands": stand_list,
            "booths": Booth.objects.filter(expo=expo)
            .select_related("vendor")
            .order_by("vendor__name"),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@organiser_required
def stand_assign(request: HttpRequest, slug: str, stand_id: int) -> HttpResponse:
    expo = managed_expo(request, slug)
    stand = get_object_or_404(
        Stand.objects.select_related("venue__expo"), pk=stand_id, venue__expo=expo
    )
    booth = None
    if request.POST.get("booth"):
        booth = Booth.objects.filter(expo=expo, pk=request.POST["booth"]).first()
        if booth is None:
            return refuse(
                request, ValidationError(_("Choose a booth of this expo.")), _stands_url(expo)
            )
    try:
        stand_services.stand_assign(stand=stand, by=request.user, booth=booth)
    except ValidationError as error:
        return refuse(request, error, _stands_url(expo))
    messages.success(request, _("Stand %(n)s is assigned.") % {"n": stand.number})
    return redirect(_stands_url(expo))


@require_safe
@organiser_required
def stand_cards(request: HttpRequest, slug: str, stand_id: int | None = None) -> HttpResponse:
    """The stands' printable cards as one PDF (one stand's when ``stand_id`` is given)."""
    expo = managed_expo(request, slug)
    found = Stand.objects.filter(venue__expo=expo, booth__isnull=False).select_related(
        "booth__vendor", "booth__expo"
    )
    if stand_id is not None:
        found = found.filter(pk=stand_id)
    chosen = list(found.order_by("number"))
    if not chosen:
        return refuse(
            request, ValidationError(_("Assign a stand to a booth first.")), _stands_url(expo)
        )
    pdf = cards_pdf(chosen, expo_title=expo.title)
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"{expo.slug}-stand-{chosen[0].number}.pdf" if stand_id else f"{expo.slug}-stands.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


def _stands_url(expo) -> str:
    return reverse("manage:stands", args=[expo.slug])


# --- The organiser's verification page ----------------------------------------------------------


@dataclass(frozen=True)
class OfflineTotals:
    verified: int = 0
    unverified: int = 0
    rejected: int = 0
    verified_count: int = 0
    unverified_count: int = 0
    rejected_count: int = 0


def offline_totals(expo_id: int) -> OfflineTotals:
    """The expo's stand sales verified, waiting and rejected: one row of the counts kept as they
    are recorded, verified and rejected (``payments.OfflineSaleCount``), whatever their number."""
    counts = OfflineSaleCount.objects.filter(expo_id=expo_id).first()
    if counts is None:
        return OfflineTotals()
    return OfflineTotals(
        verified=counts.verified_total,
        unverified=counts.pending_total,
        rejected=counts.rejected_total,
        verified_count=counts.verified,
        unverified_count=counts.pending,
        rejected_count=counts.rejected,
    )


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
def stand_sales(request: HttpRequest, slug: str) -> HttpResponse:
    """Offline sales of the expo: verified and unverified apart; verify one, or draw a sample of
    the unverified ones (all, or one booth's), check it, and sign off for the set."""
    expo = managed_expo(request, slug)
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
        else sales.filter(verification__isnull=True, rejected_at__isnull=True)
    )
    return render(
        request,
        "manage/hybrid/stand_sales.html",
        {
            **organiser_header(expo),
            "totals": offline_totals(expo.pk),
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
            "rejected": list(
                sales.filter(rejected_at__isnull=False)
                .select_related("booth__vendor", "stand", "rejected_by")
                .order_by("-rejected_at", "-id")[:50]
            ),
            "reason_length": offline.REASON_LENGTH,
            "now": timezone.now(),
        },
    )


def _back(request: HttpRequest, slug: str) -> str:
    """Where to go after a POST: the page it came from (this site's only), else the list."""
    back = request.POST.get("next") or ""
    if back.startswith("/") and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return back
    return _list_url(slug)


@require_POST
@organiser_required
def stand_sale_verify(request: HttpRequest, slug: str, sale_id: int) -> HttpResponse:
    expo = managed_expo(request, slug)
    sale = get_object_or_404(OfflineSale, pk=sale_id, expo=expo)
    back = _back(request, slug)
    try:
        offline.offline_sale_verify(sale=sale, by=request.user, note=request.POST.get("note", ""))
    except ValidationError as error:
        return refuse(request, error, back)
    messages.success(
        request, _("Verified: receipt %(receipt)s.") % {"receipt": sale.receipt_number}
    )
    return redirect(back)


@require_POST
@organiser_required
def stand_sale_reject(request: HttpRequest, slug: str, sale_id: int) -> HttpResponse:
    """Reject a sale that does not check out, with the reason the form asks for (the service
    refuses without one, or when the sale is verified or rejected already: nothing changes)."""
    expo = managed_expo(request, slug)
    sale = get_object_or_404(OfflineSale, pk=sale_id, expo=expo)
    back = _back(request, slug)
    try:
        offline.offline_sale_reject(
            sale=sale, by=request.user, reason=request.POST.get("reason", "")
        )
    except (ValidationError, Refused) as error:  # a refusal, or busy: try again
        return refuse(request, error, back)
    messages.success(
        request,
        _("Rejected: receipt %(receipt)s no longer counts, and its items are back in stock.")
        % {"receipt": sale.receipt_number},
    )
    return redirect(back)


def _list_url(slug: str) -> str:
    return reverse("manage:stand_sales", args=[slug])
