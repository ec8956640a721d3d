"""Who may do what (``expo.permissions``): the roles of each kind of account, the office and vendor
boundaries, the per-request cache, the ``role_required`` decorator and the navigation's role badge."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory

from expo import permissions, services
from expo.models import Office, Region, Sector
from expo.permissions import Role

_vendors = itertools.count(1)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def make_vendor(db):
    from booths.models import Vendor, VendorMembership

    # Names of their own: the migrations already load Central Java's regions and the sectors.
    region = Region.objects.create(
        province="Test Province", code="99.01", name="Test Regency", kind=Region.Kind.REGENCY
    )
    sector = Sector.objects.create(slug="test-sector", name_en="Test", name_id="Uji")

    def build(*, members: tuple[Any, ...] = ()) -> Vendor:
        n = next(_vendors)
        vendor = Vendor.objects.create(
            name=f"Keripik Tempe {n}",
            slug=f"keripik-tempe-{n}",
            owner_name="Bu Sri",
            region=region,
            sector=sector,
        )
        for user in members:
            VendorMembership.objects.create(vendor=vendor, user=user)
        return vendor

    return build


@dataclass
class World:
    office_a: Office
    office_b: Office
    vendor: Any
    other_vendor: Any
    accounts: dict[str, Any]


@pytest.fixture
def world(make_user, make_office, make_organiser, make_vendor, buyer, admin_user) -> World:
    office_a = make_office()
    office_b = make_office()
    vendor_member = make_user(name="Sri Vendor")
    vendor = make_vendor(members=(vendor_member,))
    other_vendor = make_vendor()
    return World(
        office_a=office_a,
        office_b=office_b,
        vendor=vendor,
        other_vendor=other_vendor,
        accounts={
            "anonymous": AnonymousUser(),
            "buyer": buyer,
            "vendor": vendor_member,
            "organiser_a": make_organiser(office=office_a, name="Org A"),
            "organiser_b": make_organiser(office=office_b, name="Org B"),
            "admin": admin_user,
        },
    )


def _fresh(user: Any) -> Any:
    """The account as a new request would load it: nothing cached yet."""
    if not user.is_authenticated:
        return AnonymousUser()
    return type(user).objects.get(pk=user.pk)


# role -> (roles, primary role, organiser of A, of B, manages A, manages B, member of vendor)
EXPECTED = {
    "anonymous": (set(), None, False, False, False, False, False),
    "buyer": ({Role.BUYER}, Role.BUYER, False, False, False, False, False),
    "vendor": ({Role.BUYER, Role.VENDOR}, Role.VENDOR, False, False, False, False, True),
    "organiser_a": (
        {Role.BUYER, Role.ORGANISER},
        Role.ORGANISER,
        True,
        False,
        True,
        False,
        False,
    ),
    "organiser_b": (
        {Role.BUYER, Role.ORGANISER},
        Role.ORGANISER,
        False,
        True,
        False,
        True,
        False,
    ),
    "admin": ({Role.BUYER, Role.ADMIN}, Role.ADMIN, False, False, True, True, False),
}


@pytest.mark.parametrize("who", list(EXPECTED))
def test_roles_and_boundaries(world, who):
    user = _fresh(world.accounts[who])
    roles, primary, org_a, org_b, manage_a, manage_b, member = EXPECTED[who]

    assert permissions.user_roles(user) == roles
    assert permissions.primary_role(user) == primary
    assert permissions.is_organiser(user, world.office_a) is org_a
    assert permissions.is_organiser(user, world.office_b) is org_b
    assert permissions.is_organiser(user, world.office_a.pk) is org_a
    assert permissions.is_organiser(user) is (org_a or org_b)
    assert permissions.can_manage_office(user, world.office_a) is manage_a
    assert permissions.can_manage_office(user, world.office_b.pk) is manage_b
    assert permissions.is_vendor_member(user, world.vendor) is member
    assert permissions.is_vendor_member(user, world.vendor.pk) is member
    assert permissions.is_vendor_member(user) is member
    # Nobody is a member of a vendor they were never added to.
    assert permissions.is_vendor_member(user, world.other_vendor) is False


def test_an_organiser_may_belong_to_two_offices_and_a_vendor(world, make_user):
    user = make_user()
    services.office_add_organiser(office=world.office_a, user=user)
    services.office_add_organiser(office=world.office_b, user=user)
    from booths.models import VendorMembership

    VendorMembership.objects.create(vendor=world.vendor, user=user)
    user = _fresh(user)

    assert permissions.user_roles(user) == {Role.BUYER, Role.ORGANISER, Role.VENDOR}
    assert permissions.primary_role(user) == Role.ORGANISER
    assert permissions.can_manage_office(user, world.office_a)
    assert permissions.can_manage_office(user, world.office_b)


def test_inactive_account_holds_no_role(world):
    user = _fresh(world.accounts["organiser_a"])
    user.is_active = False

    assert permissions.user_roles(user) == set()
    assert not permissions.can_manage_office(user, world.office_a)


def test_memberships_are_read_once_per_user_object(world, django_assert_num_queries):
    user = _fresh(world.accounts["organiser_a"])

    with django_assert_num_queries(2):  # office memberships, vendor memberships
        permissions.user_roles(user)
    with django_assert_num_queries(0):
        permissions.user_roles(user)
        permissions.primary_role(user)
        permissions.is_organiser(user, world.office_a)
        permissions.is_organiser(user, world.office_b)
        permissions.can_manage_office(user, world.office_b)
        permissions.is_vendor_member(user, world.vendor)


def test_platform_admin_needs_no_query_to_manage_an_office(world, django_assert_num_queries):
    user = _fresh(world.accounts["admin"])

    with django_assert_num_queries(0):
        assert permissions.can_manage_office(user, world.office_b)


def test_forget_after_adding_and_removing_an_organiser(world, django_assert_num_queries):
    user = _fresh(world.accounts["buyer"])
    assert not permissions.is_organiser(user, world.office_b)

    services.office_add_organiser(office=world.office_b, user=user)
    with django_assert_num_queries(1):
        assert permissions.is_organiser(user, world.office_b)
    assert permissions.primary_role(user) == Role.ORGANISER

    services.office_remove_organiser(office=world.office_b, user=user)
    with django_assert_num_queries(1):
        assert not permissions.is_organiser(user, world.office_b)
    assert permissions.primary_role(user) == Role.BUYER


def test_without_forget_the_cached_answer_stays(world):
    """What ``forget`` is for: a membership written behind the cache's back is not seen."""
    from expo.models import OfficeMembership

    user = _fresh(world.accounts["buyer"])
    assert not permissions.is_organiser(user, world.office_a)

    OfficeMembership.objects.create(office=world.office_a, user=user)
    assert not permissions.is_organiser(user, world.office_a)

    permissions.forget(user)
    assert permissions.is_organiser(user, world.office_a)


