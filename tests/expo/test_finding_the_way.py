"""What a first walk could not find: the vendor's inbox and live sessions, a buyer's questions."""

from __future__ import annotations

import pytest

from booths.models import VendorMembership
from expo import permissions

pytestmark = pytest.mark.django_db


@pytest.fixture
def vendor_member(make_expo, make_booth, make_user):
    booth = make_booth(make_expo("open"), name="Batik Sekar")
    user = make_user(name="Budi Vendor")
    VendorMembership.objects.create(vendor=booth.vendor, user=user, role="owner")
    permissions.forget(user)
    return booth.vendor, user


def test_the_vendor_workspace_tabs_reach_the_inbox_and_the_live_sessions(client, vendor_member):
    vendor, user = vendor_member
    client.force_login(user)

    page = client.get(f"/vendor/{vendor.slug}/").content.decode()

    assert f'href="/vendor/{vendor.slug}/inbox/"' in page
    assert f'href="/vendor/{vendor.slug}/sessions/"' in page
    for path in ("inbox", "sessions"):
        assert client.get(f"/vendor/{vendor.slug}/{path}/").status_code == 200


def test_the_user_menu_reaches_a_buyers_questions_to_makers(client, buyer):
    client.force_login(buyer)

    page = client.get("/").content.decode()

    assert 'href="/inquiries/" data-testid="menu-inquiries"' in page
    assert "My questions to makers" in page
    assert client.get("/inquiries/").status_code == 200


def test_a_guest_has_no_user_menu(client):
    assert 'data-testid="menu-inquiries"' not in client.get("/").content.decode()
