"""The payer's pages of a charge (namespace ``payments``): what the organiser asks to be paid for
a service it sells (a banner's fee), payable in the page or by bank transfer. Never an order."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from expo.refusals import Refused, text_of
from payments import providers, selectors, services
from payments.models import Charge


def _charge_for(request: HttpRequest, code: str) -> Charge:
    key = request.GET.get("key") or request.POST.get("key")
    charge = selectors.charge_for_payer(code=code, user=request.user, key=key)
    if charge is None:
        raise Http404
    return charge


def _charge_url(charge: Charge) -> str:
    return (
        reverse("payments:charge", args=[charge.code]) + "?" + urlencode({"key": charge.access_key})
    )


@require_safe
def charge(request: HttpRequest, code: str) -> HttpResponse:
    found = _charge_for(request, code)
    context: dict[str, Any] = {
        "charge": found,
        "key": found.access_key,
        "transfer": selectors.charge_transfer(found),
        "account": selectors.collecting_account(expo=found.expo),
        "page_title": found.label,
    }
    method = providers.in_page()
    if found.status == Charge.Status.PENDING and method is not None:
        context["in_page"] = method.page_box(
            pay_url=reverse("payments:charge_pay", args=[found.code]),
            sync_url=reverse("payments:charge_sync", args=[found.code]),
        )
    return render(request, "payments/charge.html", context)


@require_POST
def charge_pay(request: HttpRequest, code: str) -> JsonResponse:
    found = _charge_for(request, code)
    card = (request.POST.get("card") or "").strip()
    if not card or len(card) > 255:
        return JsonResponse({"ok": False, "errors": [_("Enter your card details.")]}, status=400)
    try:
        attempt = services.charge_pay_with_card(
            charge=found, card=card, by=request.user if request.user.is_authenticated else None
        )
    except (ValidationError, Refused) as error:
        return JsonResponse({"ok": False, "errors": [text_of(error)]}, status=400)
    state = attempt.state.status
    body: dict[str, Any] = {"ok": state == "succeeded", "status": state, "next": _charge_url(found)}
    if attempt.requires_action:
        body.update(requires_action=True, client_secret=attempt.client_secret)
    elif state in ("failed", "cancelled"):
        body["errors"] = [
            _("%(reason)s Nothing was charged; pay again or by bank transfer.")
            % {"reason": attempt.state.message or _("The card was declined.")}
        ]
        body["next"] = ""
    return JsonResponse(body)


@require_POST
def charge_sync(request: HttpRequest, code: str) -> HttpResponse:
    found = _charge_for(request, code)
    for payment in selectors.payments_to_ask(charge=found):
        try:
            services.payment_sync(payment=payment)
        except providers.ProviderError as error:
            messages.error(request, text_of(error))
    return redirect(_charge_url(found))
