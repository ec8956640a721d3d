"""Who may open and post to every vendor workspace URL.

The matrix: anonymous visitors are sent to log in; an account without a business gets the register
invitation at ``/vendor/`` and 403 on any business's pages; a member of vendor B gets 403 on vendor
A's pages and 404 on A's objects reached through B's own URLs — for GET and POST, and a refused POST
changes nothing. Owners and staff differ on the team page.
"""

# The vendor builders are pytest fixtures imported from test_vendor_views: tests name them as
# parameters, which pyflakes reads as redefinitions.
# ruff: noqa: F811

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import reverse

from booths.deals import Lead, LeadActivity
from booths.models import (
    ApplicationPhoto,
    Booth,
    BoothApplication,
    Product,
    ProductImage,
    Vendor,
    VendorMembership,
)
from expo.models import AuditLogEntry
from tests.booths.test_vendor_views import (  # noqa: F401 - fixtures
    _fresh_cache,
    application_form_data,
    image_upload,
    make_vendor,
    make_vendor_booth,
    pdf_upload,
    product_form_data,
    vendor_form_data,
)


@dataclass
class World:
    """Vendor A (owner + staff) with a booth, a product with photos, an application waiting for
    changes and an expo it may apply to; vendor B (its own owner) with a booth in the same expo."""

    a: Vendor
    a_owner: object
    a_staff: object
    a_staff_membership: VendorMembership
    booth: Booth
    product: Product
    image: ProductImage
    changes: BoothApplication
    open_call: object
    b: Vendor
    b_owner: object
    b_booth: Booth
    regions: list
    sectors: list
    lead: Lead


@pytest.fixture
def world(make_user, make_vendor, make_vendor_booth, make_expo, make_organiser, regions, sectors):
    from booths import services
    from booths.services import leads

    a_owner, a_staff = make_user(name="A owner"), make_user(name="A staff")
    a = make_vendor(owner=a_owner, name="Vendor A", staff=[a_staff])
    open_expo = make_expo("open", slug="open-expo")
    booth = make_vendor_booth(a, open_expo, products=1, photos=2)
    product = booth.products.get()
    accepting = make_expo("accepting", slug="waiting-expo")
    changes = services.application_submit(
        expo=accepting,
        vendor=a,
        by=a_owner,
        nib_document=pdf_upload(),
        stock="ready",
        photos=[image_upload()],
    )
    services.application_request_changes(
        application=changes, by=make_organiser(office=accepting.office), reason="Resend the NIB."
    )
    b_owner = make_user(name="B owner")
    b = make_vendor(owner=b_owner, name="Vendor B")
    b_booth = make_vendor_booth(b, open_expo, products=1)
    lead = leads.record(
        booth=booth, buyer=make_user(name="A lead"), kind=LeadActivity.Kind.CHAT, ref_id=1
    )
    return World(
        a=a,
        a_owner=a_owner,
        a_staff=a_staff,
        a_staff_membership=VendorMembership.objects.get(vendor=a, user=a_staff),
        booth=booth,
        product=product,
        image=product.images.order_by("position").first(),
        changes=changes,
        open_call=make_expo("accepting", slug="open-call"),
        b=b,
        b_owner=b_owner,
        b_booth=b_booth,
        regions=regions,
        sectors=sectors,
        lead=lead,
    )


@dataclass(frozen=True)
class Target:
    name: str
    args: Callable[[World, Vendor], list]
    post: Callable[[World], dict] | None  # None: GET only
    get: bool = True


def _expo(w: World) -> str:
    return w.booth.expo.slug


