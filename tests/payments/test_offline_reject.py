"""Rejecting a stand sale that does not check out (``offline_sale_reject``): the sale is reversed
in the append-only ledger (negative entries in the ``offline`` channel, so every omzet rollup and
the stand sales' counts still equal a recount), its stock goes back, it is marked rejected with
who, when and why, the audit log and the vendor's members are told (the bell, an e-mail). Only the
expo's organisers reject, with a reason; a verified or rejected sale is refused; a rejected sale
leaves the set a sample is drawn from and a sign-off skips it. On random histories (hypothesis) of
recording, verifying, rejecting and signing off, the counts, the rollups and the stock equal a
recount; on PostgreSQL a reject racing a verify of the same sale leaves exactly one of them."""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import close_old_connections, connection, transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from booths import catalogue
from booths.models import Product
from events.models import Notification
from expo.models import AuditLogEntry
from expo.reports import figures as reports
from payments.models import OfflineSale, Order, SalesLedgerEntry
from payments.services import offline
from tests.payments.test_offline_counts import counted, recounted
from tests.payments.test_omzet_rollups import assert_rollups_exact

pytestmark = pytest.mark.django_db


@pytest.fixture
def seller(booth_a, make_vendor_user):
    return make_vendor_user(booth_a, email="penjual@example.com")


def _record(booth, by, *lines, receipt="R-001"):
    return offline.offline_sale_record(
        booth=booth,
        by=by,
        lines=[offline.StandLine(product, qty) for product, qty in lines],
        payment_method="cash",
        receipt_number=receipt,
    )


def _ledger(**filters) -> int:
    return SalesLedgerEntry.objects.filter(**filters).aggregate(s=Sum("amount"))["s"] or 0


def _state(expo) -> tuple:
    """Everything a refused rejection must leave as it was."""
    return (
        list(SalesLedgerEntry.objects.order_by("pk").values_list("pk", "amount")),
        list(Product.objects.order_by("pk").values_list("pk", "stock")),
        list(
            OfflineSale.objects.order_by("pk").values_list(
                "pk", "verification_id", "rejected_at", "rejected_by", "rejection_reason"
            )
        ),
        list(Order.objects.order_by("pk").values_list("pk", "status", "stock")),
        counted(expo),
        AuditLogEntry.objects.filter(action="payments.offline.rejected").count(),
        Notification.objects.filter(kind=Notification.Kind.STAND_SALE).count(),
    )


# --- The service ----------------------------------------------------------------------------------


def test_a_rejected_sale_leaves_the_omzet_and_its_stock_comes_back(
    booth_a, seller, expo, organiser, mailoutbox, django_capture_on_commit_callbacks
):
    first, second = booth_a.products.order_by("pk")[:2]
    stock_before = {p.pk: p.stock for p in (first, second)}
    kept = _record(booth_a, seller, (first, 1), receipt="R-1")
    sale = _record(booth_a, seller, (first, 2), (second, 1), receipt="R-2")
    omzet_before = reports.expo_dashboard(expo).split.expo.omzet
    assert omzet_before == kept.total + sale.total
    version = catalogue.version(expo.pk)

    with django_capture_on_commit_callbacks(execute=True):
        offline.offline_sale_reject(sale=sale, by=organiser, reason="  No such receipt  ")

    sale.refresh_from_db()
    assert sale.is_rejected and not sale.is_verified and not sale.is_pending
    assert (sale.rejected_by, sale.rejection_reason) == (organiser, "No such receipt")
    # The ledger: the sale's entries kept, one reversal a line, in the offline channel.
    assert _ledger(order=sale.order) == 0
    reversals = SalesLedgerEntry.objects.filter(order=sale.order, kind="refund")
    assert reversals.count() == 2
    assert set(reversals.values_list("channel", flat=True)) == {"offline"}
    assert sum(reversals.values_list("quantity", flat=True)) == -3
    assert_rollups_exact()
    assert counted(expo) == recounted(expo) == (2, kept.total + sale.total, 0, 0, 1, sale.total)
    split = reports.expo_dashboard(expo).split
    assert split.expo.omzet == omzet_before - sale.total == _ledger(expo=expo)
    assert (split.offline_unverified, split.offline_unverified_count) == (kept.total, 1)
    # The stock back, the catalogue told, the order cancelled.
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.stock, second.stock) == (stock_before[first.pk] - 1, stock_before[second.pk])
    assert catalogue.version(expo.pk) != version
    order = Order.objects.get(pk=sale.order_id)
    assert (order.status, order.stock) == (Order.Status.CANCELLED, Order.Stock.RELEASED)
    # The audit log, the bell and an e-mail for the vendor's members.
    entry = AuditLogEntry.objects.get(action="payments.offline.rejected")
    assert entry.user == organiser
    assert entry.data["reason"] == "No such receipt" and entry.data["total"] == sale.total
    rung = Notification.objects.get(kind=Notification.Kind.STAND_SALE)
    assert rung.user == seller and rung.params["code"] == "R-2"
    assert rung.params["detail"] == "No such receipt"
    assert not Notification.objects.filter(
        kind=Notification.Kind.STAND_SALE, user=organiser
    ).exists()
    (mail,) = [m for m in mailoutbox if "R-2" in m.subject]
    assert mail.to == [seller.email] and "No such receipt" in mail.body


