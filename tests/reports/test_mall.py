"""The mall after the expo: after closing, a purchase lands in channel "mall"; the expo's own
omzet does not change; the expo's, the mall's and the total agree with the ledger in the
dashboard, the exports (CSV, XLSX) and the data API. The stage itself: only the expo's organisers,
a date after closing, the hall's banner, buying allowed, live chat closed and private questions
still open."""

from __future__ import annotations

import csv
import io
from datetime import UTC, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from booths.models import Product
from events import services as event_services
from events.models import Inquiry, LiveSession
from events.rooms import Room
from expo import services as expo_services
from expo import timebox
from expo.models import AuditLogEntry, Expo, ExpoState
from expo.refusals import Refused
from expo.reports import figures as reports
from expo.reports import services as report_services
from payments import services
from payments.models import Cart, CollectingAccount, SalesLedgerEntry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _payment_settings(settings):
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_PUBLISHABLE_KEY = ""


@pytest.fixture
def account(expo):
    return CollectingAccount.objects.create(
        expo=expo, bank_name="Bank Jateng", account_number="2-034", account_holder="Dinkop"
    )


def _details(**extra) -> services.BuyerDetails:
    values = {
        "email": "ayu@example.com",
        "name": "Ayu",
        "phone": "0812",
        "address": "Jl. Pemuda 12",
        "city": "Semarang",
        "region": "Jawa Tengah",
        "postal_code": "50132",
        "country": "ID",
    }
    values.update(extra)
    return services.BuyerDetails(**values)


def _buy_and_pay(product: Product, quantity: int, organiser, **details):
    cart = Cart.objects.create()
    services.cart_add(cart=cart, product=product, quantity=quantity)
    order = services.order_place(
        cart=cart,
        expo=product.booth.expo,
        details=_details(**details),
        provider="manual",
        buyer=None,
    )
    services.transfer_confirm(payment=order.payments.get(), by=organiser)
    order.refresh_from_db()
    return order


def _into_mall(expo: Expo, *, days: int = 14) -> Expo:
    """Closed an hour ago, its catalogue open as a mall for ``days`` more days."""
    now = timezone.now()
    Expo.objects.filter(pk=expo.pk).update(
        opens_at=now - timedelta(days=3),
        closes_at=now - timedelta(hours=1),
        mall_until=now + timedelta(days=days),
    )
    expo.refresh_from_db()
    return expo


def _ledger(expo, **filters) -> int:
    return (
        SalesLedgerEntry.objects.filter(expo=expo, **filters).aggregate(s=Sum("amount"))["s"] or 0
    )


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _figure(rows: list[list[str]], label_start: str) -> int:
    found = [r for r in rows if r and r[0].startswith(label_start)]
    assert len(found) == 1, (label_start, rows)
    return int(found[0][1])