TARGETS = [
    Target("dashboard", lambda w, v: [v.slug], None),
    Target(
        "profile",
        lambda w, v: [v.slug],
        lambda w: vendor_form_data(w.regions[1], w.sectors[0], name="Hacked"),
    ),
    Target("members", lambda w, v: [v.slug], lambda w: {"email": "intruder@example.com"}),
    Target("member_remove", lambda w, v: [v.slug, w.a_staff_membership.pk], lambda w: {}, False),
    Target("apply", lambda w, v: [v.slug, w.open_call.slug], lambda w: application_form_data()),
    Target(
        "application",
        lambda w, v: [v.slug, w.changes.expo.slug],
        lambda w: {"stock": "preorder", "nib_document": pdf_upload("new.pdf")},
    ),
    Target("application_withdraw", lambda w, v: [v.slug, w.changes.expo.slug], lambda w: {}, False),
    Target(
        "booth_edit",
        lambda w, v: [v.slug, _expo(w)],
        lambda w: {"tagline_en": "Hacked", "video_url": ""},
    ),
    Target("products", lambda w, v: [v.slug, _expo(w)], None),
    Target(
        "product_create",
        lambda w, v: [v.slug, _expo(w)],
        lambda w: product_form_data(name_en="Hacked"),
    ),
    Target(
        "product_edit",
        lambda w, v: [v.slug, _expo(w), w.product.pk],
        lambda w: product_form_data(name_en="Hacked", price="1"),
    ),
    Target("product_toggle", lambda w, v: [v.slug, _expo(w), w.product.pk], lambda w: {}, False),
    Target(
        "product_image_delete",
        lambda w, v: [v.slug, _expo(w), w.product.pk, w.image.pk],
        lambda w: {},
        False,
    ),
    Target(
        "product_image_cover",
        lambda w, v: [v.slug, _expo(w), w.product.pk, w.image.pk],
        lambda w: {},
        False,
    ),
    Target("leads", lambda w, v: [v.slug], None),
    Target(
        "lead", lambda w, v: [v.slug, w.lead.pk], lambda w: {"rating": 5, "tags": "x", "note": "x"}
    ),
    Target("leads_export", lambda w, v: [v.slug, "csv"], None),
]
IDS = [t.name for t in TARGETS]
POSTS = [t for t in TARGETS if t.post is not None]
GETS = [t for t in TARGETS if t.get]


def snapshot() -> tuple:
    """Everything a vendor URL could change."""
    return (
        list(Vendor.objects.order_by("pk").values()),
        list(VendorMembership.objects.order_by("pk").values("vendor", "user", "role")),
        list(BoothApplication.objects.order_by("pk").values()),
        list(ApplicationPhoto.objects.order_by("pk").values()),
        list(Booth.objects.order_by("pk").values()),
        list(Product.objects.order_by("pk").values()),
        list(ProductImage.objects.order_by("pk").values("pk", "product", "position")),
        list(Lead.objects.order_by("pk").values()),
        AuditLogEntry.objects.count(),
    )


def path(target: Target, w: World, vendor: Vendor) -> str:
    return reverse(f"vendor:{target.name}", args=target.args(w, vendor))


def test_the_matrix_covers_every_vendor_url():
    from booths import vendor_urls

    def names(patterns, prefix=""):
        for p in patterns:
            if hasattr(p, "url_patterns"):
                namespace = getattr(p, "namespace", None)
                yield from names(p.url_patterns, f"{prefix}{namespace}:" if namespace else prefix)
            else:
                yield prefix + p.name

    # The vendor's sales dashboard and deals belong to the reports app (namespace vendor_reports,
    # wired by expo.urls) and have their own matrix in tests/reports/test_views.py.
    assert set(names(vendor_urls.urlpatterns)) == {t.name for t in TARGETS} | {"index", "register"}


# --- Anonymous -----------------------------------------------------------------------------------


