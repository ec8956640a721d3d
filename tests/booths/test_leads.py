"""Leads: recorded once per thing a buyer did, never for guests or the vendor's own members; the
vendor rates, tags, notes, filters and exports them (formula-safe); the profile shows only while
the buyer's consent stands; another vendor and an organiser see none of them."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from openpyxl import load_workbook

from booths.models import Lead, LeadActivity, VendorMembership
from booths.services import leads
from expo import buyers, permissions

pytestmark = pytest.mark.django_db


@pytest.fixture
def expo(make_expo):
    return make_expo("open")


@pytest.fixture
def booth(expo, make_booth):
    return make_booth(expo, name="Sambal Bu Rudy")


@pytest.fixture
def other_booth(expo, make_booth):
    return make_booth(expo, name="Kopi Gunung")


def member(make_user, booth):
    user = make_user()
    VendorMembership.objects.create(vendor=booth.vendor, user=user, role="owner")
    permissions.forget(user)
    return user


@pytest.fixture
def importer(make_user, booth):
    user = make_user(name="Fatima Al-Thani")
    buyers.buyer_profile_save(
        user=user, company="Doha Fine Foods", country="QA", buyer_type="importer", consent=True
    )
    buyers.buyer_contact_record(buyer=user, vendor_id=booth.vendor_id, via="rfq:1")
    return user


def test_recorded_once_per_thing_and_never_for_guests_or_members(booth, importer, make_user):
    for _n in range(3):
        leads.record(booth=booth, buyer=importer, kind="chat", ref_id=7, label="Booth chat")
    leads.record(booth=booth, buyer=importer, kind="rfq", ref_id=1, label="RFQ-1")
    leads.record(booth=booth.pk, buyer=importer, kind="order", ref_id=3)
    assert Lead.objects.count() == 1
    assert sorted(LeadActivity.objects.values_list("kind", flat=True)) == ["chat", "order", "rfq"]
    assert leads.record(booth=booth, buyer=AnonymousUser(), kind="chat") is None
    assert leads.record(booth=booth, buyer=member(make_user, booth), kind="chat") is None
    assert Lead.objects.count() == 1


def test_vendor_works_its_leads(client, booth, importer, make_user):
    leads.record(booth=booth, buyer=importer, kind="rfq", ref_id=1, label="RFQ-1")
    owner = member(make_user, booth)
    client.force_login(owner)
    page = client.get(reverse("vendor:leads", args=[booth.vendor.slug])).content.decode()
    assert (
        "Fatima Al-Thani" in page
        and "Doha Fine Foods" in page
        and 'data-testid="nav-leads"' in page
    )
    lead = Lead.objects.get()
    url = reverse("vendor:lead", args=[booth.vendor.slug, lead.pk])
    response = client.post(
        url, {"rating": "4", "tags": "importer, halal, importer", "note": "Call Monday"}
    )
    assert response.status_code == 302
    lead.refresh_from_db()
    assert (lead.rating, lead.tags, lead.note) == (4, "importer, halal", "Call Monday")

    assert client.post(url, {"rating": "7", "tags": "", "note": ""}).status_code == 400
    too_many = ",".join(f"t{n}" for n in range(12))
    assert client.post(url, {"rating": "2", "tags": too_many, "note": "x"}).status_code == 400
    lead.refresh_from_db()
    assert (lead.rating, lead.tags) == (4, "importer, halal")

    listing = reverse("vendor:leads", args=[booth.vendor.slug])
    assert (
        "Fatima"
        in client.get(listing, {"min_rating": "4", "kind": "rfq", "tag": "halal"}).content.decode()
    )
    assert "Fatima" not in client.get(listing, {"min_rating": "5"}).content.decode()
    assert "Fatima" not in client.get(listing, {"kind": "meeting"}).content.decode()


def test_exports_are_formula_safe(client, booth, importer, make_user):
    lead = leads.record(booth=booth, buyer=importer, kind="inquiry", ref_id=2)
    lead.tags = '=HYPERLINK("http://x")'
    lead.note = "+cmd|' /C calc'!A0"
    lead.save(update_fields=["tags", "note"])
    client.force_login(member(make_user, booth))
    csv = client.get(reverse("vendor:leads_export", args=[booth.vendor.slug, "csv"]))
    text = csv.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'+cmd" in text and "Doha Fine Foods" in text
    xlsx = client.get(reverse("vendor:leads_export", args=[booth.vendor.slug, "xlsx"]))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    cells = [cell.value for row in sheet.iter_rows() for cell in row]
    assert '\'=HYPERLINK("http://x")' in cells and not any(
        isinstance(v, str) and v.startswith("=") for v in cells
    )


def test_withdrawn_consent_hides_the_profile_everywhere(client, booth, importer, make_user):
    leads.record(booth=booth, buyer=importer, kind="rfq", ref_id=1)
    buyers.buyer_consent_withdraw(profile=buyers.profile_of(importer), by=importer)
    client.force_login(member(make_user, booth))
    lead = Lead.objects.get()
    for url in (
        reverse("vendor:leads", args=[booth.vendor.slug]),
        reverse("vendor:lead", args=[booth.vendor.slug, lead.pk]),
        reverse("vendor:leads_export", args=[booth.vendor.slug, "csv"]),
    ):
        body = client.get(url).content.decode("utf-8-sig")
        assert "Doha Fine Foods" not in body


def test_others_see_no_lead(client, booth, other_booth, importer, make_user, make_organiser):
    leads.record(booth=booth, buyer=importer, kind="chat", ref_id=1)
    lead = Lead.objects.get()
    client.force_login(member(make_user, other_booth))
    assert (
        "Fatima"
        not in client.get(reverse("vendor:leads", args=[other_booth.vendor.slug])).content.decode()
    )
    assert (
        client.get(reverse("vendor:lead", args=[other_booth.vendor.slug, lead.pk])).status_code
        == 404
    )
    assert client.get(reverse("vendor:leads", args=[booth.vendor.slug])).status_code == 403
    assert (
        client.get(reverse("vendor:leads_export", args=[booth.vendor.slug, "csv"])).status_code
        == 403
    )
    client.force_login(make_organiser())
    assert client.get(reverse("vendor:leads", args=[booth.vendor.slug])).status_code == 403
    client.force_login(importer)
    assert client.get(reverse("vendor:lead", args=[booth.vendor.slug, lead.pk])).status_code == 403
    with pytest.raises(PermissionDenied):
        leads.lead_update(lead=lead, by=member(make_user, other_booth), rating=1, tags="", note="")