def test_after_closing_a_purchase_lands_in_the_mall_and_the_expo_omzet_stays(
    client, expo, booths, organiser, account
):
    first, second = booths[0].products.order_by("pk")[:1].get(), booths[1].products.first()
    during = _buy_and_pay(first, 2, organiser)
    assert during.channel == "direct"
    board = reports.expo_dashboard(expo)
    expo_omzet = board.totals.omzet
    assert expo_omzet == _ledger(expo) == during.subtotal

    _into_mall(expo)
    assert expo.state == ExpoState.MALL
    after = _buy_and_pay(second, 1, organiser, email="budi@example.com", country="MY")
    assert after.channel == "mall"
    assert set(SalesLedgerEntry.objects.filter(order=after).values_list("channel", flat=True)) == {
        "mall"
    }
    mall = _ledger(expo, channel="mall")
    own = _ledger(expo) - mall
    assert mall == after.subtotal > 0
    assert own == expo_omzet

    # The dashboard: the expo's own figures unchanged, the mall apart, the total beside them.
    board = reports.expo_dashboard(expo)
    assert board.totals.omzet == expo_omzet
    assert board.totals.transactions == 1
    assert sum(row.omzet for row in board.by_booth) == expo_omzet  # no booth carries the mall
    assert sum(row.omzet for row in board.by_country) == expo_omzet
    assert board.split.expo.omzet == own
    assert board.split.mall.omzet == mall
    assert board.split.total == own + mall == _ledger(expo)
    assert {row.key: row.omzet for row in board.by_channel} == {"direct": own, "mall": mall}
    assert reports.headline(expo)["omzet"] == expo_omzet  # the live ticker: the expo's own

    client.force_login(organiser)
    page = client.get(reverse("manage:reports:dashboard", args=[expo.slug]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="split-mall"' in html
    assert f'data-value="{mall}"' in html and f'data-value="{own + mall}"' in html

    # The exports: the summary's figures and the channel table.
    summary = _csv(client.get(reverse("manage:reports:export", args=[expo.slug, "summary", "csv"])))
    assert _figure(summary, "Omzet (Rp)") == own
    assert _figure(summary, "Mall after the expo") == mall
    assert _figure(summary, "Total: expo and mall") == own + mall
    channels = _csv(
        client.get(reverse("manage:reports:export", args=[expo.slug, "channels", "csv"]))
    )
    by_label = {row[0]: int(row[2]) for row in channels[1:]}
    assert by_label == {"Direct": own, "Mall": mall}
    book = load_workbook(
        io.BytesIO(
            client.get(reverse("manage:reports:export", args=[expo.slug, "all", "xlsx"])).content
        ),
        read_only=True,
    )
    cells = {row[0]: row[1] for row in book.worksheets[0].iter_rows(values_only=True) if row}
    assert cells["Omzet (Rp)"] == own
    assert cells["Total: expo and mall (Rp)"] == own + mall

    # The data API.
    _token, raw = report_services.api_token_create(office=expo.office, name="BPS", by=organiser)
    client.logout()
    answer = client.get(
        reverse("api:expo_omzet", args=[expo.slug]), HTTP_AUTHORIZATION=f"Bearer {raw}"
    ).json()
    assert answer["totals"]["omzet"] == own
    assert answer["channels"]["expo_omzet"] == own
    assert answer["channels"]["mall_omzet"] == mall
    assert answer["channels"]["total"] == _ledger(expo)
    assert answer["expo"]["state"] == "mall"
    listed = client.get(reverse("api:expos"), HTTP_AUTHORIZATION=f"Bearer {raw}").json()
    row = next(item for item in listed["results"] if item["slug"] == expo.slug)
    assert (row["omzet"], row["mall_omzet"], row["total"]) == (own, mall, own + mall)

    # The office's expos side by side.
    (summary,) = reports.office_comparison([expo])
    assert (summary.omzet, summary.mall_omzet, summary.total) == (own, mall, own + mall)
    assert summary.transactions == 1
    # Each vendor's own figures: its booth's omzet at the expo, its mall's apart.
    mine = {f.expo.pk: f for f in reports.vendor_figures(booths[1].vendor)}[expo.pk]
    assert (mine.omzet, mine.mall_omzet) == (0, mall)


def test_the_mall_stage_needs_a_later_date_and_an_organiser_of_the_office(
    expo, organiser, make_organiser, buyer
):
    later = expo.closes_at + timedelta(days=30)
    with pytest.raises(PermissionDenied):
        expo_services.expo_set_mall(expo=expo, by=buyer, until=later)
    stranger = make_organiser(name="Other office")
    with pytest.raises(PermissionDenied):
        expo_services.expo_set_mall(expo=expo, by=stranger, until=later)
    with pytest.raises(timebox.StageRefused):
        expo_services.expo_set_mall(expo=expo, by=organiser, until=expo.closes_at)
    expo.refresh_from_db()
    assert expo.mall_until is None  # refused: nothing changed

    expo_services.expo_set_mall(expo=expo, by=organiser, until=later)
    expo.refresh_from_db()
    assert expo.mall_until == later
    assert AuditLogEntry.objects.filter(action="expo.expo.mall_opened", expo=expo).exists()
    with pytest.raises(timebox.StageRefused):  # only a running mall can be closed now
        expo_services.expo_set_mall(expo=expo, by=organiser, until=None)

    _into_mall(expo)
    expo_services.expo_set_mall(expo=expo, by=organiser, until=None)
    expo.refresh_from_db()
    assert expo.state == ExpoState.CLOSED
    assert not timebox.allows(expo, timebox.Action.BUY)


def test_the_mall_page_asks_to_confirm_before_it_sets_the_date(client, expo, organiser):
    client.force_login(organiser)
    url = reverse("manage:expo_mall", args=[expo.slug])
    assert client.get(url).status_code == 200
    until = (expo.closes_at + timedelta(days=20)).astimezone(timezone.get_fixed_timezone(420))
    value = until.strftime("%Y-%m-%dT%H:%M")
    asked = client.post(url, {"until": value})
    assert asked.status_code == 200 and b'data-testid="mall-confirm"' in asked.content
    expo.refresh_from_db()
    assert expo.mall_until is None
    done = client.post(url, {"until": value, "confirmed": "1"})
    assert done.status_code == 302
    expo.refresh_from_db()
    assert expo.mall_until is not None and expo.mall_until.strftime("%Y-%m-%dT%H:%M") == (
        until.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")
    )
    bad = client.post(url, {"until": "2000-01-01T10:00", "confirmed": "1"})
    assert bad.status_code == 400
    expo.refresh_from_db()
    assert expo.mall_until.year != 2000


def test_in_the_mall_the_hall_says_so_chat_is_closed_and_questions_are_open(
    client, expo, booths, make_user
):
    _into_mall(expo)
    page = client.get(reverse("booths:booth", args=[expo.slug, booths[0].slug]))
    html = page.content.decode()
    assert 'data-testid="mall-banner"' in html
    assert expo.mall_until.isoformat().replace("+00:00", "Z")[:16] in html or "datetime=" in html
    product = booths[0].products.first()
    product_page = client.get(
        reverse("booths:product", args=[expo.slug, booths[0].slug, product.slug])
    )
    assert b'data-testid="buy-box"' in product_page.content

    buyer = make_user(email="tanya@example.com")
    with pytest.raises(Refused):
        event_services.message_send(room=Room("booth", booths[0].pk), body="Halo", by=buyer)
    client.force_login(buyer)
    ask = reverse("events:ask", args=[expo.slug, booths[0].slug])
    assert b"<textarea" in client.get(ask).content  # the question form, not a closed notice
    asked = client.post(ask, {"body": "Masih ada stok?"})
    assert asked.status_code == 302
    inquiry = Inquiry.objects.get(booth=booths[0], buyer=buyer)
    thread = event_services.message_send(
        room=Room("inquiry", inquiry.pk), body="Kirim ke Osaka?", by=buyer
    )
    assert thread.pk is not None


def test_in_the_mall_a_session_shows_its_replay_and_its_vendor_may_still_set_one(
    client, expo, booths, make_vendor_user
):
    start = timezone.now() - timedelta(days=2)
    session = LiveSession.objects.create(
        booth=booths[0],
        title_en="Batik demo",
        title_id="Demo batik",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        stream_url="https://youtu.be/dQw4w9WgXcQ",
    )
    _into_mall(expo)
    vendor = make_vendor_user(booths[0])
    event_services.session_update(
        session=session, by=vendor, replay_url="https://youtu.be/aqz-KE-bpKQ", title_en="Changed"
    )
    session.refresh_from_db()
    assert session.replay_url == "https://youtu.be/aqz-KE-bpKQ"
    assert session.title_en == "Batik demo"  # after closing only the replay link changes
    page = client.get(reverse("events:session", args=[expo.slug, session.pk]))
    assert page.status_code == 200
    assert b"aqz-KE-bpKQ" in page.content  # the replay, embedded or linked
