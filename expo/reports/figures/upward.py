"""The report an office sends upward, per expo and per year.

For each expo: the UMKM taking part (its booths) by regency, sector and size class; their omzet by
channel — "expo" (direct, live sessions, banners) and every other channel of the ledger apart
(mall, stand, offline, quotation), never merged; buyers by country; potential deals beside the
deals realised through the ledger (the quotation channel); and the UMKM that moved up a size class
("naik kelas", PP 7/2021) since an earlier expo of the office, by the annual turnover each declared
when it applied. The size class of an UMKM at an expo is the one of its declared turnover, else
(applications from before it was asked) the class on its profile.

:func:`upward_reports` reads any number of expos in a fixed number of queries; the year view is
those expos side by side. Omzet and buyers come from the omzet rollups (``payments`` keeps them
with every ledger write; a rebuild from the ledger gives the same), so the report costs the same
however long the ledger.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from booths import grading
from booths.models import Booth, BoothApplication
from expo.countries import country_name
from expo.models import Expo
from expo.reports.figures.curation import CurationFigures, curation_figures
from expo.reports.models import PotentialDeal
from payments.models import Channel, OfflineSale, OmzetBuyerCount, OmzetByBooth

# The channels of the expo itself: one column, "expo".
EXPO_CHANNELS = frozenset({"direct", "live_session", "banner"})
EXPO = "expo"
# The columns every upward report shows, in this order, even while a channel does not exist yet
# in the ledger (it then shows zero); any other channel of the ledger follows them.
NAMED_CHANNELS = ("mall", "stand", "offline", "quotation")
FALLBACK_LABELS = {
    "mall": _("Mall"),
    "stand": _("Stand (QR code)"),
    "offline": _("Offline at the stand"),
    "quotation": _("Quotation"),
}


def channel_key(channel: str) -> str:
    """The upward report's column of a ledger channel."""
    return EXPO if channel in EXPO_CHANNELS else channel


def channel_columns() -> list[tuple[str, str]]:
    """(key, label) of every omzet column: the expo's own channels as one, then the named ones and
    any other value of ``payments.Channel``, labelled by its choices where it is one."""
    labels = {value: str(label) for value, label in Channel.choices}
    columns = [(EXPO, str(_("Expo (direct, live sessions, banners)")))]
    for key in NAMED_CHANNELS:
        columns.append((key, labels.get(key) or str(FALLBACK_LABELS[key])))
    for value, label in Channel.choices:
        if value not in EXPO_CHANNELS and value not in NAMED_CHANNELS:
            columns.append((value, str(label)))
    return columns


@dataclass
class Umkm:
    """One UMKM taking part in an expo: the XLSX's row."""

    vendor_id: int
    name: str
    nib: str
    region: str
    sector: str
    size_class: str
    turnover: int | None
    grade: str = ""
    score: Any = None
    omzet: dict[str, int] = field(default_factory=dict)
    per_channel: list[int] = field(default_factory=list)  # in the order of the report's columns
    offline_unverified: int = 0  # part of the "offline" column no organiser has verified yet

    @property
    def size_label(self) -> str:
        return str(grading.SIZE_LABELS.get(self.size_class, self.size_class))

    @property
    def total(self) -> int:
        return sum(self.omzet.values())


@dataclass
class Tally:
    label: str
    umkm: int = 0
    omzet: int = 0


@dataclass
class DealFigures:
    potential_count: int = 0
    potential_value: int = 0
    agreed_count: int = 0
    agreed_value: int = 0
    verified_value: int = 0
    realised_orders: int = 0
    realised_value: int = 0  # omzet of the quotation channel: deals paid through the ledger


@dataclass
class Moved:
    vendor_id: int
    name: str
    before: str
    after: str
    turnover_before: int
    turnover_after: int

    @property
    def before_label(self) -> str:
        return str(grading.SIZE_LABELS.get(self.before, self.before))

    @property
    def after_label(self) -> str:
        return str(grading.SIZE_LABELS.get(self.after, self.after))


@dataclass
class NaikKelas:
    """UMKM that moved up a size class between ``since`` and the report's expo, among the
    ``compared`` UMKM that took part in both and declared their turnover both times."""

    since: Expo | None = None
    compared: int = 0
    moved: list[Moved] = field(default_factory=list)


