"""The buyer's payment pages (namespace ``payments``): cart, checkout, paying and following orders
(a charge's pages are ``payments.charge_views``).

Views stay thin: forms clean input, ``payments.services`` apply every rule (time box, stock,
permissions), ``payments.selectors`` read. A refused action shows its message in the buyer's
language and changes nothing. The payment box of a provider paid in the page is the provider's own
template and configuration (``in_page``); its webhooks are its own views (``payments.providers``).

The header's cart count is kept in the session (``CART_COUNT_KEY``) whenever the cart changes
here, so showing it on every page costs no query; the cart page refreshes it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from booths import hooks
from expo import timebox
from expo.models import Expo
from expo.money import format_rupiah
from expo.refusals import Refused, add_to_form, refuse, text_of
from payments import attribution, providers, selectors, services
from payments.context_processors import CART_COUNT_KEY
from payments.forms import CheckoutForm, QuantityForm
from payments.models import Cart, Order

CURRENCY_COOKIE_AGE = 365 * 24 * 3600


# --- Small helpers ---------------------------------------------------------------------------------


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _next_url(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _store_count(request: HttpRequest, count: int) -> int:
    """Keep the header's count in the session; an unchanged count writes nothing (the cart page
    shows the count on every view, and a session write is a transaction)."""
    if (count or CART_COUNT_KEY in request.session) and request.session.get(
        CART_COUNT_KEY
    ) != count:
        request.session[CART_COUNT_KEY] = count
    return count


def _remember_count(request: HttpRequest, cart: Cart | None) -> int:
    return _store_count(request, selectors.cart_count(cart))


def _cart(request: HttpRequest) -> Cart | None:
    return selectors.cart_for(session=request.session, user=request.user)


def _user(request: HttpRequest) -> Any:
    return request.user if request.user.is_authenticated else None


def _rates_by_expo(groups: list[selectors.CartExpo]) -> dict[int, Any]:
    return {group.expo.pk: selectors.exchange_rates(expo_id=group.expo.pk) for group in groups}


# --- Currency -----------------------------------------------------------------------------------------


@require_POST
def currency_set(request: HttpRequest) -> HttpResponse:
    """Remember the foreign currency the visitor wants approximate prices in ("" for none)."""
    code = (request.POST.get("currency") or "").upper()
    response = redirect(_next_url(request, reverse("payments:cart")))
    if code in selectors.Currency.values:
        response.set_cookie(
            selectors.CURRENCY_COOKIE,
            code,
            max_age=CURRENCY_COOKIE_AGE,
            samesite="Lax",
            secure=request.is_secure(),
        )
    else:
        response.delete_cookie(selectors.CURRENCY_COOKIE)
    return response


# --- The product page's buy box (registered with booths.hooks) -----------------------------------------


def buy_box(request: HttpRequest, product: hooks.Buyable, frame: dict[str, Any]) -> str:
    """Quantity and "Add to cart" on an open expo's product page, with the approximate price in
    the visitor's currency. ``frame`` holds the CSRF slot when the page is shared and cached."""
    currency = selectors.chosen_currency(request)
    approx = ""
    if currency:
        approx = selectors.approx(
            product.price, currency, selectors.exchange_rates(expo_id=product.expo_id)
        )
    return render_to_string(
        "payments/_add_to_cart.html",
        {
            "product": product,
            "csrf_token": frame.get("csrf_token") or get_token(request),
            "next": request.get_full_path(),
            "approx": approx,
            "currency": currency,
            "currencies": selectors.Currency.choices,
            "sold_out": product.available < max(product.min_order, 1),
        },
    )


def cart_add_url() -> str:
    return reverse("payments:cart_add")


# --- Cart -------------------------------------------------------------------------------------------


@require_safe
def cart(request: HttpRequest) -> HttpResponse:
    current = _cart(request)
    groups = selectors.cart_contents(current)
    _store_count(request, sum(group.count for group in groups))  # refreshed, no extra query
    currency = selectors.chosen_currency(request)
    rates = _rates_by_expo(groups) if currency else {}
    for group in groups:
        group.approx = selectors.approx(group.subtotal, currency, rates.get(group.expo.pk, {}))
    # The buyer sees the current prices now: the lines that changed say so on this page, once.
    if any(line.price_changed for g in groups for b in g.booths for line in b.lines):
        services.cart_acknowledge_prices(cart=current)
    return render(
        request,
        "payments/cart.html",
        {
            "groups": groups,
            "currency": currency,
            "currencies": selectors.Currency.choices,
            "next": request.get_full_path(),
            "page_title": _("Your cart"),
        },
    )


