"""Payment providers are plugins found by name: the registry, the core that never names one, the
Stripe plugin's own webhook URL, and the checkout's refusals as ``expo.refusals.Refused``. No
database."""

from __future__ import annotations

import ast
from pathlib import Path

import grimp
import pytest
from django.urls import resolve, reverse

from expo.refusals import Refused, code_of, text_of
from payments import providers, services

PAYMENTS = Path(__file__).resolve().parents[2] / "payments"


def test_the_registry_finds_providers_by_name(settings):
    settings.STRIPE_SECRET_KEY = settings.STRIPE_PUBLISHABLE_KEY = ""
    assert [p.name for p in providers.installed()] == ["manual", "stripe"]
    assert providers.get("manual").confirms_offline and not providers.get("manual").pays_in_page
    assert providers.find("nobody") is None
    with pytest.raises(KeyError):
        providers.get("nobody")
    # Without keys only the bank transfer is offered; it needs none.
    assert [p.name for p in providers.available()] == ["manual"]
    assert providers.in_page() is None
    assert providers.offline() == ["manual"]


def test_card_payments_are_offered_once_their_keys_are_set(settings):
    settings.STRIPE_SECRET_KEY = "sk_test_x"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_x"
    assert [p.name for p in providers.available()] == ["manual", "stripe"]
    card = providers.in_page()
    assert card is not None and card.name == "stripe" and card.reports_refunds
    box = card.page_box(pay_url="/pay/", sync_url="/sync/")
    assert box["template"] == card.page_template
    assert box["config"]["publishable_key"] == "pk_test_x" and box["config"]["pay_url"] == "/pay/"


def test_the_stripe_webhook_is_served_by_its_plugin():
    url = reverse("payments:stripe_webhook")
    assert url == "/stripe/webhook/"
    assert resolve(url).func.__module__ == "payments.providers.stripe.views"


def _core_modules() -> list[Path]:
    """Every module of the payments app but the providers themselves and migrations."""
    return [
        path
        for path in PAYMENTS.rglob("*.py")
        if "providers" not in path.relative_to(PAYMENTS).parts
        and "migrations" not in path.relative_to(PAYMENTS).parts
    ]


def test_the_core_never_names_a_provider():
    """No provider's name or class is spelt out in the core: it asks the registry."""
    offenders = []
    for path in _core_modules():
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            named = (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and node.value.lower() in {"manual", "stripe"}
            ) or (isinstance(node, ast.Attribute) and node.attr in {"STRIPE", "MANUAL"})
            if named:
                offenders.append(f"{path.relative_to(PAYMENTS)}:{node.lineno}")
    assert offenders == []


def test_selectors_and_rules_do_not_import_the_services():
    """The reads and the shared rules sit below the writes: no cycle between them."""
    graph = grimp.build_graph("payments", "booths", "expo")
    for reader in ("payments.selectors", "payments.rules"):
        assert not graph.chain_exists(importer=reader, imported="payments.services")


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (services.SoldOut("Sorry, Batik is sold out."), "sold_out"),
        (services.Busy(), "busy"),
        (services.PricesChanged(), "prices_changed"),
        (providers.ProviderError("The card payment service could not be reached."), None),
    ],
)
def test_the_checkouts_refusals_are_refusals(error, code):
    assert isinstance(error, Refused)
    assert code_of(error) == (code or "provider_unavailable")
    assert text_of(error) == str(error.message) and error.messages == [str(error.message)]


def test_a_plugin_registers_a_provider_of_its_own(monkeypatch):
    class Cash(providers.PaymentProvider):
        name = "cash"
        label = "Cash at the stand"
        confirms_offline = True
        start_needs_network = False
        reservation_minutes = 60

        def is_available(self) -> bool:
            return True

        def start(self, payment):
            payment.reference = payment.code

        def state(self, payment):
            return None

        def refund(self, payment, *, amount, key):
            return providers.ProviderRefund(provider_ref=None, done=False)

        def cancel(self, payment):
            return None

    monkeypatch.setattr(providers, "_registered", {})
    providers.register(Cash())
    assert providers.get("cash").title("staff") == "Cash at the stand"
    assert providers.offline() == ["manual", "cash"]
    assert "cash" in [p.name for p in providers.available()]
