"""The bell: notifications per person, what rings it, the header's count (one query, no write per
page), the notifications page, and the ``user:<id>`` room through the real ASGI application (a paid
order reaches the vendor's members' sockets, and nobody else's)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.db import connection
from django.template import RequestContext, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from booths import services as booth_services
from booths.models import BoothApplication, VendorMembership
from events import rooms, services
from events.bell import selectors as bell_selectors
from events.bell import services as bell
from events.bell import sources
from events.models import LiveSession, Notification, SessionReminder
from events.notifications import reminders_send_due
from expo import permissions
from expo.banners import services as banner_services
from expo.banners.models import BannerCampaign, BannerSlot
from expo.refusals import Refused
from payments import services as pay
from payments.models import Cart, CollectingAccount, Order

Kind = Notification.Kind


# --- Builders ------------------------------------------------------------------------------------


def _member(make_user, booth, **extra):
    user = make_user(**extra)
    VendorMembership.objects.create(vendor=booth.vendor, user=user)
    permissions.forget(user)
    return user


def _details(**extra) -> pay.BuyerDetails:
    values = {
        "email": "ayu@example.com",
        "name": "Ayu Lestari",
        "phone": "+62 812 3456 7890",
        "address": "Jl. Pemuda 12",
        "city": "Semarang",
        "region": "Jawa Tengah",
        "postal_code": "50132",
        "country": "ID",
        "language": "en",
    }
    values.update(extra)
    return pay.BuyerDetails(**values)


def _place(*booths, buyer=None) -> Order:
    """An order by bank transfer of one product of each booth."""
    expo = booths[0].expo
    CollectingAccount.objects.get_or_create(
        expo=expo,
        defaults={
            "bank_name": "Bank Jateng",
            "account_number": "2-034",
            "account_holder": "Dinkop",
        },
    )
    cart = Cart.objects.create(user=buyer)
    for booth in booths:
        pay.cart_add(cart=cart, product=booth.products.order_by("pk").first(), quantity=1)
    return pay.order_place(cart=cart, expo=expo, details=_details(), provider="manual", buyer=buyer)


def _confirm(order: Order, organiser) -> None:
    pay.transfer_confirm(payment=order.payments.get(), by=organiser)


@pytest.fixture
def shop(db, make_expo, make_booth, make_organiser, make_user):
    """An open expo, two booths with a member each, an organiser of the office and a buyer."""
    organiser = make_organiser(name="Sri Organiser")
    expo = make_expo("open", office=organiser.offices.get())
    batik = make_booth(expo, name="Batik Sekar", prices=(150_000,))
    coffee = make_booth(expo, name="Kopi Gunung", prices=(55_000,))
    return {
        "expo": expo,
        "organiser": organiser,
        "batik": batik,
        "coffee": coffee,
        "batik_member": _member(make_user, batik, name="Budi Batik"),
        "coffee_member": _member(make_user, coffee, name="Citra Kopi"),
        "buyer": make_user(name="Ayu Buyer"),
    }


def _of(user, kind=None) -> list[Notification]:
    rows = Notification.objects.filter(user=user)
    if kind is not None:
        rows = rows.filter(kind=kind)
    return list(rows.order_by("id"))


# --- The services --------------------------------------------------------------------------------


def test_a_second_ring_about_the_same_subject_updates_the_unread_one(make_user):
    ayu = make_user()
    first = bell.notification_send(
        users=[ayu.pk, ayu.pk, None],
        kind=Kind.QUESTION,
        subject="inquiry:40",
        url="/a/",
        params={"booth": "Batik Sekar", "detail": "Halo"},
        counted=True,
    )
    again = bell.notification_send(
        users=[ayu.pk],
        kind=Kind.QUESTION,
        subject="inquiry:40",
        url="/b/",
        params={"booth": "Batik Sekar", "detail": "Ada ukuran L?"},
        counted=True,
    )
    assert len(first) == 1 and again[0].pk == first[0].pk
    row = Notification.objects.get()
    assert row.params["count"] == 2 and row.params["detail"] == "Ada ukuran L?"
    assert row.url == "/b/" and row.updated_at >= row.created_at
    with translation.override("en"):
        assert bell_selectors.item(row)["text"]["en"] == "2 new messages for Batik Sekar"

    # Once read, the next message rings anew.
    bell.notification_read(notification_id=row.pk, by=ayu)
    bell.notification_send(
        users=[ayu.pk], kind=Kind.QUESTION, subject="inquiry:40", url="/c/", counted=True
    )
    assert Notification.objects.count() == 2
    assert bell_selectors.unread_count(user_id=ayu.pk) == 1


def test_a_ring_needs_a_known_kind_a_subject_and_a_link(make_user):
    ayu = make_user()
    with pytest.raises(ValueError):
        bell.notification_send(users=[ayu.pk], kind="party", subject="x:1", url="/")
    with pytest.raises(ValueError):
        bell.notification_send(users=[ayu.pk], kind=Kind.ORDER_PAID, subject="", url="/")
    assert not Notification.objects.exists()


def test_read_state_is_per_person_and_nobody_reads_anothers(make_user):
    ayu, budi = make_user(), make_user()
    rows = bell.notification_send(
        users=[ayu.pk, budi.pk], kind=Kind.TRANSFER, subject="order:1", url="/t/"
    )
    mine = next(r for r in rows if r.user_id == ayu.pk)
    theirs = next(r for r in rows if r.user_id == budi.pk)

    with pytest.raises(Refused) as refused:
        bell.notification_read(notification_id=theirs.pk, by=ayu)
    assert refused.value.code == "not_found"
    with pytest.raises(Refused):
        bell.notification_read(notification_id="1; DROP TABLE", by=ayu)
    bell.notification_read(notification_id=mine.pk, by=ayu)
    bell.notification_read(notification_id=mine.pk, by=ayu)  # again: nothing changes

    assert bell_selectors.unread_count(user_id=ayu.pk) == 0
    assert bell_selectors.unread_count(user_id=budi.pk) == 1

    bell.notification_send(users=[ayu.pk], kind=Kind.ORDER_PAID, subject="order:2", url="/o/")
    assert bell.notifications_read_all(by=ayu) == 1
    assert bell_selectors.unread_count(user_id=budi.pk) == 1  # all of *mine*


def test_notifications_read_long_ago_are_forgotten(make_user):
    ayu = make_user()
    old, recent, unread = (
        bell.notification_send(users=[ayu.pk], kind=Kind.ORDER_PAID, subject=f"order:{n}", url="/")[
            0
        ]
        for n in (1, 2, 3)
    )
    now = timezone.now()
    Notification.objects.filter(pk=old.pk).update(read_at=now - timedelta(days=181))
    Notification.objects.filter(pk=recent.pk).update(read_at=now - timedelta(days=179))
    assert bell.notifications_prune(now=now) == 1
    assert set(Notification.objects.values_list("pk", flat=True)) == {recent.pk, unread.pk}


def test_signed_out_visitors_have_no_notifications(make_user):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(Refused) as refused:
        bell.notifications_read_all(by=AnonymousUser())
    assert refused.value.code == "login_required"


# --- What rings it -------------------------------------------------------------------------------


def test_a_paid_order_rings_the_buyer_and_each_vendors_members(shop):
    order = _place(shop["batik"], shop["coffee"], buyer=shop["buyer"])
    # A bank transfer waits: the office's organisers are told, with the transfers page.
    (transfer,) = _of(shop["organiser"], Kind.TRANSFER)
    assert transfer.url == reverse("payments:manage_transfers", args=[shop["expo"].slug])
    assert transfer.params == {"code": order.code, "detail": "Rp 205.000"}
    assert not _of(shop["batik_member"]) and not _of(shop["buyer"])

    _confirm(order, shop["organiser"])

    (paid,) = _of(shop["buyer"], Kind.ORDER_PAID)
    assert paid.url == reverse("payments:order", args=[order.code])
    for member, booth in (
        (shop["batik_member"], shop["batik"]),
        (shop["coffee_member"], shop["coffee"]),
    ):
        (sold,) = _of(member)
        part = order.parts.get(booth=booth)
        assert sold.kind == Kind.ORDER_SOLD and sold.subject == f"part:{part.pk}"
        assert sold.url == reverse(
            "payments:vendor_order", kwargs={"vendor_slug": booth.vendor.slug, "part_id": part.pk}
        )
        with translation.override("en"):
            assert (
                bell_selectors.item(sold)["text"]["en"]
                == f"New paid order {order.code}: please ship"
            )
    # Confirmed: the transfer no longer waits for anybody.
    transfer.refresh_from_db()
    assert transfer.read_at is not None


def test_packed_and_shipped_ring_the_buyer(shop):
    order = _place(shop["batik"], buyer=shop["buyer"])
    _confirm(order, shop["organiser"])
    part = order.parts.get()
    pay.part_mark_packed(part=part, by=shop["batik_member"])
    pay.part_mark_shipped(
        part=part, courier="jne", tracking_number="JNE0123", by=shop["batik_member"]
    )
    packed, shipped = _of(shop["buyer"], Kind.ORDER_PACKED), _of(shop["buyer"], Kind.ORDER_SHIPPED)
    assert len(packed) == len(shipped) == 1
    assert shipped[0].params["detail"] == "JNE · JNE0123"
    assert shipped[0].url == reverse("payments:order", args=[order.code])
    with translation.override("id"):
        text = bell_selectors.item(packed[0])["text"]
    assert text["en"] == f"Order {order.code}: Batik Sekar packed your items"
    assert text["id"] == f"Pesanan {order.code}: Batik Sekar telah mengemas barang Anda"


def test_a_guest_order_rings_nobody_but_the_vendor(shop):
    order = _place(shop["batik"])  # no account
    _confirm(order, shop["organiser"])
    assert Notification.objects.filter(kind=Kind.ORDER_PAID).count() == 0
    assert len(_of(shop["batik_member"], Kind.ORDER_SOLD)) == 1


def test_a_failing_bell_never_fails_the_payment(shop, monkeypatch):
    order = _place(shop["batik"], buyer=shop["buyer"])

    def broken(order):
        raise RuntimeError("bell out of order")

    monkeypatch.setitem(sources.SOURCES, "payments.order.paid", broken)
    _confirm(order, shop["organiser"])
    order.refresh_from_db()
    assert order.status == Order.Status.PAID


def test_an_application_decision_rings_the_vendors_members(
    shop, make_expo, make_user, regions, sectors
):
    expo = make_expo("accepting", office=shop["expo"].office)
    vendor = shop["batik"].vendor
    application = BoothApplication.objects.create(
        expo=expo, vendor=vendor, status=BoothApplication.Status.SUBMITTED
    )
    booth_services.application_request_changes(
        application=application, by=shop["organiser"], reason="Add the P-IRT number."
    )
    (note,) = _of(shop["batik_member"], Kind.APPLICATION)
    assert note.params["status"] == "changes_requested"
    assert note.params["detail"] == "Add the P-IRT number."
    assert note.url == reverse(
        "vendor:application", kwargs={"vendor_slug": vendor.slug, "expo_slug": expo.slug}
    )
    with translation.override("id"):
        assert bell_selectors.item(note)["text"]["id"] == (
            "Perlu perbaikan: pendaftaran Anda ke Expo UKM Virtual"
        )
    assert not _of(shop["coffee_member"])


def test_a_banner_decision_rings_the_vendors_members(shop):
    campaign = BannerCampaign.objects.create(
        expo=shop["expo"],
        slot=BannerSlot.objects.get(code=BannerSlot.Code.HALL_HERO),
        vendor=shop["coffee"].vendor,
        target=BannerCampaign.Target.BOOTH,
        booth=shop["coffee"],
        image_en="banners/roast.jpg",
        title_en="Fresh roast",
        title_id="Sangrai segar",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
        status=BannerCampaign.Status.REQUESTED,
    )
    banner_services.banner_reject(campaign=campaign, reason="Too blurry.", by=shop["organiser"])
    (note,) = _of(shop["coffee_member"], Kind.BANNER)
    assert note.params["status"] == "rejected" and note.params["detail"] == "Too blurry."
    assert note.url == reverse(
        "banners:vendor_banner",
        kwargs={"vendor_slug": shop["coffee"].vendor.slug, "campaign_id": campaign.pk},
    )
    assert bell_selectors.item(note)["text"]["en"] == "Your banner “Fresh roast” was rejected"


def test_an_inquiry_rings_the_other_side(shop, django_capture_on_commit_callbacks):
    booth, member, buyer = shop["batik"], shop["batik_member"], shop["buyer"]
    room = None

    def say(body, by):
        # The bell rings once the message is committed.
        with django_capture_on_commit_callbacks(execute=True):
            services.message_send(room=room, body=body, by=by)

    with django_capture_on_commit_callbacks(execute=True):
        inquiry = services.inquiry_open(booth=booth, by=buyer, body="Ada ukuran L?")
    room = rooms.Room("inquiry", inquiry.pk)
    say("Warna biru?", buyer)
    (question,) = _of(member, Kind.QUESTION)
    assert question.params["count"] == 2
    assert question.params["detail"] == "Ayu Buyer: Warna biru?"
    assert question.url == reverse("events:vendor_inquiry", args=[booth.vendor.slug, inquiry.pk])
    assert not _of(buyer)

    say("Ada, kak!", member)
    (answer,) = _of(buyer, Kind.ANSWER)
    assert answer.url == reverse("events:inquiry", args=[inquiry.pk])
    with translation.override("id"):
        assert bell_selectors.item(answer)["text"]["id"] == "Batik Sekar menjawab pertanyaan Anda"
    assert len(_of(member)) == 1  # one's own message rings nobody on one's side


def test_a_session_about_to_start_rings_who_asked_to_be_reminded(shop, make_user):
    now = timezone.now()
    session = LiveSession.objects.create(
        booth=shop["batik"],
        title_en="Batik dyeing live",
        title_id="Live membatik",
        starts_at=now + timedelta(minutes=10),
        ends_at=now + timedelta(minutes=70),
        created_by=shop["batik_member"],
    )
    someone_else = make_user()
    SessionReminder.objects.create(session=session, user=shop["buyer"])
    assert reminders_send_due(now=now) == 1
    (soon,) = _of(shop["buyer"], Kind.SESSION)
    assert soon.url == reverse("events:session", args=[shop["expo"].slug, session.pk])
    with translation.override("id"):
        assert bell_selectors.item(soon)["text"] == {
            "en": "Starting soon: Batik dyeing live",
            "id": "Segera dimulai: Live membatik",
        }
    assert not _of(someone_else)


# --- The header: one query, no write -------------------------------------------------------------


def test_the_headers_count_is_one_query_for_both_of_its_places(make_user):
    ayu = make_user()
    bell.notification_send(users=[ayu.pk], kind=Kind.ORDER_PAID, subject="order:1", url="/o/")
    request = RequestFactory().get("/")
    request.user = ayu
    request.session = {}
    permissions.user_roles(ayu)  # the role badge's memberships, read once per request anyway
    header = Template(
        '{% load places %}{% place "header_actions" extra_class="cart-link-bar" %}'
        '{% place "header_actions" %}'
    )
    with CaptureQueriesContext(connection) as captured:
        html = header.render(RequestContext(request, {}))
    assert len(captured.captured_queries) == 1, captured.captured_queries
    assert "events_notification" in captured.captured_queries[0]["sql"]
    assert html.count("data-bell-count") == 2 and html.count(">1</span>") >= 2


def test_a_page_view_counts_with_one_query_and_writes_nothing(
    client, make_user, django_assert_num_queries
):
    ayu = make_user()
    client.force_login(ayu)
    client.get(reverse("home"))  # the session is warm
    with CaptureQueriesContext(connection) as quiet:
        client.get(reverse("home"))
    bell.notification_send(users=[ayu.pk], kind=Kind.ORDER_PAID, subject="order:1", url="/o/")
    bell.notification_send(users=[ayu.pk], kind=Kind.ORDER_PAID, subject="order:2", url="/o/")
    with django_assert_num_queries(len(quiet.captured_queries)) as busy:
        html = client.get(reverse("home")).content.decode()
    counts = [q["sql"] for q in busy.captured_queries if "events_notification" in q["sql"]]
    assert len(counts) == 1 and "COUNT" in counts[0].upper()
    assert not [
        q["sql"]
        for q in busy.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert 'data-testid="bell-count"' in html and f'data-room="user:{ayu.pk}"' in html


def test_signed_out_visitors_see_no_bell(client, db):
    html = client.get(reverse("home")).content.decode()
    assert "data-bell" not in html


# --- The notifications page ----------------------------------------------------------------------


def test_the_page_lists_ones_own_notifications_and_marks_them_read(client, make_user):
    ayu, budi = make_user(name="Ayu"), make_user(name="Budi")
    mine = bell.notification_send(
        users=[ayu.pk],
        kind=Kind.ORDER_PAID,
        subject="order:7",
        url="/orders/UVX-7/",
        params={"code": "UVX-7"},
    )[0]
    theirs = bell.notification_send(
        users=[budi.pk],
        kind=Kind.ORDER_PAID,
        subject="order:8",
        url="/orders/UVX-8/",
        params={"code": "UVX-8"},
    )[0]
    url = reverse("events:notifications")
    assert client.get(url).status_code == 302  # log in first

    client.force_login(ayu)
    page = client.get(url).content.decode()
    assert "Order UVX-7: payment received" in page and 'href="/orders/UVX-7/"' in page
    assert "UVX-8" not in page

    # Another person's notification: not found, and nothing changes.
    response = client.post(reverse("events:notification_read", args=[theirs.pk]))
    assert response.status_code == 302
    response = client.post(
        reverse("events:notification_read", args=[theirs.pk]), HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 404 and response.json()["error"] == "not_found"
    theirs.refresh_from_db()
    assert theirs.read_at is None

    response = client.post(
        reverse("events:notification_read", args=[mine.pk]), {"next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response["Location"] == url
    mine.refresh_from_db()
    assert mine.read_at is not None

    bell.notification_send(users=[ayu.pk], kind=Kind.TRANSFER, subject="order:9", url="/t/")
    client.post(reverse("events:notifications_read_all"), {"next": "/"})
    assert bell_selectors.unread_count(user_id=ayu.pk) == 0
    assert bell_selectors.unread_count(user_id=budi.pk) == 1

    assert (
        client.get(url, {"unread": "1"}).content.decode().count('data-testid="notification"') == 0
    )


def test_reading_the_page_writes_nothing(client, make_user):
    ayu = make_user()
    bell.notification_send(users=[ayu.pk], kind=Kind.ORDER_PAID, subject="order:1", url="/o/")
    client.force_login(ayu)
    client.get(reverse("events:notifications"))
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("events:notifications")).status_code == 200
    assert not [
        q
        for q in captured.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE"))
    ]
    assert bell_selectors.unread_count(user_id=ayu.pk) == 1


# --- The socket ----------------------------------------------------------------------------------

pytestmark_socket = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def _socket_shop(make_expo, make_booth, make_organiser, make_user):
    organiser = make_organiser(name="Sri Organiser")
    expo = make_expo("open", office=organiser.offices.get())
    batik = make_booth(expo, name="Batik Sekar", prices=(150_000,))
    coffee = make_booth(expo, name="Kopi Gunung", prices=(55_000,))
    return {
        "organiser": organiser,
        "batik": batik,
        "batik_member": _member(make_user, batik, name="Budi Batik"),
        "coffee_member": _member(make_user, coffee, name="Citra Kopi"),
        "buyer": make_user(name="Ayu Buyer"),
    }


@pytestmark_socket
async def test_a_paid_order_rings_the_vendors_socket_and_no_other(
    transactional_db, connect, make_expo, make_booth, make_organiser, make_user
):
    shop = await _socket_shop(make_expo, make_booth, make_organiser, make_user)
    batik, coffee = await connect(shop["batik_member"]), await connect(shop["coffee_member"])
    batik_room = bell_selectors.room(shop["batik_member"].pk)
    coffee_room = bell_selectors.room(shop["coffee_member"].pk)
    await batik.join(batik_room)
    first = await batik.get("bell", room=batik_room)
    assert first["unread"] == 0 and first["recent"] == []
    await coffee.join(coffee_room)
    await coffee.get("bell", room=coffee_room)

    order = await database_sync_to_async(_place)(shop["batik"], buyer=shop["buyer"])
    await database_sync_to_async(_confirm)(order, shop["organiser"])

    rung = await batik.get("bell", room=batik_room)
    assert rung["unread"] == 1
    note = rung["notification"]
    part_id = await database_sync_to_async(lambda: order.parts.get().pk)()
    assert note["kind"] == "order_sold" and note["read"] is False
    assert note["url"] == f"/vendor/{shop['batik'].vendor.slug}/orders/{part_id}/"
    assert note["text"]["en"] == f"New paid order {order.code}: please ship"
    assert note["text"]["id"]  # every language, encoded once
    assert note["detail"] == "Rp 150.000"
    await coffee.silent(0.5)

    # Read in this tab: every tab of the person hears it.
    other_tab = await connect(shop["batik_member"])
    await other_tab.join(batik_room)
    assert (await other_tab.get("bell", room=batik_room))["recent"][0]["id"] == note["id"]
    await batik.send(type="bell_read", id=note["id"])
    read = await other_tab.get("bell", room=batik_room)
    assert read["unread"] == 0 and read["read"] == [note["id"]]


@pytestmark_socket
async def test_nobody_joins_or_reads_anothers_bell(transactional_db, connect, make_user):
    ayu, budi = await database_sync_to_async(make_user)(), await database_sync_to_async(make_user)()
    (theirs,) = await database_sync_to_async(bell.notification_send)(
        users=[budi.pk], kind=Kind.ORDER_PAID, subject="order:1", url="/o/"
    )
    socket, anonymous = await connect(ayu), await connect()

    await socket.send(type="join", room=bell_selectors.room(budi.pk))
    assert (await socket.get("error"))["code"] == "room_not_found"
    await anonymous.send(type="join", room=bell_selectors.room(budi.pk))
    assert (await anonymous.get("error"))["code"] == "room_not_found"

    await socket.send(type="bell_read", id=theirs.pk)
    assert (await socket.get("error"))["code"] == "not_found"
    await socket.send(type="bell_read", id="all")
    assert (await socket.get("error"))["code"] == "frame_invalid"
    await anonymous.send(type="bell_read", all=True)
    assert (await anonymous.get("error"))["code"] == "login_required"
    await socket.send(type="bell_read", all=True)  # all of *mine*: none
    await socket.silent(0.3, ignore=("presence", "bell"))

    unread = await database_sync_to_async(bell_selectors.unread_count)(user_id=budi.pk)
    assert unread == 1


@pytestmark_socket
async def test_a_new_question_reaches_the_vendors_inbox_room(
    transactional_db, connect, make_expo, make_booth, make_organiser, make_user
):
    shop = await _socket_shop(make_expo, make_booth, make_organiser, make_user)
    member = await connect(shop["batik_member"])
    inbox = rooms.inbox(shop["batik"].vendor_id)
    await member.join(inbox)
    await member.join(bell_selectors.room(shop["batik_member"].pk))
    await member.get("bell")

    inquiry = await database_sync_to_async(services.inquiry_open)(
        booth=shop["batik"], by=shop["buyer"], body="Ada ukuran L?"
    )
    frame = await member.get("inbox", room=inbox)
    assert frame["from"] == "buyer" and frame["preview"] == "Ada ukuran L?"
    rung = await member.get("bell")
    assert rung["notification"]["kind"] == "question" and rung["unread"] == 1

    # With the thread open the team reads it live: the bell does not ring again.
    thread = rooms.inquiry(inquiry.pk)
    await member.join(thread)
    await database_sync_to_async(services.message_send)(
        room=rooms.Room("inquiry", inquiry.pk), body="Warna biru?", by=shop["buyer"]
    )
    await member.get("message", room=thread)
    await member.silent(0.5, ignore=("presence", "inbox", "message"))
    (question,) = await database_sync_to_async(_of)(shop["batik_member"])
    assert "count" in question.params and question.params["count"] == 1
