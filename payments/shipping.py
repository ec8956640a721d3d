"""Shipping zones and each vendor's rate for an address.

A buyer's address falls in one zone per vendor: the vendor's own province, the rest of Indonesia,
or abroad. Each vendor sets, per zone, a flat rate per order, "arrange with the vendor" (agreed
after the order, paid to the vendor directly), or no shipping there. A zone without a row is
"arrange with the vendor".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote as url_quote

from django.utils.translation import gettext_lazy as _

from payments.models import ShippingMethod, ShippingZone, VendorShippingRate

# Indonesia's 38 provinces, as Kemendagri names them (the names regions are loaded with).
PROVINCES = (
    "Aceh", "Sumatera Utara", "Sumatera Barat", "Riau", "Kepulauan Riau", "Jambi",
    "Sumatera Selatan", "Kepulauan Bangka Belitung", "Bengkulu", "Lampung", "DKI Jakarta",
    "Jawa Barat", "Banten", "Jawa Tengah", "DI Yogyakarta", "Jawa Timur", "Bali",
    "Nusa Tenggara Barat", "Nusa Tenggara Timur", "Kalimantan Barat", "Kalimantan Tengah",
    "Kalimantan Selatan", "Kalimantan Timur", "Kalimantan Utara", "Sulawesi Utara", "Gorontalo",
    "Sulawesi Tengah", "Sulawesi Barat", "Sulawesi Selatan", "Sulawesi Tenggara", "Maluku",
    "Maluku Utara", "Papua", "Papua Barat", "Papua Barat Daya", "Papua Selatan", "Papua Tengah",
    "Papua Pegunungan",
)  # fmt: skip

PROVINCE_CHOICES = [("", _("Choose a province"))] + [(p, p) for p in PROVINCES]


def _same(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


def zone_for(*, country: str, region: str, vendor_province: str) -> ShippingZone:
    if country.upper() != "ID":
        return ShippingZone.INTERNATIONAL
    if region and vendor_province and _same(region, vendor_province):
        return ShippingZone.PROVINCE
    return ShippingZone.DOMESTIC


@dataclass(frozen=True)
class Quote:
    zone: ShippingZone
    method: ShippingMethod
    amount: int

    @property
    def ships(self) -> bool:
        return self.method != ShippingMethod.NONE


def vendor_rates(vendor_ids: Iterable[int]) -> dict[int, dict[str, VendorShippingRate]]:
    """Every rate of these vendors in one query: ``{vendor_id: {zone: rate}}``."""
    found: dict[int, dict[str, VendorShippingRate]] = {}
    for rate in VendorShippingRate.objects.filter(vendor_id__in=set(vendor_ids)):
        found.setdefault(rate.vendor_id, {})[rate.zone] = rate
    return found


def quote(rates: dict[str, VendorShippingRate], zone: ShippingZone) -> Quote:
    rate = rates.get(zone)
    if rate is None:
        return Quote(zone, ShippingMethod.ARRANGE, 0)
    method = ShippingMethod(rate.method)
    return Quote(zone, method, rate.amount if method == ShippingMethod.FLAT else 0)


# --- Tracking a parcel -----------------------------------------------------------------------------

# Each courier's own tracking page, with ``{number}`` where the page takes the tracking number
# (URL-encoded); a page that cannot take it in its address is linked as it is, the number shown
# beside the link. "Other courier" has no page: the vendor names it, and the number is only shown.
TRACKING_PAGES = {
    "jne": "https://www.jne.co.id/tracking-package?awb={number}",
    "jnt": "https://jet.co.id/track?awb={number}",
    "sicepat": "https://www.sicepat.com/checkAwb/{number}",
    "pos": "https://www.posindonesia.co.id/id/tracking",
    "anteraja": "https://anteraja.id/tracking/{number}",
}


def tracking_url(courier: str, number: str) -> str:
    """The page where ``courier`` (an ``OrderPart.Courier`` value) tracks ``number``, or "" when
    there is none (another courier, or no number yet)."""
    page = TRACKING_PAGES.get(courier or "")
    number = (number or "").strip()
    if page is None or not number:
        return ""
    return page.format(number=url_quote(number, safe=""))
