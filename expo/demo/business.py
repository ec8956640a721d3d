"""The demo's business side: business matching (vendors' meeting windows, the demo buyer's business
profile and two meetings with the demo vendor), an export deal (a request for quotation and its
quotation), the hybrid venue with numbered stands, and the curators' rubric with scored
applications and declared turnovers. Everything goes through the apps' services (so leads, the
bell's events, audit rows and grades are what real use makes), at times the expo's stage allows:
meetings in the matching window inside the open expo, in WIB office hours. Mails nobody. Safe to
run again: each part is skipped once it is there."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from booths.models import Booth, BoothApplication, Product, QuoteRequest, VendorMembership
from booths.rubrics import ApplicationScore, Criterion
from booths.services import grading as grading_services
from booths.services import rfq, stands
from booths.venues import Venue
from events.matching import availability
from events.matching import selectors as matching
from events.matching import services as meetings
from events.matching.models import Meeting, MeetingAvailability, MeetingStatus
from expo import buyers, permissions
from expo.demo.images import stable_seed
from expo.models import BuyerType, Expo, Sector, User
from expo.services import emails_suppressed
from payments.models import PaymentTerms, ShippingTerms
from payments.quotations import services as quotations

WIB = ZoneInfo("Asia/Jakarta")
# Booths besides the demo vendor's that publish meeting windows (their staff get an account that
# cannot sign in: only the demo accounts have passwords).
OTHER_MEETING_BOOTHS = 3
STANDS = 8
SCORED_APPLICATIONS = 4
# Whole rupiah a year, cycled over the applications: micro, small and medium businesses.
TURNOVERS = (
    450_000_000, 1_200_000_000, 1_850_000_000, 3_600_000_000, 7_500_000_000, 22_000_000_000,
)  # fmt: skip


def seed_business(
    expo: Expo, demo_booth: Booth, booths: Sequence[Booth], *, organiser: User, vendor: User,
    buyer: User,
) -> None:  # fmt: skip
    """Matching, the export deal, the venue and the curation grades of the demo expo."""
    others = [b for b in booths if b.pk != demo_booth.pk]
    with emails_suppressed():
        _matching(expo, demo_booth, others, organiser=organiser, vendor=vendor)
        _buyer_profile(buyer)
        _meetings(expo, demo_booth, vendor=vendor, buyer=buyer)
        _export_deal(demo_booth, vendor=vendor, buyer=buyer)
    _venue(expo, demo_booth, others, organiser=organiser)
    _turnovers(expo)
    _grades(expo, demo_booth, organiser=organiser)


def _office_hours(expo: Expo) -> list[tuple[datetime, datetime]]:
    """Mornings and afternoons (09–12 and 13–16 WIB) of the next two days that lie inside the
    matching window."""
    window = matching.window_of(expo)
    if window is None:
        return []
    today = timezone.localtime(timezone.now(), WIB).date()
    hours = []
    for days in (1, 2):
        day = today + timedelta(days=days)
        for start, end in ((9, 12), (13, 16)):
            starts = datetime.combine(day, time(start), WIB)
            ends = datetime.combine(day, time(end), WIB)
            if window.starts_at <= starts and ends <= window.ends_at:
                hours.append((starts, ends))
    return hours


def _member(booth: Booth) -> User:
    """The booth's vendor's first member; one made (without a password) when it has none."""
    membership = (
        VendorMembership.objects.filter(vendor=booth.vendor).select_related("user").order_by("id")
    ).first()
    if membership is not None:
        return membership.user
    user, _created = User.objects.get_or_create(
        email=f"staff.{booth.vendor.slug}@demo.umkm-expo.id",
        defaults={"name": booth.vendor.owner_name or booth.vendor.name},
    )
    if user.has_usable_password():
        user.set_unusable_password()
        user.save(update_fields=["password"])
    VendorMembership.objects.get_or_create(
        vendor=booth.vendor, user=user, defaults={"role": VendorMembership.Role.OWNER}
    )
    permissions.forget(user)
    return user


def _matching(
    expo: Expo, demo_booth: Booth, others: Sequence[Booth], *, organiser: User, vendor: User
) -> None:
    """Matching on (20-minute meetings, cancel up to two hours before) and the office hours of the
    demo vendor and a few others, for those that have no window still to come."""
    if matching.window_of(expo) is None:
        availability.matching_configure(
            expo=expo, by=organiser, enabled=True, meeting_minutes=20, cancel_cutoff_minutes=120
        )
    now = timezone.now()
    hours = _office_hours(expo)
    for booth in [demo_booth, *others[:OTHER_MEETING_BOOTHS]]:
        upcoming = MeetingAvailability.objects.filter(
            expo=expo, vendor_id=booth.vendor_id, ends_at__gt=now
        )
        if upcoming.exists():
            continue
        member = vendor if booth.pk == demo_booth.pk else _member(booth)
        for starts_at, ends_at in hours:
            availability.availability_add(
                expo=expo, vendor_id=booth.vendor_id, member=member, starts_at=starts_at,
                ends_at=ends_at, by=member,
            )  # fmt: skip


def _buyer_profile(buyer: User) -> None:
    """The demo buyer's business (an importer in Melbourne) and the consent to share it."""
    if buyers.profile_of(buyer) is not None:
        return
    buyers.buyer_profile_save(
        user=buyer,
        company="Lawson Pantry Imports Pty Ltd",
        country="AU",
        buyer_type=BuyerType.IMPORTER,
        products="Batik, Javanese snacks and single-origin coffee for delis in Victoria",
        order_size=75_000_000,
        website="https://lawson-pantry.example.au",
        sectors=Sector.objects.filter(slug__in=["kuliner", "fashion", "kriya"]),
        consent=True,
    )