def test_anonymous_is_sent_to_log_in_on_the_registration_page(client):
    response = client.get(reverse("vendor:register"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login") + "?next=")


def test_anonymous_is_told_what_exhibiting_means_before_being_asked_to_log_in(client, db):
    # "Exhibit your UMKM" in the navigation: the invitation first, then an account.
    response = client.get(reverse("vendor:index"))
    assert response.status_code == 200
    assert "vendor/welcome.html" in [t.name for t in response.templates]
    assert 'href="/accounts/signup/?next=/vendor/register/"' in response.content.decode()


@pytest.mark.parametrize("target", TARGETS, ids=IDS)
def test_anonymous_is_sent_to_log_in(client, world, target):
    before = snapshot()
    target_path = path(target, world, world.a)
    if target.get:
        response = client.get(target_path)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login") + "?next=")
    if target.post is not None:
        response = client.post(target_path, target.post(world))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    assert snapshot() == before


# --- An account without a business ---------------------------------------------------------------


def test_buyer_sees_the_register_invitation(client, buyer):
    client.force_login(buyer)
    assert "vendor/welcome.html" in [t.name for t in client.get(reverse("vendor:index")).templates]
    assert client.get(reverse("vendor:register")).status_code == 200


@pytest.mark.parametrize("target", TARGETS, ids=IDS)
def test_buyer_is_refused_every_business_page(client, world, buyer, target):
    client.force_login(buyer)
    before = snapshot()
    target_path = path(target, world, world.a)
    if target.get:
        assert client.get(target_path).status_code == 403
    if target.post is not None:
        assert client.post(target_path, target.post(world)).status_code == 403
    assert snapshot() == before


def test_unknown_vendor_is_404(client, buyer):
    client.force_login(buyer)
    assert client.get(reverse("vendor:dashboard", args=["no-such-umkm"])).status_code == 404


# --- A member of another vendor ------------------------------------------------------------------


@pytest.mark.parametrize("target", TARGETS, ids=IDS)
def test_member_of_b_is_refused_vendor_a(client, world, target):
    client.force_login(world.b_owner)
    before = snapshot()
    target_path = path(target, world, world.a)
    if target.get:
        assert client.get(target_path).status_code == 403
    if target.post is not None:
        assert client.post(target_path, target.post(world)).status_code == 403
    assert snapshot() == before


# A's objects reached through B's own workspace URLs: the lookups go through B, so they are 404.
THROUGH_B = [
    t
    for t in TARGETS
    if t.name
    in {
        "member_remove",
        "application",
        "application_withdraw",
        "product_edit",
        "product_toggle",
        "product_image_delete",
        "product_image_cover",
        "lead",
    }
]


@pytest.mark.parametrize("target", THROUGH_B, ids=[t.name for t in THROUGH_B])
def test_a_objects_through_b_urls_are_not_found(client, world, target):
    client.force_login(world.b_owner)
    before = snapshot()
    target_path = path(target, world, world.b)
    if target.get:
        assert client.get(target_path).status_code == 404
    assert client.post(target_path, target.post(world)).status_code == 404
    assert snapshot() == before


def test_b_cannot_reach_a_booth_in_an_expo_where_b_has_none(client, world):
    client.force_login(world.b_owner)
    Booth.objects.filter(pk=world.b_booth.pk).delete()
    for name in ("booth_edit", "products", "product_create"):
        target_path = reverse(f"vendor:{name}", args=[world.b.slug, world.booth.expo.slug])
        assert client.get(target_path).status_code == 404, name


def test_a_member_of_both_vendors_reaches_both(client, world):
    VendorMembership.objects.create(vendor=world.a, user=world.b_owner)
    client.force_login(world.b_owner)
    for target in GETS:
        assert client.get(path(target, world, world.a)).status_code == 200, target.name


# --- Staff and owners ----------------------------------------------------------------------------


def test_staff_and_owner_reach_every_page_of_their_vendor(client, world):
    for user in (world.a_owner, world.a_staff):
        client.force_login(user)
        for target in GETS:
            assert client.get(path(target, world, world.a)).status_code == 200, target.name


def test_staff_cannot_add_or_remove_others(client, world, make_user):
    make_user(email="newcomer@example.com")
    client.force_login(world.a_staff)
    before = snapshot()
    members = reverse("vendor:members", args=[world.a.slug])
    assert client.post(members, {"email": "newcomer@example.com"}).status_code == 403
    owner_membership = VendorMembership.objects.get(vendor=world.a, user=world.a_owner)
    remove = reverse("vendor:member_remove", args=[world.a.slug, owner_membership.pk])
    assert client.post(remove).status_code == 403
    assert snapshot() == before


def test_owner_adds_and_removes_staff(client, world, make_user):
    newcomer = make_user(email="newcomer@example.com")
    client.force_login(world.a_owner)
    members = reverse("vendor:members", args=[world.a.slug])
    assert client.post(members, {"email": "newcomer@example.com"}).status_code == 302
    membership = VendorMembership.objects.get(vendor=world.a, user=newcomer)
    assert membership.role == "staff"
    remove = reverse("vendor:member_remove", args=[world.a.slug, membership.pk])
    assert client.post(remove).status_code == 302
    assert not VendorMembership.objects.filter(pk=membership.pk).exists()


def test_the_last_owner_cannot_remove_themself(client, world):
    client.force_login(world.a_owner)
    owner_membership = VendorMembership.objects.get(vendor=world.a, user=world.a_owner)
    before = snapshot()
    remove = reverse("vendor:member_remove", args=[world.a.slug, owner_membership.pk])
    response = client.post(remove, follow=True)
    assert "at least one owner" in " ".join(str(m) for m in response.context["messages"])
    assert snapshot() == before


@pytest.mark.parametrize("name", ["member_remove", "product_toggle", "application_withdraw"])
def test_post_only_urls_refuse_get(client, world, name):
    client.force_login(world.a_owner)
    target = next(t for t in TARGETS if t.name == name)
    assert client.get(path(target, world, world.a)).status_code == 405