@dataclass
class UpwardReport:
    expo: Expo
    columns: list[tuple[str, str]]
    umkm: list[Umkm] = field(default_factory=list)
    by_region: list[Tally] = field(default_factory=list)
    by_sector: list[Tally] = field(default_factory=list)
    by_size: list[Tally] = field(default_factory=list)
    channels: dict[str, int] = field(default_factory=dict)
    offline_unverified: int = 0
    buyers: int = 0
    buyers_abroad: int = 0
    by_country: list[tuple[str, str, int]] = field(default_factory=list)
    deals: DealFigures = field(default_factory=DealFigures)
    naik_kelas: NaikKelas = field(default_factory=NaikKelas)
    curation: CurationFigures | None = None

    @property
    def omzet(self) -> int:
        return sum(self.channels.values())

    @property
    def channel_rows(self) -> list[tuple[str, str, int]]:
        return [(key, label, self.channels.get(key, 0)) for key, label in self.columns]

    @property
    def tallies(self) -> list[tuple[str, list[Tally], str]]:
        """(title, rows, first column's title) of the UMKM by regency, sector and size class."""
        return [
            (_("UMKM by regency"), self.by_region, _("Regency/city")),
            (_("UMKM by sector"), self.by_sector, _("Sector")),
            (_("UMKM by size class"), self.by_size, _("Size class")),
        ]

    @property
    def grade_tables(self) -> list[tuple[str, list[Any]]]:
        if self.curation is None:
            return []
        return [
            (_("Regency/city"), self.curation.by_region),
            (_("Sector"), self.curation.by_sector),
        ]


def previous_expo(expo: Expo) -> Expo | None:
    """The office's latest expo that opened before ``expo``: what naik kelas compares with."""
    return (
        Expo.objects.filter(office_id=expo.office_id, opens_at__lt=expo.opens_at)
        .order_by("-opens_at")
        .first()
    )


def _breakdown(umkm: list[Umkm], key: str, order: list[str] | None = None) -> list[Tally]:
    rows: dict[str, Tally] = {}
    for item in umkm:
        label = item.size_label if key == "size" else getattr(item, key)
        row = rows.setdefault(label, Tally(label))
        row.umkm += 1
        row.omzet += item.total
    if order is not None:
        return [rows[label] for label in order if label in rows]
    return sorted(rows.values(), key=lambda r: (-r.umkm, -r.omzet, r.label))


def _participants(ids: list[int]) -> dict[int, list[Umkm]]:
    booths = Booth.objects.filter(expo_id__in=ids).select_related(
        "vendor__region", "vendor__sector", "application"
    )
    found: dict[int, list[Umkm]] = defaultdict(list)
    for booth in booths.order_by("vendor__name", "pk"):
        vendor, application = booth.vendor, booth.application
        turnover = application.declared_turnover if application else None
        found[booth.expo_id].append(
            Umkm(
                vendor_id=vendor.pk,
                name=vendor.name,
                nib=vendor.nib,
                region=str(vendor.region),
                sector=vendor.sector.name,
                size_class=grading.size_class_of(turnover) or vendor.size_class,
                turnover=turnover,
                grade=application.curation_grade if application else "",
                score=application.curation_score if application else None,
            )
        )
    return found


def _omzet(ids: list[int]) -> dict[tuple[int, int], dict[str, int]]:
    """Omzet per (expo, vendor) and column — one query over the omzet rollups (kept with every
    ledger write, so it costs the same on ten million ledger rows as on ten)."""
    found: dict[tuple[int, int], dict[str, int]] = defaultdict(Counter)
    for row in (
        OmzetByBooth.objects.filter(expo_id__in=ids)
        .values("expo_id", "vendor_id", "channel")
        .annotate(sales=Sum("sales"), refunds=Sum("refunds"))
        .order_by()
    ):
        omzet = (row["sales"] or 0) + (row["refunds"] or 0)
        found[row["expo_id"], row["vendor_id"]][channel_key(row["channel"])] += omzet
    return found


def _unverified(ids: list[int]) -> dict[tuple[int, int], int]:
    """Stand sales no organiser has verified (nor rejected) yet, per (expo, vendor) — one query.
    They are in the ledger's "offline" channel; the report names the unverified part of it."""
    return {
        (row["expo_id"], row["vendor_id"]): row["total"] or 0
        for row in OfflineSale.objects.filter(
            expo_id__in=ids, verification__isnull=True, rejected_at__isnull=True
        )
        .values("expo_id", "vendor_id")
        .annotate(total=Sum("total"))
        .order_by()
    }