def _meetings(expo: Expo, demo_booth: Booth, *, vendor: User, buyer: User) -> None:
    """One meeting the demo vendor accepted (confirmed) and one still waiting for its answer, at
    the vendor's first free slots; skipped while the buyer has one with the vendor to come."""
    to_come = Meeting.objects.filter(
        expo=expo, vendor_id=demo_booth.vendor_id, buyer=buyer, ends_at__gt=timezone.now()
    ).exclude(status__in=[MeetingStatus.DECLINED, MeetingStatus.CANCELLED])
    if to_come.exists() or not buyers.is_ready_to_meet(buyer):
        return
    # A request of an earlier run whose time passed unanswered still holds the buyer's one
    # waiting request to this vendor: the vendor declines it, as it would.
    for stale in Meeting.objects.filter(
        vendor_id=demo_booth.vendor_id,
        buyer=buyer,
        status=MeetingStatus.REQUESTED,
        starts_at__lte=timezone.now(),
    ):
        meetings.meeting_decline(
            meeting=stale, by=vendor, reason="The time passed before we could answer."
        )
    slots = matching.free_slots(expo=expo, vendor_id=demo_booth.vendor_id, buyer=buyer)
    if len(slots) < 4:
        return
    first = meetings.meeting_request(
        booth=demo_booth,
        starts_at=slots[0].starts_at,
        agenda="Samples and pricing for 500 pieces a quarter, shipped to Melbourne.",
        by=buyer,
    )
    meetings.meeting_accept(meeting=first, by=vendor)
    meetings.meeting_request(
        booth=demo_booth,
        starts_at=slots[3].starts_at,
        agenda="Labels in English and the export documents for Australia.",
        by=buyer,
    )


def _export_deal(demo_booth: Booth, *, vendor: User, buyer: User) -> None:
    """The demo buyer's request for quotation to the demo booth (FOB Semarang), answered with a
    quotation: a deposit of 30 %, valid for two weeks."""
    if QuoteRequest.objects.filter(booth=demo_booth, buyer=buyer).exists():
        return
    products = list(Product.objects.filter(booth=demo_booth, is_active=True).order_by("id")[:2])
    if not products:
        return
    request = rfq.quote_request_create(
        booth=demo_booth,
        buyer=buyer,
        lines=[rfq.RequestedLine(quantity=500, unit="pcs", product=p) for p in products],
        terms=rfq.RequestTerms(
            destination_country="AU",
            destination_place="Melbourne",
            incoterm="FOB",
            wanted_by=timezone.localdate() + timedelta(days=60),
            needs_halal=True,
            packaging="Retail packs with English labels, 20 packs a carton.",
            note="A first order for our delis; repeat orders every quarter if it sells.",
        ),
    )
    lines = [
        quotations.OfferedLine(
            name_en=p.name_en,
            name_id=p.name_id,
            quantity=500,
            unit_price=max(1, p.price * 85 // 100),
            unit="pcs",
            min_quantity=100,
            product=p,
        )  # fmt: skip
        for p in products
    ]
    quotations.quotation_send(
        request=request,
        by=vendor,
        lines=lines,
        terms=quotations.OfferTerms(
            incoterm="FOB",
            named_place="Tanjung Emas, Semarang",
            lead_time_days=21,
            valid_until=timezone.localdate() + timedelta(days=14),
            payment_terms=PaymentTerms.DEPOSIT,
            deposit_percent=30,
            shipping_terms=ShippingTerms.TO_AGREE,
            note="Price for 500 pieces or more; samples sent with the first order.",
        ),
    )


def _venue(expo: Expo, demo_booth: Booth, others: Sequence[Booth], *, organiser: User) -> None:
    """The hybrid expo's hall with numbered stands, the first ones given to the demo booth and a
    few others (made once)."""
    if Venue.objects.filter(expo=expo).exists():
        return
    venue = stands.venue_save(
        expo=expo, by=organiser, name="Hall B, PRPP Jawa Tengah",
        address="Jl. Madukoro Blok BB, Tawangmas, Semarang",
    )  # fmt: skip
    new = stands.stands_add(venue=venue, by=organiser, count=STANDS)
    for stand, booth in zip(new, [demo_booth, *others[: STANDS // 2]], strict=False):
        stands.stand_assign(stand=stand, by=organiser, booth=booth)


def _turnovers(expo: Expo) -> None:
    """The annual turnover each demo application declared. The demo writes its applications itself
    (their deadline has passed: no service takes one now), so the declared figure goes with them
    here, for those that have none."""
    rows = list(
        BoothApplication.objects.filter(expo=expo, declared_turnover__isnull=True).only("id")
    )
    for row in rows:
        row.declared_turnover = TURNOVERS[stable_seed("turnover", str(row.pk)) % len(TURNOVERS)]
    BoothApplication.objects.bulk_update(rows, ["declared_turnover"], batch_size=500)


def _grades(expo: Expo, demo_booth: Booth, *, organiser: User) -> None:
    """The expo's rubric (the default criteria and weights) and a few applications scored by the
    organiser: the demo booth's and some of those waiting for review."""
    grading_services.rubric_ensure(expo=expo)
    waiting = BoothApplication.objects.filter(
        expo=expo, status=BoothApplication.Status.SUBMITTED
    ).order_by("id")[: SCORED_APPLICATIONS - 1]
    chosen = [a for a in [demo_booth.application, *waiting] if a is not None]
    scored = set(
        ApplicationScore.objects.filter(application__in=chosen).values_list(
            "application_id", flat=True
        )
    )
    for application in chosen:
        if application.pk in scored:
            continue
        values = {
            key: 2 + stable_seed("score", str(application.pk), key) % 4 for key in Criterion.values
        }
        grading_services.application_score(application=application, by=organiser, values=values)