@require_POST
def cart_add(request: HttpRequest) -> HttpResponse:
    raw_id = request.POST.get("product", "")
    product = selectors.product_to_add(product_id=int(raw_id)) if raw_id.isdigit() else None
    if product is None:
        raise Http404
    default = reverse(
        "booths:product", args=[product.booth.expo.slug, product.booth.slug, product.slug]
    )
    form = QuantityForm(request.POST)
    errors: list[str] = []
    count = None
    if not form.is_valid():
        errors = [str(e) for e in form.errors.get("quantity", [])] or [_("Enter a quantity.")]
    else:
        try:
            with transaction.atomic():
                current = services.cart_get_or_create(session=request.session, user=_user(request))
                services.cart_add(
                    cart=current,
                    product=product,
                    quantity=form.cleaned_data["quantity"],
                    by=_user(request),
                )
            count = _remember_count(request, current)
        except (ValidationError, Refused) as error:
            errors = [text_of(error)]
    if _wants_json(request):
        if errors:
            return JsonResponse({"ok": False, "errors": errors}, status=400)
        return JsonResponse(
            {
                "ok": True,
                "count": count,
                "message": _("%(product)s is in your cart.") % {"product": product.name},
                "cart_url": reverse("payments:cart"),
            }
        )
    for error in errors:
        messages.error(request, error)
    if not errors:
        messages.success(request, _("%(product)s is in your cart.") % {"product": product.name})
    return redirect(_next_url(request, default))


@require_POST
def cart_update(request: HttpRequest) -> HttpResponse:
    """Change a line's quantity (0 or the remove button takes it out)."""
    current = _cart(request)
    product_id = request.POST.get("product", "")
    if current is None or not product_id.isdigit():
        return redirect("payments:cart")
    try:
        if "remove" in request.POST:
            services.cart_remove(cart=current, product_id=int(product_id))
        else:
            raw = request.POST.get("quantity", "")
            if not raw.strip().isdigit():
                raise ValidationError(_("Enter a whole number of items."))
            services.cart_set_quantity(
                cart=current, product_id=int(product_id), quantity=int(raw), by=_user(request)
            )
    except (ValidationError, Refused) as error:
        messages.error(request, text_of(error))
    _remember_count(request, current)
    return redirect("payments:cart")


# --- Checkout ---------------------------------------------------------------------------------------