def _buyers(ids: list[int]) -> dict[int, tuple[int, int, Counter]]:
    """Unique buyers, abroad, and per country, of each expo — one query over the buyer counts the
    rollups keep (a buyer is the account, else the e-mail address)."""
    found: dict[int, list] = {i: [0, 0, Counter()] for i in ids}
    for expo_id, scope, buyers in (
        OmzetBuyerCount.objects.filter(expo_id__in=ids, booth__isnull=True)
        .values_list("expo_id", "scope", "buyers")
        .order_by()
    ):
        if scope == "expo":
            found[expo_id][0] = buyers
        elif scope == "abroad":
            found[expo_id][1] = buyers
        elif scope.startswith("country:") and buyers:
            found[expo_id][2][scope.removeprefix("country:")] = buyers
    return {i: (found[i][0], found[i][1], found[i][2]) for i in ids}


def _deals(ids: list[int]) -> dict[int, DealFigures]:
    valid = ~Q(status=PotentialDeal.Status.CANCELLED) & ~Q(
        verification=PotentialDeal.Verification.REJECTED
    )
    agreed = valid & Q(status=PotentialDeal.Status.AGREED)
    verified = valid & Q(verification=PotentialDeal.Verification.VERIFIED)
    found = {i: DealFigures() for i in ids}
    for row in (
        PotentialDeal.objects.filter(expo_id__in=ids)
        .values("expo_id")
        .annotate(
            potential_count=Count("id", filter=valid),
            potential_value=Sum("estimated_value", filter=valid),
            agreed_count=Count("id", filter=agreed),
            agreed_value=Sum("estimated_value", filter=agreed),
            verified_value=Sum("estimated_value", filter=verified),
        )
        .order_by()
    ):
        item = found[row["expo_id"]]
        for name in (
            "potential_count",
            "potential_value",
            "agreed_count",
            "agreed_value",
            "verified_value",
        ):
            setattr(item, name, row[name] or 0)
    for row in (
        OmzetByBooth.objects.filter(expo_id__in=ids, channel="quotation")
        .values("expo_id")
        .annotate(sales=Sum("sales"), refunds=Sum("refunds"), orders=Sum("orders"))
        .order_by()
    ):
        found[row["expo_id"]].realised_value = (row["sales"] or 0) + (row["refunds"] or 0)
        found[row["expo_id"]].realised_orders = row["orders"] or 0
    return found


def naik_kelas(pairs: dict[int, Expo | None]) -> dict[int, NaikKelas]:
    """For each expo id, the UMKM that moved up a size class since the expo it is paired with:
    approved applications at both, with a declared turnover both times — one query."""
    ids = set(pairs) | {e.pk for e in pairs.values() if e is not None}
    turnover: dict[tuple[int, int], tuple[int, str]] = {}
    for expo_id, vendor_id, amount, name in BoothApplication.objects.filter(
        expo_id__in=ids,
        status=BoothApplication.Status.APPROVED,
        declared_turnover__isnull=False,
    ).values_list("expo_id", "vendor_id", "declared_turnover", "vendor__name"):
        turnover[expo_id, vendor_id] = (amount, name)
    found = {}
    for expo_id, since in pairs.items():
        result = NaikKelas(since=since)
        if since is not None:
            for (at, vendor_id), (after, name) in sorted(turnover.items(), key=lambda i: i[1][1]):
                if at != expo_id or (since.pk, vendor_id) not in turnover:
                    continue
                before = turnover[since.pk, vendor_id][0]
                result.compared += 1
                size_before, size_after = (
                    grading.size_class_of(before),
                    grading.size_class_of(after),
                )
                if grading.moved_up(size_before, size_after):
                    result.moved.append(
                        Moved(vendor_id, name, size_before, size_after, before, after)
                    )
        found[expo_id] = result
    return found


def upward_reports(expos: list[Expo], *, since: dict[int, Expo | None]) -> list[UpwardReport]:
    """The upward report of each of ``expos`` (naik kelas since ``since[expo.pk]``), in a fixed
    number of queries for any number of expos."""
    ids = [e.pk for e in expos]
    columns = channel_columns()
    people = _participants(ids)
    omzet = _omzet(ids)
    unverified = _unverified(ids)
    buyers = _buyers(ids)
    deals = _deals(ids)
    moved = naik_kelas({e.pk: since.get(e.pk) for e in expos})
    curation = curation_figures(ids)
    sizes = [str(label) for label in grading.SIZE_LABELS.values()]
    reports = []
    for expo in expos:
        umkm = people.get(expo.pk, [])
        channels: Counter = Counter(dict.fromkeys((key for key, _label in columns), 0))
        for item in umkm:
            item.omzet = {key: omzet[expo.pk, item.vendor_id].get(key, 0) for key, _l in columns}
            item.per_channel = list(item.omzet.values())
            item.offline_unverified = unverified.get((expo.pk, item.vendor_id), 0)
        for (expo_id, _vendor), values in omzet.items():
            if expo_id == expo.pk:
                channels.update(values)
        count, abroad, countries = buyers[expo.pk]
        reports.append(
            UpwardReport(
                expo=expo,
                columns=columns,
                umkm=umkm,
                by_region=_breakdown(umkm, "region"),
                by_sector=_breakdown(umkm, "sector"),
                by_size=_breakdown(umkm, "size", sizes),
                channels=dict(channels),
                offline_unverified=sum(v for (e, _v), v in unverified.items() if e == expo.pk),
                buyers=count,
                buyers_abroad=abroad,
                by_country=sorted(
                    ((code, country_name(code), n) for code, n in countries.items()),
                    key=lambda r: (-r[2], r[1]),
                ),
                deals=deals[expo.pk],
                naik_kelas=moved[expo.pk],
                curation=curation.get(expo.pk),
            )
        )
    return reports


