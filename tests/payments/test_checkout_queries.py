"""The checkout under a rush costs a fixed number of queries: placing an order, the answer that
says "sold out", and the checkout page cost the same whatever the number of lines and booths in
the cart (bench/checkout.py measures the time; these pin the work). The transfer's e-mail and the
organisers' bell are the worker's job, not the request's: its task is recorded here, not run."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from booths.models import Product
from events.models import Notification
from payments import services, tasks
from payments.models import Order, OrderLine, OrderPart
from tests.payments.test_views import CHECKOUT, add

pytestmark = pytest.mark.django_db


def placing() -> int:
    """Session, expo, cart, the cart's lines, shipping rates (the plan the page shows and the
    order is placed from, made once); the transaction
    (a savepoint in a test) with the order (in a savepoint of its own, for another number when
    one is taken), its parts, its lines, the payment, the cart emptied, the audit entry, the
    lock timeout (PostgreSQL only), the products locked and their stock taken; then the cart's
    count and the session saved (in a savepoint)."""
    return 21 + (connection.vendor == "postgresql")


@pytest.fixture
def announced(monkeypatch):
    """The orders whose e-mail and bell were handed to the worker."""
    orders: list[int] = []
    monkeypatch.setattr(tasks, "announce_transfer_awaited", orders.append)
    return orders


def _booths(make_booth, expo, regions, count, per_booth):
    return [
        make_booth(expo, region=regions[0], prices=tuple(10_000 + i for i in range(per_booth)))
        for _i in range(count)
    ]


def _buyer(booths) -> Client:
    client = Client()
    for booth in booths:
        for product in booth.products.order_by("pk"):
            add(client, product, 1)
    return client


def _post(client, expo):
    """The checkout POST of a buyer who opened the page; the answer and its queries."""
    page = client.get(reverse("payments:checkout", args=[expo.slug]))
    assert page.status_code == 200
    data = {**CHECKOUT, "expected_subtotal": page.context["subtotal"]}
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("payments:checkout", args=[expo.slug]), data)
    return response, [q["sql"] for q in queries.captured_queries]


def _listing(queries: list[str]) -> str:
    return "\n".join(sql[:150] for sql in queries)


def test_placing_an_order_costs_the_same_queries_for_one_line_or_nine(
    expo, make_booth, regions, announced
):
    one = _buyer(_booths(make_booth, expo, regions, 1, 1))
    nine = _buyer(_booths(make_booth, expo, regions, 3, 3))
    answer_one, queries_one = _post(one, expo)
    answer_nine, queries_nine = _post(nine, expo)
    assert answer_one.status_code == answer_nine.status_code == 302
    assert OrderLine.objects.count() == 1 + 9 and OrderPart.objects.count() == 1 + 3
    assert len(queries_one) == len(queries_nine) == placing(), _listing(queries_nine)
    # Nothing of the e-mail or the bell in the request: the worker has the two orders.
    assert announced == list(Order.objects.order_by("pk").values_list("pk", flat=True))
    assert not mail.outbox and not Notification.objects.exists()


def test_the_sold_out_answer_costs_the_same_queries_for_one_line_or_nine(
    expo, make_booth, regions, announced
):
    small = _booths(make_booth, expo, regions, 1, 1)
    large = _booths(make_booth, expo, regions, 3, 3)
    one, nine = _buyer(small), _buyer(large)
    # Another buyer took the last of a product in each cart after the pages were filled.
    for booth in (small[0], large[2]):
        Product.objects.filter(pk=booth.products.order_by("pk").last().pk).update(stock=0)
    answer_one, queries_one = _post(one, expo)
    answer_nine, queries_nine = _post(nine, expo)
    for answer in (answer_one, answer_nine):
        assert answer.status_code == 200 and "is sold out" in answer.content.decode()
    assert len(queries_one) == len(queries_nine), _listing(queries_nine)
    # The page shown again is the plan the order was refused on: the cart's lines read once.
    for queries in (queries_one, queries_nine):
        reads = [q for q in queries if q.startswith("SELECT") and 'FROM "payments_cartitem"' in q]
        assert len(reads) == 1, _listing(queries)
    assert not Order.objects.exists() and not announced


def test_the_checkout_page_costs_the_same_queries_for_one_line_or_nine(
    expo, make_booth, regions, django_assert_num_queries
):
    one = _buyer(_booths(make_booth, expo, regions, 1, 1))
    nine = _buyer(_booths(make_booth, expo, regions, 3, 3))
    url = reverse("payments:checkout", args=[expo.slug])
    with CaptureQueriesContext(connection) as first:
        assert one.get(url).status_code == 200
    with django_assert_num_queries(len(first.captured_queries)):
        assert nine.get(url).status_code == 200


def test_the_worker_sends_the_transfer_mail_and_rings_the_organisers(
    expo, make_booth, regions, announced, django_capture_on_commit_callbacks
):
    buyer = _buyer(_booths(make_booth, expo, regions, 2, 2))
    answer, _queries = _post(buyer, expo)
    assert answer.status_code == 302
    (order_id,) = announced
    with django_capture_on_commit_callbacks(execute=True):
        services.transfer_awaited_announce(order_id=order_id)  # what the task runs
    order = Order.objects.get(pk=order_id)
    (message,) = mail.outbox
    assert order.code in message.subject and "Bank Jateng" in message.body
    assert Notification.objects.filter(user=expo.organiser, subject=f"order:{order.pk}").exists()


def test_viewing_the_cart_again_writes_no_session(expo, make_booth, regions):
    """The header's count is kept in the session when it changes, not rewritten on every view."""
    buyer = _buyer(_booths(make_booth, expo, regions, 1, 2))
    assert buyer.get(reverse("payments:cart")).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        page = buyer.get(reverse("payments:cart"))
    assert page.status_code == 200 and page.context["cart_count"] == 2
    writes = [q["sql"] for q in queries.captured_queries if "django_session" in q["sql"]]
    assert not [sql for sql in writes if not sql.startswith("SELECT")], writes


def test_adding_to_the_cart_reads_the_product_once(expo, make_booth, regions):
    (booth,) = _booths(make_booth, expo, regions, 1, 2)
    buyer = _buyer([booth])  # a cart, a session
    product = booth.products.order_by("pk").first()
    with CaptureQueriesContext(connection) as queries:
        add(buyer, product, 1)
    reads = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("SELECT") and 'FROM "booths_product"' in q["sql"]
    ]
    assert len(reads) == 1, _listing(reads)
