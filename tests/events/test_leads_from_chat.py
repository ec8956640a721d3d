"""The live side tells booths' lead service who chatted and who asked privately: once per room,
never the vendor's own members or the organisers."""

from __future__ import annotations

import pytest

from booths.models import Lead, LeadActivity, VendorMembership
from events import services
from events.rooms import Room
from expo import permissions

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    settings.CHAT_RATE_LIMIT = (1000, 1)


def test_chat_and_questions_make_leads(make_expo, make_booth, make_user, make_organiser):
    organiser = make_organiser()
    expo = make_expo("open", office=organiser.offices.get())
    booth = make_booth(expo)
    buyer = make_user(name="Ayu")
    for text in ("Halo!", "Ada stok?"):
        services.message_send(room=Room("booth", booth.pk), body=text, by=buyer)
    services.inquiry_open(booth=booth, by=buyer, body="Harga grosir?")
    member = make_user()
    VendorMembership.objects.create(vendor=booth.vendor, user=member, role="owner")
    permissions.forget(member)
    services.message_send(room=Room("booth", booth.pk), body="Ada, kak", by=member)
    services.message_send(room=Room("booth", booth.pk), body="Selamat datang", by=organiser)

    lead = Lead.objects.get()
    assert lead.buyer == buyer and lead.booth == booth
    assert sorted(LeadActivity.objects.values_list("kind", flat=True)) == ["chat", "inquiry"]