def upward_report(expo: Expo, *, since: Expo | None = None) -> UpwardReport:
    """One expo's upward report; naik kelas since ``since`` (default: the office's previous expo)."""
    return upward_reports([expo], since={expo.pk: since or previous_expo(expo)})[0]


def year_expos(office_id: int, year: int, tz: Any) -> list[Expo]:
    """The office's expos that opened in ``year`` (in ``tz``), first first."""
    start = datetime(year, 1, 1, tzinfo=tz)
    end = datetime(year + 1, 1, 1, tzinfo=tz)
    return list(
        Expo.objects.filter(office_id=office_id, opens_at__gte=start, opens_at__lt=end)
        .select_related("office")
        .order_by("opens_at", "pk")
    )


def year_reports(office_id: int, year: int, tz: Any) -> list[UpwardReport]:
    """The office's expos of ``year`` side by side, each with naik kelas since the office's expo
    before it (two more queries for those)."""
    expos = year_expos(office_id, year, tz)
    if not expos:
        return []
    earlier = list(
        Expo.objects.filter(office_id=office_id, opens_at__lt=expos[-1].opens_at).order_by(
            "opens_at", "pk"
        )
    )
    since: dict[int, Expo | None] = {}
    for expo in expos:
        before = [e for e in earlier if e.opens_at < expo.opens_at]
        since[expo.pk] = before[-1] if before else None
    return upward_reports(expos, since=since)


@dataclass(frozen=True)
class SideRow:
    label: str
    values: list[Any]
    money: bool = False
    strong: bool = False


def side_by_side(reports: list[UpwardReport]) -> dict[str, list[SideRow]]:
    """The year view's tables, expos as columns: the main figures, the UMKM per size class and
    the buyers per country."""
    main = [
        SideRow(str(_("UMKM taking part")), [len(r.umkm) for r in reports]),
        *[
            SideRow(
                str(_("Omzet: %(channel)s") % {"channel": label}),
                [r.channels.get(key, 0) for r in reports],
                money=True,
            )
            for key, label in (reports[0].columns if reports else [])
        ],
        SideRow(str(_("Omzet, all channels")), [r.omzet for r in reports], True, True),
        SideRow(
            str(_("Of which stand sales not verified yet")),
            [r.offline_unverified for r in reports],
            money=True,
        ),
        SideRow(str(_("Buyers")), [r.buyers for r in reports]),
        SideRow(str(_("Buyers abroad")), [r.buyers_abroad for r in reports]),
        SideRow(
            str(_("Potential deals (not in omzet)")),
            [r.deals.potential_value for r in reports],
            money=True,
        ),
        SideRow(
            str(_("Deals realised through the ledger")),
            [r.deals.realised_value for r in reports],
            money=True,
        ),
        SideRow(
            str(_("UMKM that moved up a size class")), [len(r.naik_kelas.moved) for r in reports]
        ),
    ]
    for grade in grading.GRADES:
        main.append(
            SideRow(
                str(_("Curation grade %(grade)s") % {"grade": grade}),
                [r.curation.total.grades[grade] if r.curation else 0 for r in reports],
            )
        )
    sizes = []
    for label in (str(label) for label in grading.SIZE_LABELS.values()):
        counts = [next((t.umkm for t in r.by_size if t.label == label), 0) for r in reports]
        if any(counts):
            sizes.append(SideRow(label, counts))
    names: dict[str, str] = {}
    for r in reports:
        names.update({code: name for code, name, _n in r.by_country})
    countries = [
        SideRow(
            names[code],
            [next((n for c, _name, n in r.by_country if c == code), 0) for r in reports],
        )
        for code in sorted(names, key=lambda c: names[c])
    ]
    return {"main": main, "sizes": sizes, "countries": countries}