@pytest.mark.parametrize("who", ["seller", "stranger", "guest", "buyer"])
def test_only_the_expos_organisers_reject_and_a_refusal_changes_nothing(
    who, booth_a, seller, expo, make_organiser, make_user
):
    sale = _record(booth_a, seller, (booth_a.products.first(), 1))
    by = {
        "seller": lambda: seller,
        "stranger": lambda: make_organiser(name="Another office"),
        "guest": AnonymousUser,
        "buyer": lambda: make_user(email="pembeli@example.com"),
    }[who]()
    before = _state(expo)
    with pytest.raises(PermissionDenied):
        offline.offline_sale_reject(sale=sale, by=by, reason="No such receipt")
    assert _state(expo) == before


@pytest.mark.parametrize("reason", ["", "   \n ", "x" * (offline.REASON_LENGTH + 1)])
def test_a_reason_is_required(reason, booth_a, seller, expo, organiser):
    sale = _record(booth_a, seller, (booth_a.products.first(), 1))
    before = _state(expo)
    with pytest.raises(ValidationError) as refused:
        offline.offline_sale_reject(sale=sale, by=organiser, reason=reason)
    assert refused.value.code == "reason"
    assert _state(expo) == before


def test_a_verified_or_rejected_sale_is_refused(booth_a, seller, expo, organiser):
    booth_a.products.update(stock=100)
    product = booth_a.products.order_by("pk").first()
    verified = _record(booth_a, seller, (product, 1), receipt="R-1")
    rejected = _record(booth_a, seller, (product, 1), receipt="R-2")
    offline.offline_sale_verify(sale=verified, by=organiser)
    offline.offline_sale_reject(sale=rejected, by=organiser, reason="Duplicate of R-1")
    before = _state(expo)
    with pytest.raises(ValidationError, match="verified already"):
        offline.offline_sale_reject(sale=verified, by=organiser, reason="Changed my mind")
    with pytest.raises(ValidationError, match="rejected already"):
        offline.offline_sale_reject(sale=rejected, by=organiser, reason="Again")
    with pytest.raises(ValidationError, match="rejected already"):
        offline.offline_sale_verify(sale=rejected, by=organiser)
    assert _state(expo) == before


def test_a_rejected_sale_leaves_the_sample_and_a_sign_off_skips_it(
    booth_a, seller, expo, organiser
):
    booth_a.products.update(stock=100)
    product = booth_a.products.order_by("pk").first()
    sales = [_record(booth_a, seller, (product, 1), receipt=f"R-{i}") for i in range(7)]
    drawn_before = offline.offline_sample_draw(expo=expo)
    assert drawn_before.population == sorted(s.pk for s in sales)
    wrong = sales[3]
    offline.offline_sale_reject(sale=wrong, by=organiser, reason="Recorded by mistake")

    fresh = offline.offline_sample_draw(expo=expo)
    assert wrong.pk not in fresh.population and len(fresh.population) == 6
    assert wrong.pk not in offline.offline_sample_draw(expo=expo, booth_id=booth_a.pk).population
    # A sample drawn before the rejection, signed off after it: the rejected sale stays rejected.
    sampled = [pk for pk in drawn_before.population if pk != wrong.pk][:5]
    verification = offline.offline_sample_sign_off(
        expo=expo,
        by=organiser,
        population=drawn_before.population,
        sampled=sampled,
        note="Receipts against the cash book",
    )
    assert verification.population == 6
    wrong.refresh_from_db()
    assert wrong.is_rejected and not wrong.is_verified
    assert OfflineSale.objects.filter(verification=verification).count() == 6
    assert counted(expo) == recounted(expo)
    split = reports.expo_dashboard(expo).split
    assert (split.offline_unverified, split.offline_verified) == (0, 6 * wrong.total)


