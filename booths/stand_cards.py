"""Printable stand cards: each physical stand's number, its booth, and a QR code to the booth's
page with the stand's code (``?stand=<code>``), so an order that starts there is counted for the
stand. One A6 card per page, rendered by WeasyPrint as the expo's PDF report is."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from booths.hooks import STAND_PARAM
from booths.models import Stand


def stand_link(stand: Stand) -> str:
    """The absolute address a stand's QR code holds: its booth's page with the stand's code."""
    booth = stand.booth
    path = reverse("booths:booth", args=[booth.expo.slug, booth.slug])
    return f"{settings.SITE_URL}{path}?{urlencode({STAND_PARAM: stand.code})}"


def qr_code(link: str) -> segno.QRCode:
    # Medium error correction: a card may be creased or partly covered on a busy stand.
    return segno.make(link, error="m", micro=False)


def qr_png_data_uri(link: str, *, scale: int = 10) -> str:
    return qr_code(link).png_data_uri(scale=scale, border=2)


def cards_pdf(stands: Sequence[Stand], *, expo_title: str) -> bytes:
    """One card per assigned stand (a stand without a booth has nothing to point to)."""
    from weasyprint import CSS, HTML

    cards = [
        {"stand": stand, "link": link, "qr": qr_png_data_uri(link)}
        for stand in stands
        if stand.booth is not None
        for link in [stand_link(stand)]
    ]
    html = render_to_string("booths/stand_cards.html", {"cards": cards, "expo_title": expo_title})
    style = CSS(string=render_to_string("booths/stand_cards.css"))
    return HTML(string=html).write_pdf(stylesheets=[style])
