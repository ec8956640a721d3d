"""Hybrid stands: a stand's QR code decodes to its booth's page with the stand's attribution, and an
order that starts there is counted for the stand; a vendor records sales at its stand (stock
taken through the checkout's reservation, no oversell, a clear answer), which enter the ledger
with channel "offline", unverified and shown apart until an organiser verifies them (one by one
or by a sample and a sign-off). Permissions: a vendor records only for its own booth; only the
expo's organisers verify; only they manage the venue and print the cards."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from pyzbar.pyzbar import decode

from booths.models import Stand
from booths.services import stands as stand_services
from booths.stand_cards import qr_code, stand_link
from expo.models import AuditLogEntry, Expo
from expo.reports import figures as reports
from expo.timebox import ExpoStateError
from payments import attribution, selectors
from payments.models import OfflineSale, SalesLedgerEntry
from payments.services import offline
from payments.services.errors import SoldOut

pytestmark = pytest.mark.django_db


@pytest.fixture
def stand(expo, organiser, booth_a):
    venue = stand_services.venue_save(expo=expo, by=organiser, name="PRPP Semarang")
    first, _second = stand_services.stands_add(venue=venue, by=organiser, count=2)
    return stand_services.stand_assign(stand=first, by=organiser, booth=booth_a)


@pytest.fixture
def seller(booth_a, make_vendor_user):
    return make_vendor_user(booth_a, email="penjual@example.com")


def _record(booth, by, *lines, receipt="R-001", method="cash"):
    return offline.offline_sale_record(
        booth=booth,
        by=by,
        lines=[offline.StandLine(product, qty) for product, qty in lines],
        payment_method=method,
        receipt_number=receipt,
    )


def _ledger(expo, **filters) -> int:
    return (
        SalesLedgerEntry.objects.filter(expo=expo, **filters).aggregate(s=Sum("amount"))["s"] or 0
    )


# --- The QR code and the stand's attribution --------------------------------------------------------


def test_a_stand_qr_code_decodes_to_its_booth_page_with_the_stand(stand, booth_a, expo):
    link = stand_link(stand)
    image = Image.open(io.BytesIO(_png(link))).convert("L")
    found = decode(image)
    assert [symbol.data.decode() for symbol in found] == [link]
    path = reverse("booths:booth", args=[expo.slug, booth_a.slug])
    assert link == f"{settings.SITE_URL}{path}?stand={stand.code}"


def _png(link: str) -> bytes:
    out = io.BytesIO()
    qr_code(link).save(out, kind="png", scale=8, border=4)
    return out.getvalue()


def test_an_order_started_from_a_stand_code_is_counted_for_the_stand(
    client, stand, booth_a, expo, place
):
    url = reverse("booths:booth", args=[expo.slug, booth_a.slug])
    assert client.get(f"{url}?stand={stand.code}").status_code == 200
    remembered = attribution.read(client.session, expo_id=expo.pk)
    assert (remembered.channel, remembered.id, remembered.label) == ("stand", stand.pk, stand.code)
    order = place((booth_a.products.first(), 1), attribution=remembered)
    assert order.channel == "stand" and order.attribution_label == stand.code


def test_an_unknown_or_another_booths_stand_code_changes_nothing(client, stand, booth_b, expo):
    url = reverse("booths:booth", args=[expo.slug, booth_b.slug])
    client.get(f"{url}?stand={stand.code}")  # booth_a's stand, on booth_b's page
    client.get(f"{url}?stand=NOPE")
    assert attribution.read(client.session, expo_id=expo.pk) == attribution.DIRECT


def test_the_cards_pdf_is_for_organisers_only(client, stand, expo, organiser, seller):
    url = reverse("manage:stand_cards", args=[expo.slug])
    client.force_login(seller)
    assert client.get(url).status_code == 403
    client.force_login(organiser)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    page = client.get(reverse("manage:stands", args=[expo.slug]))
    assert stand.code.encode() in page.content


def test_a_stand_is_assigned_only_to_a_booth_of_its_expo(
    stand, organiser, make_expo, make_booth, booth_b
):
    elsewhere = make_booth(make_expo("open", office=organiser.offices.get()))
    with pytest.raises(ValidationError):
        stand_services.stand_assign(stand=stand, by=organiser, booth=elsewhere)
    second = Stand.objects.exclude(pk=stand.pk).get()
    with pytest.raises(ValidationError):  # a booth has one stand
        stand_services.stand_assign(stand=second, by=organiser, booth=stand.booth)
    stand_services.stand_assign(stand=second, by=organiser, booth=booth_b)


# --- Recording a sale at the stand ------------------------------------------------------------------


def test_a_stand_sale_takes_stock_and_enters_the_ledger_as_offline_unverified(
    stand, booth_a, seller, expo
):
    product = booth_a.products.order_by("pk").first()
    sale = _record(booth_a, seller, (product, 2), method="qris")
    product.refresh_from_db()
    assert product.stock == 3
    assert sale.order.channel == "offline" and sale.total == 2 * product.price
    assert sale.stand == stand and not sale.is_verified
    assert _ledger(expo, channel="offline") == sale.total
    assert AuditLogEntry.objects.filter(action="payments.offline.recorded").count() == 1
    # The vendor collected this money itself: no settlement is owed for it.
    assert selectors.settlement_for(expo=expo, vendor=booth_a.vendor).balance == 0


def test_a_stand_sale_cannot_oversell_and_a_refusal_changes_nothing(booth_a, seller, expo):
    product = booth_a.products.order_by("pk").first()  # 5 in stock
    with pytest.raises(SoldOut, match="only 5"):
        _record(booth_a, seller, (product, 6))
    _record(booth_a, seller, (product, 5))
    with pytest.raises(SoldOut, match="sold out"):
        _record(booth_a, seller, (product, 1), receipt="R-002")
    product.refresh_from_db()
    assert product.stock == 0
    assert OfflineSale.objects.count() == 1


@pytest.mark.parametrize(
    ("receipt", "method", "quantity", "message"),
    [
        ("", "cash", 1, "receipt number"),
        ("R-9", "cheque", 1, "how the buyer paid"),
        ("R-9", "cash", 0, "at least one product"),
        ("R" * 41, "cash", 1, "at most"),
    ],
)
def test_bad_input_gets_a_clear_message_and_changes_nothing(
    booth_a, seller, receipt, method, quantity, message
):
    product = booth_a.products.order_by("pk").first()
    with pytest.raises(ValidationError, match=message):
        _record(booth_a, seller, (product, quantity), receipt=receipt, method=method)
    product.refresh_from_db()
    assert product.stock == 5 and not OfflineSale.objects.exists()


def test_a_receipt_is_recorded_once(booth_a, seller):
    product = booth_a.products.order_by("pk").first()
    _record(booth_a, seller, (product, 1))
    with pytest.raises(ValidationError, match="recorded already"):
        _record(booth_a, seller, (product, 1))


def test_a_vendor_records_only_for_its_own_booth(client, booth_a, booth_b, seller, expo):
    other = booth_b.products.first()
    with pytest.raises(PermissionDenied):
        _record(booth_b, seller, (other, 1))
    client.force_login(seller)
    own_page = reverse("payments:vendor_stand", args=[booth_a.vendor.slug])
    refused = client.post(
        own_page,
        {
            "booth": booth_b.pk,
            f"qty_{other.pk}": "1",
            "payment_method": "cash",
            "receipt_number": "X",
        },
    )
    assert refused.status_code == 404
    other_page = reverse("payments:vendor_stand", args=[booth_b.vendor.slug])
    assert client.get(other_page).status_code == 403
    other.refresh_from_db()
    assert other.stock == 5 and not OfflineSale.objects.exists()


def test_the_phone_page_records_a_sale(client, stand, booth_a, seller):
    product = booth_a.products.order_by("pk").first()
    client.force_login(seller)
    url = reverse("payments:vendor_stand", args=[booth_a.vendor.slug])
    page = client.get(url)
    assert page.status_code == 200 and b'data-testid="stand-record"' in page.content
    done = client.post(
        url,
        {
            "booth": booth_a.pk,
            f"qty_{product.pk}": "2",
            "payment_method": "transfer",
            "receipt_number": "NOTA 17",
        },
    )
    assert done.status_code == 302
    sale = OfflineSale.objects.get()
    assert (sale.receipt_number, sale.payment_method, sale.total) == (
        "NOTA 17",
        "transfer",
        2 * product.price,
    )
    bad = client.post(
        url, {"booth": booth_a.pk, f"qty_{product.pk}": "x", "payment_method": "cash"}
    )
    assert bad.status_code == 400 and b'data-testid="stand-errors"' in bad.content


def test_stand_sales_are_recorded_only_while_the_expo_is_open(booth_a, seller, expo):
    now = timezone.now()
    Expo.objects.filter(pk=expo.pk).update(
        opens_at=now - timedelta(days=3), closes_at=now - timedelta(hours=1)
    )
    booth_a.expo.refresh_from_db()
    with pytest.raises(ExpoStateError):
        _record(booth_a, seller, (booth_a.products.first(), 1))


# --- Verification --------------------------------------------------------------------------------------


def test_unverified_stand_sales_are_shown_apart_until_verified(
    client, stand, booth_a, seller, expo, organiser
):
    product = booth_a.products.order_by("pk").first()
    sale = _record(booth_a, seller, (product, 2))
    split = reports.expo_dashboard(expo).split
    assert (split.offline_unverified, split.offline_verified) == (sale.total, 0)
    client.force_login(organiser)
    page = client.get(reverse("manage:stand_sales", args=[expo.slug]))
    assert page.status_code == 200
    assert sale.receipt_number.encode() in page.content

    verified = client.post(reverse("manage:stand_sale_verify", args=[expo.slug, sale.pk]))
    assert verified.status_code == 302
    sale.refresh_from_db()
    assert sale.is_verified and sale.verification.method == "individual"
    split = reports.expo_dashboard(expo).split
    assert (split.offline_unverified, split.offline_verified) == (0, sale.total)
    assert split.expo.omzet == _ledger(expo)  # the ledger itself was never changed


def test_only_the_expos_organisers_verify(client, booth_a, seller, expo, make_organiser):
    sale = _record(booth_a, seller, (booth_a.products.first(), 1))
    stranger = make_organiser(name="Another office")
    for who in (seller, stranger):
        with pytest.raises(PermissionDenied):
            offline.offline_sale_verify(sale=sale, by=who)
        client.force_login(who)
        answer = client.post(reverse("manage:stand_sale_verify", args=[expo.slug, sale.pk]))
        assert answer.status_code == 403
    sale.refresh_from_db()
    assert not sale.is_verified
    with pytest.raises(PermissionDenied):
        offline.offline_sample_sign_off(
            expo=expo, by=stranger, population=[sale.pk], sampled=[sale.pk], note="x"
        )


def test_verifying_by_a_sample_signs_off_the_whole_set_in_the_audit_log(
    client, booth_a, seller, expo, organiser
):
    booth_a.products.update(stock=100)
    product = booth_a.products.order_by("pk").first()
    sales = [_record(booth_a, seller, (product, 1), receipt=f"R-{i}") for i in range(12)]
    sample = offline.offline_sample_draw(expo=expo)
    assert sample.population == sorted(s.pk for s in sales)
    assert len(sample.sampled) == offline.sample_size(12) == 5
    assert set(sample.sampled) <= set(sample.population)

    with pytest.raises(ValidationError, match="at least 5"):
        offline.offline_sample_sign_off(
            expo=expo,
            by=organiser,
            population=sample.population,
            sampled=sample.sampled[:2],
            note="checked",
        )
    with pytest.raises(ValidationError, match="must come from"):
        offline.offline_sample_sign_off(
            expo=expo,
            by=organiser,
            population=sample.population[:6],
            sampled=sample.population[6:11],
            note="checked",
        )
    assert not OfflineSale.objects.filter(verification__isnull=False).exists()

    client.force_login(organiser)
    url = reverse("manage:stand_sales", args=[expo.slug])
    drawn = client.get(url, {"sample": "1"})
    assert drawn.status_code == 200 and b'data-testid="sample"' in drawn.content
    done = client.post(
        url,
        {
            "population": sample.population,
            "checked": sample.sampled,
            "note": "Receipts against the cash book",
        },
    )
    assert done.status_code == 302
    assert OfflineSale.objects.filter(verification__isnull=True).count() == 0
    entry = AuditLogEntry.objects.get(action="payments.offline.sample_signed_off")
    assert entry.user == organiser
    assert entry.data["population"] == 12
    assert entry.data["sampled"] == sample.sampled
    split = reports.expo_dashboard(expo).split
    assert split.offline_verified == sum(s.total for s in sales)
    assert split.offline_unverified == 0


def test_only_the_expos_organisers_set_the_venue_and_its_stands(
    client, expo, stand, seller, make_organiser
):
    stranger = make_organiser(name="Another office")
    for who in (seller, stranger):
        with pytest.raises(PermissionDenied):
            stand_services.venue_save(expo=expo, by=who, name="Elsewhere")
        with pytest.raises(PermissionDenied):
            stand_services.stands_add(venue=stand.venue, by=who, count=1)
        with pytest.raises(PermissionDenied):
            stand_services.stand_assign(stand=stand, by=who, booth=None)
        client.force_login(who)
        assert client.get(reverse("manage:stands", args=[expo.slug])).status_code == 403
        assert client.get(reverse("manage:stand_sales", args=[expo.slug])).status_code == 403
    stand.refresh_from_db()
    assert stand.booth is not None and stand.venue.name == "PRPP Semarang"
    assert Stand.objects.count() == 2


def test_the_workspace_marks_only_the_stand_tab_as_the_current_page(client, stand, booth_a, seller):
    """The orders tab marked every payments page but a few as current, the stand page too."""
    import re

    client.force_login(seller)
    slug = booth_a.vendor.slug
    stand_page = client.get(reverse("payments:vendor_stand", args=[slug])).content.decode()
    orders_page = client.get(reverse("payments:vendor_orders", args=[slug])).content.decode()

    def current(page: str) -> list[str]:
        return re.findall(r'aria-current="page" data-testid="(nav-[a-z]+)"', page)

    assert current(stand_page) == ["nav-stand"]
    assert current(orders_page) == ["nav-orders"]