def test_a_sign_off_of_only_rejected_sales_is_refused(booth_a, seller, expo, organiser):
    sale = _record(booth_a, seller, (booth_a.products.first(), 1))
    offline.offline_sale_reject(sale=sale, by=organiser, reason="No such receipt")
    with pytest.raises(ValidationError, match="verified or rejected already"):
        offline.offline_sample_sign_off(
            expo=expo, by=organiser, population=[sale.pk], sampled=[sale.pk], note="checked"
        )


def test_the_upward_report_leaves_a_rejected_sale_out(booth_a, seller, expo, organiser):
    from expo.reports.figures import upward

    booth_a.products.update(stock=100)
    product = booth_a.products.order_by("pk").first()
    kept = _record(booth_a, seller, (product, 1), receipt="R-1")
    wrong = _record(booth_a, seller, (product, 2), receipt="R-2")
    offline.offline_sale_reject(sale=wrong, by=organiser, reason="Wrong amount")
    report = upward.upward_report(expo)
    assert report.channels["offline"] == kept.total
    assert report.offline_unverified == kept.total
    (batik,) = [u for u in report.umkm if u.offline_unverified]
    assert batik.offline_unverified == kept.total


# --- Random histories -------------------------------------------------------------------------------

step = st.one_of(
    st.tuples(
        st.just("record"),
        st.integers(0, 1),  # the booth
        st.lists(st.tuples(st.integers(0, 9), st.integers(1, 3)), min_size=1, max_size=2),
    ),
    st.tuples(st.sampled_from(["verify", "reject", "reject", "sign_off"]), st.integers(0, 30)),
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=st.lists(step, min_size=2, max_size=14))
def test_counts_rollups_and_stock_equal_a_recount_whatever_happens(
    booth_a, booth_b, expo, organiser, make_vendor_user, history
):
    with transaction.atomic():
        _history(history, (booth_a, booth_b), expo, organiser, make_vendor_user)
        transaction.set_rollback(True)


def _history(history, booths, expo, organiser, make_vendor_user) -> None:
    Product.objects.filter(booth__in=booths).update(stock=1_000)
    sellers = [make_vendor_user(b, email=f"seller{b.pk}@example.com") for b in booths]
    products = [list(b.products.order_by("pk")) for b in booths]
    model: dict[int, str] = {}  # sale → "pending", "verified" or "rejected"
    for i, (kind, *args) in enumerate(history):
        if kind == "record":
            which, wanted = args
            lines = [(products[which][index % len(products[which])], q) for index, q in wanted]
            sale = _record(booths[which], sellers[which], *lines, receipt=f"H-{i}")
            model[sale.pk] = "pending"
            continue
        if not model:
            continue
        pk = sorted(model)[args[0] % len(model)]
        sale = OfflineSale.objects.get(pk=pk)
        if kind == "sign_off":
            # The whole set, verified and rejected ones among them (a sample drawn earlier).
            population = sorted(model)
            pending = [p for p in population if model[p] == "pending"]
            try:
                offline.offline_sample_sign_off(
                    expo=expo,
                    by=organiser,
                    population=population,
                    sampled=population[: offline.sample_size(len(population))],
                    note="checked",
                )
            except ValidationError:
                assert not pending, "a sign-off refused with sales to verify"
            else:
                assert pending, "a sign-off accepted with nothing to verify"
                model.update(dict.fromkeys(pending, "verified"))
            continue
        action = offline.offline_sale_verify if kind == "verify" else offline.offline_sale_reject
        extra = {} if kind == "verify" else {"reason": "does not check out"}
        try:
            action(sale=sale, by=organiser, **extra)
        except ValidationError:
            assert model[pk] != "pending", f"{kind} refused for a pending sale"
        else:
            assert model[pk] == "pending", f"{kind} accepted for a {model[pk]} sale"
            model[pk] = "verified" if kind == "verify" else "rejected"
        assert counted(expo) == recounted(expo)
    # The counts, the omzet rollups and the dashboard against a recount.
    assert counted(expo) == recounted(expo)
    assert_rollups_exact()
    split = reports.expo_dashboard(expo).split
    live = {pk for pk, state in model.items() if state != "rejected"}
    totals = dict(OfflineSale.objects.values_list("pk", "total"))
    assert split.expo.omzet == sum(totals[pk] for pk in live) == _ledger(expo=expo)
    pending = [pk for pk, state in model.items() if state == "pending"]
    assert split.offline_unverified == sum(totals[pk] for pk in pending)
    # The stock: what was not rejected is gone, the rest is back.
    taken: dict[int, int] = {}
    for sale in OfflineSale.objects.prefetch_related("order__lines"):
        if model[sale.pk] != "rejected":
            for line in sale.order.lines.all():
                taken[line.product_id] = taken.get(line.product_id, 0) + line.quantity
    for product_id, stock in Product.objects.filter(booth__in=booths).values_list("pk", "stock"):
        assert stock == 1_000 - taken.get(product_id, 0)


