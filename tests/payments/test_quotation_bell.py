"""The bell through an export deal: a new request rings the vendor's members, a quotation or its
revision rings the buyer, the buyer's answer (revision asked, accepted, declined) rings the vendor's
members — and nobody else (another vendor's members, another buyer, the organisers)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from events.bell import texts
from events.models import Notification
from payments.quotations import services as quotes
from tests.payments.quoting import ask, business_buyer, export_details, offer

pytestmark = pytest.mark.django_db

Kind = Notification.Kind


@pytest.fixture
def people(booth_a, booth_b, make_user, make_vendor_user, organiser):
    product = booth_a.products.order_by("pk").first()
    product.stock = 5000
    product.save(update_fields=["stock"])
    return {
        "importer": business_buyer(make_user),
        "other_buyer": business_buyer(make_user, email="someone@example.qa"),
        "member": make_vendor_user(booth_a),
        "colleague": make_vendor_user(booth_a),
        "other_vendor": make_vendor_user(booth_b),
        "organiser": organiser,
    }


def _rung(people) -> dict[str, list[tuple[str, str]]]:
    """Who has which quotation notification (its step and link), unread."""
    out = {}
    for name, user in people.items():
        rows = Notification.objects.filter(user=user, kind=Kind.QUOTATION, read_at__isnull=True)
        out[name] = [(row.params["step"], row.url) for row in rows.order_by("id")]
    return out


def _read_all(people) -> None:
    Notification.objects.filter(user__in=list(people.values())).update(read_at="2026-01-01T00:00Z")


def test_each_step_rings_the_right_people(booth_a, people, details):
    vendor_url = lambda r: reverse("payments:vendor_quote", args=[booth_a.vendor.slug, r.code])  # noqa: E731
    request = ask(booth_a, people["importer"])
    rung = _rung(people)
    expected = [("requested", vendor_url(request))]
    assert rung["member"] == rung["colleague"] == expected
    assert rung["importer"] == rung["other_buyer"] == rung["other_vendor"] == []
    assert rung["organiser"] == []
    _read_all(people)

    quotation = offer(request, people["member"])
    buyer_url = reverse("payments:quote", args=[request.code])
    rung = _rung(people)
    assert rung["importer"] == [("sent", buyer_url)]
    assert not any(rung[n] for n in people if n != "importer")
    _read_all(people)

    quotes.quotation_ask_revision(quotation=quotation, by=people["importer"], note="Rp 28,000?")
    rung = _rung(people)
    assert rung["member"] == rung["colleague"] == [("revision_asked", vendor_url(request))]
    assert not any(rung[n] for n in ("importer", "other_buyer", "other_vendor", "organiser"))
    _read_all(people)

    quotation = offer(request, people["member"], unit_price=28_000)
    rung = _rung(people)
    assert rung["importer"] == [("revised", buyer_url)]
    assert not any(rung[n] for n in people if n != "importer")
    _read_all(people)

    quotes.quotation_accept(
        quotation=quotation,
        by=people["importer"],
        revision=2,
        details=export_details(details),
        provider="manual",
    )
    rung = _rung(people)
    assert rung["member"] == rung["colleague"] == [("accepted", vendor_url(request))]
    assert not any(rung[n] for n in ("importer", "other_buyer", "other_vendor"))


def test_a_declined_quotation_rings_the_vendors_members(booth_a, people):
    request = ask(booth_a, people["importer"])
    quotation = offer(request, people["member"])
    _read_all(people)
    quotes.quotation_decline(quotation=quotation, by=people["importer"], note="Too dear")
    rung = _rung(people)
    assert [step for step, _url in rung["member"]] == ["declined"]
    assert rung["colleague"] == rung["member"]
    assert not any(rung[n] for n in ("importer", "other_buyer", "other_vendor", "organiser"))
    note = Notification.objects.get(user=people["member"], read_at__isnull=True)
    assert note.params["detail"] == "Too dear"


def test_the_sentences_in_both_languages(booth_a, people):
    request = ask(booth_a, people["importer"])
    note = Notification.objects.get(user=people["member"], kind=Kind.QUOTATION)
    with translation.override("en"):
        english = texts.title(note.kind, note.params)
    assert english == f"Request for quotation {request.code} from Doha Fine Foods"
    titles = texts.titles(note.kind, note.params)
    assert set(titles) == {"en", "id"} and all(request.code in t for t in titles.values())
    for step in texts.QUOTATION_STEPS:
        assert request.code in texts.title(Kind.QUOTATION, note.params | {"step": step})