def _initial_details(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    if not user.is_authenticated:
        return {"country": "ID"}
    last = selectors.last_order(user=user)
    initial = {"email": user.email, "name": user.name, "country": user.country or "ID"}
    if last is not None:
        initial.update(
            phone=last.phone,
            address=last.address,
            city=last.city,
            country=last.country,
            postal_code=last.postal_code,
        )
        if last.country == "ID":
            initial["province"] = last.region
        else:
            initial["state"] = last.region
    return initial


def _summary(current: Cart, expo: Expo, country: str, region: str) -> dict[str, Any]:
    planned = services.plan_order(cart=current, expo=expo, country=country, region=region)
    subtotal = sum(part.subtotal for part in planned)
    shipping_total = sum(part.quote.amount for part in planned)
    return {
        "planned": planned,
        "subtotal": subtotal,
        "shipping_total": shipping_total,
        "total": subtotal + shipping_total,
        "ships_everywhere": all(part.quote.ships for part in planned),
        "arrange": any(part.quote.method == "arrange" for part in planned),
    }


def _expo(slug: str) -> Expo:
    expo = selectors.expo_for_checkout(slug=slug)
    if expo is None:
        raise Http404
    return expo


def _address(form: CheckoutForm) -> tuple[str, str]:
    """The address the order ships to: the cleaned one, else as typed (for the page shown again)."""
    if form.is_bound and form.is_valid():
        return form.cleaned_data["country"], form.cleaned_data["region"]
    data = form.data if form.is_bound else form.initial
    country = data.get("country") or "ID"
    return country, (data.get("province") if country == "ID" else data.get("state")) or ""


def _place(
    request: HttpRequest, form: CheckoutForm, current: Cart, expo: Expo, summary: dict[str, Any]
) -> Order | None:
    """Place the order the valid ``form`` describes, from the plan the page shows; a refusal goes
    on the form (None)."""
    data = form.cleaned_data
    details = services.BuyerDetails.from_form(
        data, language=get_language() or settings.LANGUAGE_CODE
    )
    try:
        return services.order_place(
            cart=current,
            expo=expo,
            details=details,
            provider=data["provider"],
            buyer=_user(request),
            attribution=attribution.read(request.session, expo_id=expo.pk),
            expected_subtotal=data["expected_subtotal"],
            planned=summary["planned"],
        )
    except (ValidationError, Refused) as error:
        add_to_form(form, error)
        if isinstance(error, services.PricesChanged):
            services.cart_acknowledge_prices(cart=current)
            summary.clear()  # the cart's prices changed: the page is planned again
    return None


def checkout(request: HttpRequest, expo_slug: str) -> HttpResponse:
    """The checkout page, and placing its order. Planned once per request: the page shows the
    plan the order is placed from (under a rush, a refused order is answered with this page)."""
    expo = _expo(expo_slug)
    current = _cart(request)
    if request.method == "POST":
        form = CheckoutForm(request.POST)
    else:
        form = CheckoutForm(initial=_initial_details(request))
    country, region = _address(form)
    summary = _summary(current, expo, country, region) if current is not None else {}
    if not summary.get("planned"):
        messages.info(request, _("Your cart has nothing from this expo."))
        return redirect("payments:cart")
    if not timebox.allows(expo, timebox.Action.BUY):
        closed = timebox.ExpoStateError(expo, timebox.Action.BUY, expo.state)
        return refuse(request, closed, reverse("payments:cart"))

    if form.is_bound and form.is_valid():
        order = _place(request, form, current, expo, summary)
        if order is not None:
            _remember_count(request, current)
            return redirect(_order_url(order))
        summary = summary or _summary(current, expo, country, region)
    # The page about to be shown states this subtotal; placing the order checks it is still so.
    if form.is_bound:
        form.data = form.data.copy()
        form.data["expected_subtotal"] = summary["subtotal"]
    else:
        form.initial["expected_subtotal"] = summary["subtotal"]
    currency = selectors.chosen_currency(request)
    rates = selectors.exchange_rates(expo_id=expo.pk) if currency else {}
    return render(
        request,
        "payments/checkout.html",
        {
            "expo": expo,
            "form": form,
            "currency": currency,
            "approx_total": selectors.approx(summary["total"], currency, rates),
            "page_title": _("Checkout"),
            **summary,
        },
    )


@require_safe
def checkout_quote(request: HttpRequest, expo_slug: str) -> JsonResponse:
    """Shipping for the address being typed: per booth and the totals, as the server will charge."""
    expo = _expo(expo_slug)
    current = _cart(request)
    if current is None:
        return JsonResponse({"parts": [], "subtotal": 0, "shipping": 0, "total": 0})
    country = (request.GET.get("country") or "ID").upper()[:2]
    region = request.GET.get("region") or ""
    summary = _summary(current, expo, country, region)
    parts = []
    for part in summary["planned"]:
        quote = part.quote
        if not quote.ships:
            label = _("Does not ship to this address")
        elif quote.method == "arrange":
            label = _("Arranged with the vendor after ordering")
        elif quote.amount == 0:
            label = _("Free")
        else:
            label = format_rupiah(quote.amount)
        parts.append({"booth": part.booth.pk, "ships": quote.ships, "label": label})
    return JsonResponse(
        {
            "parts": parts,
            "subtotal": format_rupiah(summary["subtotal"]),
            "shipping": format_rupiah(summary["shipping_total"]),
            "total": format_rupiah(summary["total"]),
            "ships": summary["ships_everywhere"],
        }
    )


# --- Orders -------------------------------------------------------------------------------------------


def _order_url(order: Order) -> str:
    return reverse("payments:order", args=[order.code]) + "?" + urlencode({"key": order.access_key})


def _buyer_order(request: HttpRequest, code: str) -> Order:
    key = request.GET.get("key") or request.POST.get("key")
    order = selectors.order_for_buyer(code=code, user=request.user, key=key)
    if order is None:
        raise Http404
    return order


@require_safe
def order(request: HttpRequest, code: str) -> HttpResponse:
    found = _buyer_order(request, code)
    payment = selectors.payable_payment(found)
    ordered_with = providers.find(found.provider)
    context: dict[str, Any] = {
        "order": found,
        "payment": payment,
        "key": found.access_key,
        "page_title": _("Order %(code)s") % {"code": found.code},
        "is_buyer_account": request.user.is_authenticated and found.buyer_id == request.user.pk,
        # An accepted quotation's order is paid when agreed, even after its expo closed.
        "can_buy": timebox.allows(found.expo, timebox.Action.BUY) or found.channel == "quotation",
        "provider_label": ordered_with.label if ordered_with else "",
    }
    method = providers.find(payment.provider) if payment is not None else None
    if method is not None and method.confirms_offline:
        context["pays_offline"] = True
        context["account"] = selectors.collecting_account(expo=found.expo)
    if method is not None and method.pays_in_page and context["can_buy"]:
        context["in_page"] = method.page_box(
            pay_url=reverse("payments:order_pay", args=[found.code]),
            sync_url=reverse("payments:order_sync", args=[found.code]),
        )
    currency = selectors.chosen_currency(request)
    if currency:
        rates = selectors.exchange_rates(expo_id=found.expo_id)
        context["approx_total"] = selectors.approx(found.total, currency, rates)
    return render(request, "payments/order.html", context)


@require_POST
def order_pay(request: HttpRequest, code: str) -> JsonResponse:
    """The page gives the card its provider's script made; the server completes the payment and
    answers with the outcome (and a client secret when the bank wants the buyer to
    authenticate)."""
    found = _buyer_order(request, code)
    card = (request.POST.get("card") or "").strip()
    if not card or len(card) > 255:
        return JsonResponse({"ok": False, "errors": [_("Enter your card details.")]}, status=400)
    try:
        attempt = services.payment_pay_with_card(order=found, card=card, by=_user(request))
    except (ValidationError, Refused) as error:
        return JsonResponse({"ok": False, "errors": [text_of(error)]}, status=400)
    state = attempt.state.status
    body: dict[str, Any] = {"ok": state == "succeeded", "status": state, "next": _order_url(found)}
    if attempt.requires_action:
        body.update(requires_action=True, client_secret=attempt.client_secret)
    elif state in ("failed", "cancelled"):
        message = attempt.state.message or _("The card was declined.")
        body["errors"] = [
            _("%(reason)s Nothing was charged; your items are back in your cart.")
            % {"reason": message}
        ]
        body["next"] = reverse("payments:cart")
    return JsonResponse(body)


@require_POST
def order_sync(request: HttpRequest, code: str) -> HttpResponse:
    """After the page's script finished an authentication step: re-read the payment from its
    provider."""
    found = _buyer_order(request, code)
    for payment in selectors.payments_to_ask(order=found):
        try:
            services.payment_sync(payment=payment)
        except providers.ProviderError as error:
            messages.error(request, text_of(error))
    found.refresh_from_db()
    if found.status == Order.Status.CANCELLED:
        messages.error(
            request,
            _(
                "The payment did not go through. Nothing was charged; your items are back in your cart."
            ),
        )
        return redirect("payments:cart")
    return redirect(_order_url(found))


@require_POST
def order_cancel(request: HttpRequest, code: str) -> HttpResponse:
    found = _buyer_order(request, code)
    if found.status != Order.Status.PENDING:
        messages.error(request, _("Only an order waiting for payment can be cancelled."))
        return redirect(_order_url(found))
    try:
        # Access is already proven (the account, or the secret link): only the account is named.
        is_account = found.buyer_id is not None and found.buyer_id == request.user.pk
        services.order_cancel(
            order=found, reason=Order.CancelReason.BUYER, by=request.user if is_account else None
        )
    except (ValidationError, PermissionDenied) as error:
        return refuse(request, error, _order_url(found))
    messages.success(
        request,
        _("Order %(code)s is cancelled; its items are back in your cart.") % {"code": found.code},
    )
    if found.buyer_id is None and found.cart_id:
        # A guest's items go back to the cart this session holds.
        request.session[services.CART_SESSION_KEY] = found.cart_id
    _remember_count(request, _cart(request))
    return redirect("payments:cart")


@login_required
@require_POST
def order_received(request: HttpRequest, code: str, part_id: int) -> HttpResponse:
    """The buyer confirms a shipped parcel arrived."""
    found = _buyer_order(request, code)
    part = selectors.order_part(order=found, part_id=part_id)
    if part is None:
        raise Http404
    try:
        services.part_mark_delivered(part=part, by=request.user)
    except (ValidationError, PermissionDenied) as error:
        return refuse(request, error, _order_url(found))
    messages.success(
        request,
        _("Thank you: the parcel from %(vendor)s is marked as received.")
        % {"vendor": part.vendor.name},
    )
    return redirect(_order_url(found))


@login_required
@require_safe
def orders(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "payments/orders.html",
        {"orders": selectors.buyer_orders(user=request.user), "page_title": _("Your orders")},
    )