def test_forget_on_a_user_without_cache_is_harmless(buyer):
    permissions.forget(buyer)
    permissions.forget(AnonymousUser())


# --- role_required ----------------------------------------------------------------------------


@permissions.role_required(Role.ORGANISER, Role.ADMIN)
def _organiser_page(request, office_slug: str) -> HttpResponse:
    return HttpResponse(f"office {office_slug}")


def _request(user: Any):
    request = RequestFactory().get("/manage/offices/central-java/?tab=expos")
    request.user = user
    return request


def test_role_required_sends_a_visitor_to_log_in(world):
    response = _organiser_page(_request(AnonymousUser()), office_slug="central-java")

    assert response.status_code == 302
    assert response["Location"] == (
        "/accounts/login/?next=/manage/offices/central-java/%3Ftab%3Dexpos"
    )


@pytest.mark.parametrize("who", ["buyer", "vendor"])
def test_role_required_refuses_the_wrong_role(world, who):
    with pytest.raises(PermissionDenied):
        _organiser_page(_request(_fresh(world.accounts[who])), office_slug="central-java")


@pytest.mark.parametrize("who", ["organiser_a", "organiser_b", "admin"])
def test_role_required_lets_the_right_role_through(world, who):
    response = _organiser_page(_request(_fresh(world.accounts[who])), office_slug="central-java")

    assert response.status_code == 200
    assert response.content == b"office central-java"


def test_role_required_keeps_the_views_name():
    assert _organiser_page.__name__ == "_organiser_page"


# --- The navigation's role badge --------------------------------------------------------------

BADGES = {
    "buyer": "Buyer",
    "vendor": "Vendor",
    "organiser_a": "Organiser",
    "admin": "Platform admin",
}


@pytest.mark.parametrize(("who", "label"), list(BADGES.items()))
def test_role_badge_on_the_home_page(client, world, who, label):
    client.force_login(world.accounts[who])

    page = client.get("/").content.decode()

    role = EXPECTED[who][1]
    assert (
        f'<span class="badge badge-role badge-{role.value}" data-testid="role-badge">{label}</span>'
    ) in page


def test_no_role_badge_for_a_visitor(client, world):
    page = client.get("/").content.decode()

    assert 'data-testid="role-badge"' not in page
