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
from typing import Any, TypeVar

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST, require_safe

from booths import selectors as booth_selectors
from booths.vendor_views import Workspace, vendor_page
from expo.banners import selectors, services
from expo.banners.forms import BannerForm, DecisionForm, FeeConfirmForm, RejectForm
from expo.banners.models import BannerCampaign
from expo.models import Expo
from expo.refusals import add_to_form, refuse
from expo.web import managed_expo, organiser_required

T = TypeVar("T")


def _found(obj: T | None) -> T:
    """The object a selector found, else 404."""
    if obj is None:
        raise Http404
    return obj


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
    campaign = _found(selectors.served_campaign(campaign_id=campaign_id))
    services.click_record(request=request, campaign=campaign)
    response = redirect(selectors.campaign_target_url(campaign))
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


# --- Vendor workspace ------------------------------------------------------------------------------


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
    choices = selectors.vendor_link_choices(vendor=ws.vendor)
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
            except (ValidationError, PermissionDenied) as error:
                add_to_form(form, error)
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
            "slots": selectors.all_slots(),
            "no_booth": not choices["booths"],
        },
        status=400 if request.method == "POST" else 200,
    )


@require_safe
@vendor_page
def vendor_banner(request: HttpRequest, ws: Workspace, campaign_id: int) -> HttpResponse:
    # Looked up through the vendor: another vendor's campaign answers 404.
    campaign = _found(selectors.vendor_campaign(vendor=ws.vendor, campaign_id=campaign_id))
    fee = selectors.campaign_fee(campaign=campaign)
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
    campaign = _found(selectors.vendor_campaign(vendor=ws.vendor, campaign_id=campaign_id))
    back = reverse("banners:vendor_banner", args=[ws.vendor.slug, campaign.pk])
    try:
        services.banner_withdraw(campaign=campaign, by=request.user)
    except ValidationError as error:
        return refuse(request, error, back)
    messages.success(request, _("The banner request is withdrawn; nothing is owed for it."))
    return redirect(back)


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
    context["pending_fees"] = selectors.expo_pending_fees(expo=expo)
    context["fee_form"] = FeeConfirmForm()
    return render(request, "banners/manage/list.html", context)


@organiser_required
def manage_banner_new(request: HttpRequest, expo_slug: str) -> HttpResponse:
    expo = managed_expo(request, expo_slug)
    form = BannerForm(
        request.POST or None,
        request.FILES or None,
        **selectors.expo_link_choices(expo=expo),
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
    return _found(selectors.expo_campaign(expo=expo, campaign_id=campaign_id))


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
            fee=selectors.campaign_fee(campaign=campaign),
            report=selectors.campaign_report(campaign=campaign),
            target_url=selectors.campaign_target_url(campaign),
            decision_form=DecisionForm(initial={"weight": campaign.weight}),
            reject_form=RejectForm(),
            fee_form=FeeConfirmForm(),
            can_decide=campaign.status
            in (BannerCampaign.Status.REQUESTED, BannerCampaign.Status.PRICED)
            and not expo.has_closed,
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
        return refuse(request, ValidationError(list(form.errors.values())[0]), back)
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
        return refuse(request, error, back)
    return redirect(back)


@require_POST
@organiser_required
def manage_banner_reject(request: HttpRequest, expo_slug: str, campaign_id: int) -> HttpResponse:
    campaign = _managed_campaign(request, expo_slug, campaign_id)
    back = _manage_url("manage_banner", campaign.expo, campaign.pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        return refuse(request, ValidationError(_("Say why the banner is rejected.")), back)
    try:
        services.banner_reject(
            campaign=campaign, reason=form.cleaned_data["reason"], by=request.user
        )
    except ValidationError as error:
        return refuse(request, error, back)
    messages.success(request, _("Banner rejected; the vendor sees your reason."))
    return redirect(back)


@require_POST
@organiser_required
def manage_fee_confirm(request: HttpRequest, expo_slug: str, fee_id: int) -> HttpResponse:
    expo = managed_expo(request, expo_slug)
    fee = _found(selectors.expo_fee(expo=expo, fee_id=fee_id))
    back = request.POST.get("next") or _manage_url("manage_banners", expo)
    if not back.startswith(f"/manage/expos/{expo.slug}/banners/"):
        back = _manage_url("manage_banners", expo)
    form = FeeConfirmForm(request.POST)
    if not form.is_valid():
        return refuse(request, ValidationError(_("The note is too long.")), back)
    try:
        services.banner_fee_confirm(fee=fee, by=request.user, note=form.cleaned_data["note"])
    except ValidationError as error:
        return refuse(request, error, back)
    messages.success(request, _("Fee confirmed; the banner runs in its dates."))
    return redirect(back)
