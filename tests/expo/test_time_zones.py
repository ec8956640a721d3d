"""Every page with a time shows the visitor's time zone and names it.

The zone is the account's, else the one the page's script reported in the ``umkm_tz`` cookie, else
Asia/Jakarta. These tests send the cookie exactly as a browser does: the raw header
``umkm_tz=Asia/Tokyo`` that the script writes now, and ``umkm_tz=Asia%2FTokyo`` that an earlier
script wrote (URL-encoded) and that browsers keep for a year. (Setting ``client.cookies[...]`` to
"Asia/Tokyo" does not do that: the test client quotes the value and Django unquotes it, so a test
written that way passed while every browser got Asia/Jakarta.)
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import timezone

from events import notifications
from events.models import LiveSession, SessionReminder
from expo.models import User
from payments import services as payments
from payments.models import Cart, CollectingAccount

pytestmark = pytest.mark.django_db

TOKYO = "Asia/Tokyo"
PASSWORD = "Batik-Solo-2024!"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def browser_cookie(client, value: str) -> dict[str, str]:
    """The Cookie header as a browser sends it, the zone's value exactly as stored (unquoted),
    beside the client's other cookies (its session)."""
    others = [f"{key}={morsel.coded_value}" for key, morsel in client.cookies.items()]
    return {"HTTP_COOKIE": "; ".join([*others, f"umkm_tz={value}"])}


def tokyo_clock(moment) -> str:
    return timezone.localtime(moment, timezone.get_fixed_timezone(9 * 60)).strftime("%H:%M")


def jakarta_clock(moment) -> str:
    return timezone.localtime(moment, timezone.get_fixed_timezone(7 * 60)).strftime("%H:%M")


# --- The cookie ------------------------------------------------------------------------------


@pytest.mark.parametrize("stored", ["Asia/Tokyo", "Asia%2FTokyo"])
def test_the_zone_the_browser_reported_is_the_pages_zone(client, stored):
    page = client.get("/", **browser_cookie(client, stored)).content.decode()

    assert "Times are shown in Asia/Tokyo." in page
    assert '<meta name="time-zone" content="Asia/Tokyo" data-follow>' in page


@pytest.mark.parametrize(
    "stored",
    ["Not/AZone", "..%2F..%2Fetc%2Fpasswd", "/etc/passwd", "Asia%252FTokyo", "%E0%A4%A", ""],
)
def test_an_unknown_or_malformed_zone_is_ignored(client, stored):
    page = client.get("/", **browser_cookie(client, stored)).content.decode()

    assert "Times are shown in Asia/Jakarta." in page
    from expo.middleware import zone_from_cookie

    assert zone_from_cookie(stored) is None


def test_sign_up_saves_the_zone_the_browser_reported(client):
    client.post(
        "/accounts/signup/",
        {
            "name": "Haruka Sato",
            "country": "JP",
            "email": "haruka@example.jp",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
        **browser_cookie(client, "Asia%2FTokyo"),
    )

    assert User.objects.get(email="haruka@example.jp").time_zone == TOKYO


def test_the_account_zone_wins_over_the_browsers(client, make_user):
    client.force_login(make_user(time_zone="Europe/Berlin"))

    page = client.get("/", **browser_cookie(client, TOKYO)).content.decode()

    assert "Times are shown in Europe/Berlin." in page
    # The page's times do not follow the browser: the account chose its zone.
    assert '<meta name="time-zone" content="Europe/Berlin">' in page


def test_a_page_without_an_account_zone_tells_its_script_to_follow_the_browser(client):
    page = client.get("/").content.decode()

    assert '<meta name="time-zone" content="Asia/Jakarta" data-follow>' in page


# --- Pages with a time -----------------------------------------------------------------------


@pytest.fixture
def session(make_expo, make_booth):
    booth = make_booth(make_expo("open"), name="Kopi Gunung")
    starts = timezone.now().replace(microsecond=0) + timedelta(days=1)
    return LiveSession.objects.create(
        booth=booth,
        title_en="Roasting demo",
        title_id="Demo sangrai",
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        stream_url="https://zoom.us/j/123456789",
    )


def test_the_agenda_shows_and_names_the_visitors_zone(client, session):
    expo = session.booth.expo

    page = client.get(
        f"/expos/{expo.slug}/agenda/", **browser_cookie(client, "Asia%2FTokyo")
    ).content.decode()

    assert "Times are in your time zone, Asia/Tokyo." in page
    assert f">{tokyo_clock(session.starts_at)}</time>" in page
    assert f"– {tokyo_clock(session.ends_at)} JST" in page
    assert jakarta_clock(session.starts_at) not in page


def test_the_session_page_shows_the_visitors_zone(client, session):
    expo = session.booth.expo

    page = client.get(
        f"/expos/{expo.slug}/sessions/{session.pk}/", **browser_cookie(client, "Asia%2FTokyo")
    ).content.decode()

    assert f"{tokyo_clock(session.starts_at)}</time>–{tokyo_clock(session.ends_at)} JST" in page


def test_the_hall_countdown_names_the_opening_in_the_visitors_zone(client, make_expo, make_booth):
    expo = make_expo("published")
    make_booth(expo)

    page = client.get(
        f"/expos/{expo.slug}/", **browser_cookie(client, "Asia%2FTokyo")
    ).content.decode()

    assert 'data-testid="countdown"' in page
    assert f"{tokyo_clock(expo.opens_at)} JST</time>" in page


def test_the_transfer_deadline_is_in_the_buyers_zone(
    client, make_user, make_expo, make_booth, django_capture_on_commit_callbacks
):
    expo = make_expo("open")
    CollectingAccount.objects.create(
        expo=expo, bank_name="Bank Jateng", account_number="2-034", account_holder="Dinkop"
    )
    product = make_booth(expo).products.first()
    buyer = make_user(name="Haruka Sato", time_zone=TOKYO, country="JP")
    cart = Cart.objects.create(user=buyer)
    payments.cart_add(cart=cart, product=product, quantity=product.min_order)
    with django_capture_on_commit_callbacks(execute=True):
        order = payments.order_place(
            cart=cart,
            expo=expo,
            details=payments.BuyerDetails(
                email=buyer.email,
                name="Haruka Sato",
                phone="+81 3 1234 5678",
                address="1-1 Marunouchi",
                city="Tokyo",
                region="Tokyo",
                postal_code="100-0005",
                country="JP",
            ),
            provider="manual",
            buyer=buyer,
        )
    client.force_login(buyer)

    # The browser is elsewhere today; the account's zone is what the buyer chose.
    page = client.get(
        f"/orders/{order.code}/", **browser_cookie(client, "Europe/Berlin")
    ).content.decode()

    deadline = timezone.localtime(order.reserved_until, timezone.get_fixed_timezone(9 * 60))
    assert f"{deadline:%H:%M} JST</strong>" in page
    # The e-mail says the same, in the account's zone, naming it.
    placed = next(m for m in mail.outbox if m.to == [buyer.email])
    assert f"{deadline:%H:%M} (Asia/Tokyo)" in placed.body


def test_a_session_reminder_is_in_the_recipients_zone(
    make_user, session, django_capture_on_commit_callbacks
):
    tokyo = make_user(name="Haruka", time_zone=TOKYO)
    SessionReminder.objects.create(session=session, user=tokyo)

    with django_capture_on_commit_callbacks(execute=True):
        sent = notifications.reminders_send_due(now=session.starts_at - timedelta(minutes=10))

    assert sent == 1
    assert f"{tokyo_clock(session.starts_at)} JST" in mail.outbox[-1].body