# --- PostgreSQL: a reject racing a verify ---------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_reject_racing_a_verify_leaves_exactly_one(booth_a, expo, organiser, make_vendor_user):
    assert connection.vendor == "postgresql", "the PostgreSQL pass: DATABASE_URL=postgres://…"
    booth_a.products.update(stock=1_000)
    seller = make_vendor_user(booth_a, email="penjual@example.com")
    product = booth_a.products.order_by("pk").first()
    rounds = 6
    sales = [_record(booth_a, seller, (product, 2), receipt=f"P-{i}") for i in range(rounds)]
    for sale in sales:
        start = threading.Barrier(2)
        outcomes: dict[str, str] = {}

        def run(name: str, act, sale=sale, start=start, outcomes=outcomes) -> None:
            try:
                start.wait(timeout=60)
                act(sale=OfflineSale.objects.get(pk=sale.pk), by=organiser)
                outcomes[name] = "done"
            except ValidationError as error:
                outcomes[name] = f"refused: {error.code}"
            except Exception as error:  # reported below
                outcomes[name] = f"failed: {error!r}"
            finally:
                close_old_connections()

        def reject(**kw) -> None:
            offline.offline_sale_reject(reason="Duplicate", **kw)

        threads = [
            threading.Thread(target=run, args=("verify", offline.offline_sale_verify)),
            threading.Thread(target=run, args=("reject", reject)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not any(t.is_alive() for t in threads), "a request never finished"
        assert sorted(outcomes.values())[0] == "done", outcomes
        assert sorted(outcomes.values())[1].startswith("refused"), outcomes
        sale.refresh_from_db()
        assert sale.is_verified != sale.is_rejected
        assert sale.is_rejected == (outcomes["reject"] == "done")
    assert counted(expo) == recounted(expo)
    rejected = OfflineSale.objects.filter(rejected_at__isnull=False)
    assert _ledger(expo=expo) == sum(s.total for s in sales) - sum(s.total for s in rejected)
    product.refresh_from_db()
    assert product.stock == 1_000 - 2 * (rounds - rejected.count())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_rejections_racing_new_stand_sales_of_the_same_products_never_deadlock(
    booth_a, expo, organiser, make_vendor_user
):
    """A rejection takes its locks in the order a recording does (the products, then the rollup
    rows), so rejections and new sales of the same products at the same moment all finish: no
    deadlock, and the counts, the rollups and the stock equal a recount."""
    assert connection.vendor == "postgresql", "the PostgreSQL pass: DATABASE_URL=postgres://…"
    booth_a.products.update(stock=1_000)
    seller = make_vendor_user(booth_a, email="penjual@example.com")
    first, second = booth_a.products.order_by("pk")[:2]
    both = ((first, 1), (second, 2))
    old = [_record(booth_a, seller, *both, receipt=f"O-{i}") for i in range(5)]
    start = threading.Barrier(10)
    problems: list[str] = []

    def run(i: int) -> None:
        try:
            start.wait(timeout=60)
            if i % 2:
                offline.offline_sale_reject(sale=old[i // 2], by=organiser, reason="Duplicate")
            else:
                _record(booth_a, seller, *reversed(both), receipt=f"N-{i}")
        except Exception as error:  # reported below, with its cause (a deadlock is 40P01)
            problems.append(f"{i}: {error!r} ({error.__cause__!r})")
        finally:
            close_old_connections()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a request never finished"
    assert problems == []
    assert OfflineSale.objects.filter(rejected_at__isnull=False).count() == 5
    assert counted(expo) == recounted(expo)
    assert_rollups_exact()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.stock, second.stock) == (1_000 - 5, 1_000 - 10)
