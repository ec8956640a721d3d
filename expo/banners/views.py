"""Banner pages and endpoints (namespace ``banners``, included at ``""``: full paths).

Public, for the cached hall, booth and session pages (which carry only an empty slot placeholder):

- ``banners:serve`` (GET ``/b/slot/<expo>/<slot>/``): the banners for this visitor, drawn from the
  slot's cached pool, each with a signed impression token; sets the visitor cookie. No write.
- ``banners:seen`` (POST ``/b/seen/``): the browser's batched beacon with the tokens of banners
  that were at least half on screen for a second. CSRF-exempt on purpose — the pages are cached
  and may carry no token — and safe without it: only tokens this visitor was served count, at most
  once per visitor per banner per hour, and it changes nothing but a counter. Buffered, no write.
- ``banners:click`` (GET ``/b/<id>/``): counts the click, remembers the banner for the order the
  visitor may place (payments' attribution), and redirects to the banner's booth, product or session.

Workspace pages: the vendor's under ``/vendor/<slug>/banners/``, the organiser's under
``/manage/expos/<slug>/banners/``, with the gates of those workspaces.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST, require_safe

from booths import selectors as booth_selectors
from booths.models import Booth, Product
from booths.vendor_views import Workspace, vendor_page
from events.models import LiveSession
from expo import timebox
from expo.banners import selectors, services
from expo.banners.models import BannerCampaign, BannerFee, BannerSlot
from expo.models import Expo, ExpoState
from expo.refusals import add_to_form
from expo.web import managed_expo, organiser_required

MAX_BEACON_BYTES = 16 * 1024

# --- Public endpoints ------------------------------------------------------------------------------


@require_GET
def serve(request: HttpRequest, expo_slug: str, slot_code: str) -> HttpResponse:
    slot = selectors.slot_for(slot_code)
    if slot is None:
        raise Http404
    sector = request.GET.get("sector", "")[:60]
    pool = selectors.serving_pool(expo_slug=expo_slug, slot_code=slot_code, sector=sector)
    cookie = request.COOKIES.get(services.VISITOR_COOKIE, "")
    new_cookie = ""
    if not cookie and not request.user.is_authenticated:
        cookie = new_cookie = services.new_visitor_cookie()
    visitor = services.visitor_id(request, cookie=cookie)
    exclude = request.GET.get("exclude_booth", "")
    chosen = selectors.choose(
        [e for e in pool if str(e.get("booth", "")) != exclude] if exclude else pool, slot.shows
    )
    banners = [
        {**entry, "token": services.impression_token(campaign_id=entry["id"], visitor=visitor)}
        for entry in chosen
    ]
    response = JsonResponse({"slot": slot.code, "shows": slot.shows, "banners": banners})
    response["Cache-Control"] = "private, no-store"
    if new_cookie:
        response.set_cookie(
            services.VISITOR_COOKIE,
            new_cookie,
            max_age=services.VISITOR_COOKIE_AGE,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response


@csrf_exempt
@require_POST
def seen(request: HttpRequest) -> HttpResponse:
    if len(request.body) > MAX_BEACON_BYTES:
        return HttpResponse(status=413)
    try:
        payload = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return HttpResponse(status=400)
    tokens = payload.get("t") if isinstance(payload, dict) else None
    if not isinstance(tokens, list) or not all(isinstance(t, str) for t in tokens):
        return HttpResponse(status=400)
    services.impressions_record(request=request, tokens=tokens)
    return HttpResponse(status=204)


@require_safe
def click(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = (
        BannerCampaign.objects.filter(pk=campaign_id, status__in=BannerCampaign.SERVED_STATUSES)
        .select_related("expo", "booth", "product")
        .first()
    )
    if campaign is None:
        raise Http404
    services.click_record(request=request, campaign=campaign)
    response = redirect(selectors.campaign_target_url(campaign))
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


# --- Forms -----------------------------------------------------------------------------------------


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class BannerForm(forms.Form):
    """A banner's content. The choices of booth, product and session are limited to what the
    person may link to (a vendor: its own; the organiser: the expo's)."""

    slot = forms.ModelChoiceField(
        queryset=BannerSlot.objects.all(), label=gettext_lazy("Where it shows"), empty_label=None
    )
    target = forms.ChoiceField(
        choices=BannerCampaign.Target.choices,
        label=gettext_lazy("Links to"),
        widget=forms.RadioSelect,
        initial=BannerCampaign.Target.BOOTH,
    )
    booth = forms.ModelChoiceField(
        queryset=Booth.objects.none(), label=gettext_lazy("Booth"), required=False
    )
    product = forms.ModelChoiceField(
        queryset=Product.objects.none(), label=gettext_lazy("Product"), required=False
    )
    session = forms.ModelChoiceField(
        queryset=LiveSession.objects.none(), label=gettext_lazy("Live session"), required=False
    )
    title_en = forms.CharField(
        max_length=120,
        label=gettext_lazy("Title (English)"),
        help_text=gettext_lazy("Read aloud by screen readers and shown in reports."),
    )
    title_id = forms.CharField(
        max_length=120, label=gettext_lazy("Title (Indonesian)"), required=False
    )
    image_en = forms.FileField(
        label=gettext_lazy("Image (English)"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    image_id = forms.FileField(
        label=gettext_lazy("Image (Indonesian)"),
        required=False,
        help_text=gettext_lazy("Optional: shown to visitors reading in Bahasa Indonesia."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    starts_on = forms.DateField(label=gettext_lazy("First day"), widget=DateInput())
    ends_on = forms.DateField(label=gettext_lazy("Last day"), widget=DateInput())

    def __init__(
        self,
        *args: Any,
        booths: Any,
        products: Any,
        sessions: Any,
        with_weight: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["booth"].queryset = booths
        self.fields["product"].queryset = products
        self.fields["session"].queryset = sessions
        self.fields["product"].label_from_instance = lambda p: f"{p.name} — {p.booth.vendor.name}"
        self.fields["session"].label_from_instance = lambda s: f"{s.title} — {s.booth.vendor.name}"
        self.fields["slot"].label_from_instance = lambda s: f"{s.name} · {s.size_label}"
        if with_weight:
            self.fields["weight"] = forms.IntegerField(
                min_value=1,
                max_value=services.MAX_WEIGHT,
                initial=1,
                label=gettext_lazy("Weight"),
                help_text=gettext_lazy(
                    "Its share of the slot's rotation, against the others' weights."
                ),
            )

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["image_en"] = data.get("image_en") or None
        data["image_id"] = data.get("image_id") or None
        return data


class DecisionForm(forms.Form):
    weight = forms.IntegerField(
        min_value=1, max_value=services.MAX_WEIGHT, required=False, label=gettext_lazy("Weight")
    )
    price = forms.IntegerField(
        min_value=1, max_value=services.MAX_PRICE, required=False, label=gettext_lazy("Price (Rp)")
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        max_length=300, label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 3})
    )


class FeeConfirmForm(forms.Form):
    note = forms.CharField(max_length=255, required=False, label=gettext_lazy("Note"))


def _error_text(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(str(m) for m in error.messages)
    return str(getattr(error, "message", "") or "") or _("This is not possible.")


def _refused(request: HttpRequest, error: Exception, to: str) -> HttpResponse:
    messages.error(request, _error_text(error))
    return redirect(to)


# --- Vendor workspace ------------------------------------------------------------------------------


def _vendor_choices(ws: Workspace) -> dict[str, Any]:
    booths = Booth.objects.filter(vendor=ws.vendor).select_related("expo", "vendor")
    return {
        "booths": booths.order_by("-expo__opens_at"),
        "products": Product.objects.filter(booth__vendor=ws.vendor, is_active=True)
        .select_related("booth__vendor")
        .order_by("name_en"),
        "sessions": LiveSession.objects.filter(booth__vendor=ws.vendor)
        .select_related("booth__vendor")
        .order_by("starts_at"),
    }


@require_safe
@vendor_page
def vendor_banners(request: HttpRequest, ws: Workspace) -> HttpResponse:
    campaigns = list(selectors.vendor_campaigns(vendor_id=ws.vendor.pk))
    return render(
        request,
        "banners/vendor/list.html",
        {"ws": ws, "vendor": ws.vendor, "campaigns": campaigns},
    )


@vendor_page
def vendor_banner_new(request: HttpRequest, ws: Workspace) -> HttpResponse:
    choices = _vendor_choices(ws)
    bookable = [
        b for b in choices["booths"] if timebox.allows(b.expo, timebox.Action.EDIT_CATALOGUE)
    ]
    choices["booths"] = Booth.objects.filter(pk__in=[b.pk for b in bookable]).select_related(
        "expo", "vendor"
    )
    form = BannerForm(request.POST or None, request.FILES or None, **choices)
    if request.method == "POST" and form.is_valid():
        data = form.service_kwargs()
        booth = data.get("booth")
        if data["target"] == BannerCampaign.Target.PRODUCT and data.get("product"):
            booth = data["product"].booth
        elif data["target"] == BannerCampaign.Target.SESSION and data.get("session"):
            booth = data["session"].booth
        if booth is None:
            form.add_error("booth", _("Choose the booth the banner links to."))
        else:
            try:
                campaign = services.banner_request(
                    expo=booth.expo,
                    vendor=ws.vendor,
                    slot=data["slot"],
                    target=data["target"],
                    booth=booth,
                    product=data.get("product"),
                    session=data.get("session"),
                    title_en=data["title_en"],
                    title_id=data.get("title_id", ""),
                    image_en=data["image_en"],
                    image_id=data["image_id"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    by=request.user,
                )
            except ValidationError as error:
                add_to_form(form, error)
            except PermissionDenied as error:
                form.add_error(None, _error_text(error))
            else:
                messages.success(
                    request, _("Banner requested. The organiser reviews it and sets its price.")
                )
                return redirect("banners:vendor_banner", ws.vendor.slug, campaign.pk)
    return render(
        request,
        "banners/vendor/form.html",
        {
            "ws": ws,
            "vendor": ws.vendor,
            "form": form,
            "slots": BannerSlot.objects.all(),
            "no_booth": not bookable,
        },
        status=400 if request.method == "POST" else 200,
    )


@require_safe
@vendor_page
def vendor_banner(request: HttpRequest, ws: Workspace, campaign_id: int) -> HttpResponse:
    # Looked up through the vendor: another vendor's campaign answers 404.
    campaign = get_object_or_404(
        BannerCampaign.objects.select_related("expo", "slot", "booth__vendor", "product"),
        pk=campaign_id,
        vendor=ws.vendor,
    )
    fee = BannerFee.objects.filter(campaign=campaign).first()
    return render(
        request,
        "banners/vendor/detail.html",
        {
            "ws": ws,
            "vendor": ws.vendor,
            "campaign": campaign,
            "fee": fee,
            "fee_charge": services.fee_charge(fee) if fee is not None else None,
            "report": selectors.campaign_report(campaign=campaign),
            "target_url": selectors.campaign_target_url(campaign),
        },
    )


@require_POST
@vendor_page
def vendor_banner_withdraw(request: HttpRequest, ws: Workspace, campaign_id: int) -> HttpResponse:
    campaign = get_object_or_404(BannerCampaign, pk=campaign_id, vendor=ws.vendor)
    try:
        services.banner_withdraw(campaign=campaign, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The banner request is withdrawn; nothing is owed for it."))
    return redirect("banners:vendor_banner", ws.vendor.slug, campaign.pk)


# --- Organiser workspace ---------------------------------------------------------------------------

STATUS_TABS = ("", *BannerCampaign.Status.values)


def _manage_context(expo: Expo, **context: Any) -> dict[str, Any]:
    counts = selectors.expo_status_counts(expo=expo)
    return {
        **booth_selectors.organiser_header(expo),
        "banner_counts": counts,
        "banners_waiting": counts.get(BannerCampaign.Status.REQUESTED, 0),
        **context,
    }


def _manage_url(name: str, expo: Expo, *args: Any) -> str:
    return reverse(f"banners:{name}", args=[expo.slug, *args])


@require_safe
@organiser_required
def manage_banners(request: HttpRequest, expo_slug: str) -> HttpResponse:
    expo = managed_expo(request, expo_slug)
    status = request.GET.get("status", "")
    if status not in STATUS_TABS:
        status = ""
    campaigns = list(selectors.expo_campaigns(expo=expo, status=status))
    context = _manage_context(expo, campaigns=campaigns, status=status)
    counts = context["banner_counts"]
    context["tabs"] = [
        {
            "value": value,
            "label": BannerCampaign.Status(value).label if value else _("All"),
            "count": counts.get(value, 0) if value else sum(counts.values()),
            "active": value == status,
        }
        for value in STATUS_TABS
    ]
    context["fees"] = selectors.expo_fee_totals(expo=expo)
    context["pending_fees"] = list(
        BannerFee.objects.filter(expo=expo, status=BannerFee.Status.PENDING).select_related(
            "campaign__vendor"
        )
    )
    context["fee_form"] = FeeConfirmForm()
    return render(request, "banners/manage/list.html", context)


@organiser_required
def manage_banner_new(request: HttpRequest, expo_slug: str) -> HttpResponse:
    expo = managed_expo(request, expo_slug)
    form = BannerForm(
        request.POST or None,
        request.FILES or None,
        booths=Booth.objects.filter(expo=expo).select_related("vendor").order_by("vendor__name"),
        products=Product.objects.filter(booth__expo=expo, is_active=True)
        .select_related("booth__vendor")
        .order_by("name_en"),
        sessions=LiveSession.objects.filter(booth__expo=expo)
        .select_related("booth__vendor")
        .order_by("starts_at"),
        with_weight=True,
    )
    if request.method == "POST" and form.is_valid():
        data = form.service_kwargs()
        try:
            campaign = services.banner_place(
                expo=expo,
                slot=data["slot"],
                target=data["target"],
                booth=data.get("booth"),
                product=data.get("product"),
                session=data.get("session"),
                title_en=data["title_en"],
                title_id=data.get("title_id", ""),
                image_en=data["image_en"],
                image_id=data["image_id"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                weight=data["weight"],
                by=request.user,
            )
        except ValidationError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("Banner placed. It runs on its first day."))
            return redirect("banners:manage_banner", expo.slug, campaign.pk)
    first, last = services.expo_days(expo)
    return render(
        request,
        "banners/manage/form.html",
        _manage_context(expo, form=form, first_day=first, last_day=last),
        status=400 if request.method == "POST" else 200,
    )


def _managed_campaign(request: HttpRequest, expo_slug: str, campaign_id: int) -> BannerCampaign:
    expo = managed_expo(request, expo_slug)
    campaign = get_object_or_404(
        BannerCampaign.objects.select_related("slot", "vendor", "booth__vendor", "product"),
        pk=campaign_id,
        expo=expo,
    )
    campaign.expo = expo
    return campaign


@require_safe
@organiser_required
def manage_banner(request: HttpRequest, expo_slug: str, campaign_id: int) -> HttpResponse:
    campaign = _managed_campaign(request, expo_slug, campaign_id)
    expo = campaign.expo
    return render(
        request,
        "banners/manage/detail.html",
        _manage_context(
            expo,
            campaign=campaign,
            fee=BannerFee.objects.filter(campaign=campaign).first(),
            report=selectors.campaign_report(campaign=campaign),
            target_url=selectors.campaign_target_url(campaign),
            decision_form=DecisionForm(initial={"weight": campaign.weight}),
            reject_form=RejectForm(),
            fee_form=FeeConfirmForm(),
            can_decide=campaign.status
            in (BannerCampaign.Status.REQUESTED, BannerCampaign.Status.PRICED)
            and expo.state != ExpoState.CLOSED,
        ),
    )


@require_POST
@organiser_required
def manage_banner_decide(request: HttpRequest, expo_slug: str, campaign_id: int) -> HttpResponse:
    """Approve free of charge (``action=approve``) or set a price (``action=price``)."""
    campaign = _managed_campaign(request, expo_slug, campaign_id)
    back = _manage_url("manage_banner", campaign.expo, campaign.pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _refused(request, ValidationError(list(form.errors.values())[0]), back)
    weight = form.cleaned_data.get("weight")
    try:
        if request.POST.get("action") == "price":
            price = form.cleaned_data.get("price")
            if price is None:
                raise ValidationError(_("Give the price in rupiah."))
            services.banner_set_price(
                campaign=campaign, price=price, weight=weight, by=request.user
            )
            messages.success(request, _("Price set. The banner runs once its fee is paid."))
        else:
            services.banner_approve(campaign=campaign, weight=weight, by=request.user)
            messages.success(request, _("Banner approved."))
    except ValidationError as error:
        return _refused(request, error, back)
    return redirect(back)


@require_POST
@organiser_required
def manage_banner_reject(request: HttpRequest, expo_slug: str, campaign_id: int) -> HttpResponse:
    campaign = _managed_campaign(request, expo_slug, campaign_id)
    back = _manage_url("manage_banner", campaign.expo, campaign.pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        return _refused(request, ValidationError(_("Say why the banner is rejected.")), back)
    try:
        services.banner_reject(
            campaign=campaign, reason=form.cleaned_data["reason"], by=request.user
        )
    except ValidationError as error:
        return _refused(request, error, back)
    messages.success(request, _("Banner rejected; the vendor sees your reason."))
    return redirect(back)


@require_POST
@organiser_required
def manage_fee_confirm(request: HttpRequest, expo_slug: str, fee_id: int) -> HttpResponse:
    expo = managed_expo(request, expo_slug)
    fee = get_object_or_404(BannerFee.objects.select_related("campaign"), pk=fee_id, expo=expo)
    fee.expo = expo
    back = request.POST.get("next") or _manage_url("manage_banners", expo)
    if not back.startswith(f"/manage/expos/{expo.slug}/banners/"):
        back = _manage_url("manage_banners", expo)
    form = FeeConfirmForm(request.POST)
    if not form.is_valid():
        return _refused(request, ValidationError(_("The note is too long.")), back)
    try:
        services.banner_fee_confirm(fee=fee, by=request.user, note=form.cleaned_data["note"])
    except ValidationError as error:
        return _refused(request, error, back)
    messages.success(request, _("Fee confirmed; the banner runs in its dates."))
    return redirect(back)
