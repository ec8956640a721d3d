"""The demo's live side: four live sessions over the expo with pinned products, and a short chat in
the demo vendor's booth."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from booths.models import Booth, Product
from events.models import AuthorRole, ChatMessage, LiveSession, RoomKind, SessionPin
from expo.models import Expo, User

# (booth slug — else the demo vendor's booth —, title en, title id, description en, description id,
#  hours after opening, length in hours, stream)
DEMO_SESSIONS = (
    (
        "",
        "Live from the kitchen: tempe chips fried to order",
        "Live dari dapur: keripik tempe digoreng sesuai pesanan",
        "See how the chips are sliced, spiced and fried, ask about shelf life and order on the spot.",
        "Lihat keripik diiris, dibumbui dan digoreng, tanya soal daya tahan dan pesan langsung.",
        0,
        3,
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    ),
    (
        "batik-lasem-sekar-kencana",
        "Live batik: from canting to cloth",
        "Live batik: dari canting sampai kain",
        "Watch a batik tulis piece being drawn by hand, ask about motifs and order on the spot.",
        "Saksikan batik tulis digambar dengan tangan, tanya soal motif dan pesan langsung.",
        20,
        1,
        "https://vimeo.com/76979871",
    ),
    (
        "mebel-ukir-jepara-mulya",
        "Export readiness Q&A for furniture buyers",
        "Tanya jawab kesiapan ekspor untuk pembeli mebel",
        "Buyers from abroad ask about lead times, certificates and shipping. Opens in Zoom.",
        "Pembeli mancanegara bertanya soal waktu produksi, sertifikat dan pengiriman. Lewat Zoom.",
        27,
        1,
        "https://zoom.us/j/5551234567",
    ),
    (
        "kopi-lereng-sindoro",
        "Live selling: coffee from the slopes of Sindoro",
        "Live selling: kopi dari lereng Sindoro",
        "Single-origin beans roasted to order, with brewing tips and bundle prices for the session.",
        "Biji kopi single origin disangrai sesuai pesanan, tips seduh dan harga paket khusus sesi.",
        46,
        2,
        "https://www.youtube.com/watch?v=jNQXAC9IVRw",
    ),
)

DEMO_CHAT = (
    ("buyer", "Hello! Do you ship to Australia, and how long does it take?"),
    ("vendor", "Halo! Yes, we ship by EMS: about 7–10 days to Sydney. Shipping shows at checkout."),
    ("buyer", "Great. Are the chips halal, and how long do they keep?"),
    ("vendor", "Yes, halal certified. Sealed packs keep 3 months; we fry each order fresh."),
)


def seed_live(
    expo: Expo, demo_booth: Booth, booths: Sequence[Booth], *, vendor: User, buyer: User
) -> None:
    """Four live sessions spread over the expo (the first one live from the opening, on the demo
    vendor's booth, with pinned products) and a short chat in the demo booth. Times follow the
    expo's opening, so a re-opened demo expo gets its agenda moved with it."""
    by_slug = {booth.slug: booth for booth in booths}
    for slug, title_en, title_id, text_en, text_id, after, hours, stream in DEMO_SESSIONS:
        host = by_slug.get(slug, demo_booth)
        starts_at = expo.opens_at + timedelta(hours=after)
        session, _created = LiveSession.objects.update_or_create(
            booth=host,
            title_en=title_en,
            defaults={
                "title_id": title_id,
                "description_en": text_en,
                "description_id": text_id,
                "starts_at": starts_at,
                "ends_at": min(starts_at + timedelta(hours=hours), expo.closes_at),
                "stream_url": stream,
                "created_by": vendor if host.pk == demo_booth.pk else None,
            },
        )
        if not session.pins.exists():
            products = Product.objects.filter(booth=host, is_active=True).order_by(
                "-is_featured", "id"
            )
            SessionPin.objects.bulk_create(
                SessionPin(session=session, product=product, position=position)
                for position, product in enumerate(products[:3])
            )
    exists = ChatMessage.objects.filter(room_kind=RoomKind.BOOTH, room_id=demo_booth.pk).exists()
    if not exists:
        names = {
            "buyer": (buyer, buyer.name or "Buyer"),
            "vendor": (vendor, vendor.name or "Vendor"),
        }
        for role, body in DEMO_CHAT:
            author, name = names[role]
            ChatMessage.objects.create(
                room_kind=RoomKind.BOOTH,
                room_id=demo_booth.pk,
                expo=expo,
                author=author,
                author_name=name,
                author_role=AuthorRole.VENDOR if role == "vendor" else AuthorRole.BUYER,
                body=body,
            )
