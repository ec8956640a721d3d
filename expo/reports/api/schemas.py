"""The shapes of the data API's answers. They are the single source of the OpenAPI document and of
the answers themselves: each field reads the figures' objects (``expo.reports.figures``) through its
name, an alias (dotted for a nested attribute or key) or a resolver, so there is no second mapping.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from django.urls import reverse
from ninja import Field, Schema
from pydantic import ConfigDict, RootModel

from expo.models import ExpoState

BREAKDOWNS = ("regions", "sectors", "booths", "days", "countries")
Breakdown = Literal["regions", "sectors", "booths", "days", "countries"]

Rupiah = Annotated[int, Field(description="Whole rupiah (IDR).")]
Refunds = Annotated[int, Field(description="Whole rupiah (IDR), negative or zero.")]


class Answer(Schema):
    """An object of an answer: every field is always present and there is nothing else, which the
    document says (so a client, and the tests, can hold the answers to it). Fields are read by
    their alias from the figures, and by their name from an answer already shaped."""

    model_config = ConfigDict(
        json_schema_extra={"additionalProperties": False},
        json_schema_serialization_defaults_required=True,
        validate_by_name=True,
    )


class ErrorDetail(Answer):
    code: str
    message: str


class Error(Answer):
    error: ErrorDetail


class Expo(Answer):
    slug: str
    title: str = Field(alias="title_en")
    title_id: str
    office: str = Field(alias="office.name")
    opens_at: datetime
    closes_at: datetime
    state: ExpoState


class ExpoLinks(Answer):
    omzet: str


class ExpoListItem(Answer):
    """An expo of the office with its headline figures."""

    # Read from a ``figures.ExpoSummary``: the expo's own fields through it.

    slug: str = Field(alias="expo.slug")
    title: str = Field(alias="expo.title_en")
    title_id: str = Field(alias="expo.title_id")
    office: str = Field(alias="expo.office.name")
    opens_at: datetime = Field(alias="expo.opens_at")
    closes_at: datetime = Field(alias="expo.closes_at")
    state: ExpoState = Field(alias="expo.state")
    omzet: Rupiah = Field(description="The expo's own omzet; the mall's after closing is apart.")
    mall_omzet: Rupiah
    total: Rupiah = Field(description="The expo's own omzet and its mall's together.")
    transactions: int
    buyers: int
    booths: int
    links: ExpoLinks

    @staticmethod
    def resolve_links(summary, context) -> dict[str, str]:
        url = reverse("api:expo_omzet", args=[summary.expo.slug])
        return {"omzet": context["request"].build_absolute_uri(url)}


class Totals(Answer):
    omzet: Rupiah
    sales: Rupiah
    refunds: Refunds
    transactions: int
    buyers: int
    buyers_abroad: int
    average_order_value: Rupiah = Field(alias="aov")
    items_sold: int = Field(alias="quantity")
    booths: int
    umkm_with_sales: int = Field(alias="vendors_with_sales")
    booth_visits: int = Field(
        alias="visits", description="Booth page visits, each visitor counted once a day."
    )
    visitors: int = Field(
        description="People who opened a booth or product page, wrote in a live session's chat "
        "or bought; each once."
    )
    conversion: float | None = Field(
        description="Percent of the visitors who bought (0 to 100); null without visitors."
    )


class PotentialDeals(Answer):
    count: int
    estimated_value: Rupiah = Field(alias="value")
    verified_count: int
    verified_value: Rupiah


# The rows of the breakdowns, each read from a ``figures.Row`` (key, label, money, extra).


class RegionRow(Answer):
    region_id: int = Field(alias="key")
    name: str = Field(alias="label")
    omzet: Rupiah
    sales: Rupiah = Field(alias="money.sales")
    refunds: Refunds = Field(alias="money.refunds")
    umkm_with_sales: int = Field(0, alias="extra.booths")


class SectorRow(Answer):
    sector_id: int = Field(alias="key")
    name: str = Field(alias="label")
    omzet: Rupiah
    sales: Rupiah = Field(alias="money.sales")
    refunds: Refunds = Field(alias="money.refunds")
    umkm_with_sales: int = Field(0, alias="extra.booths")


class BoothRow(Answer):
    booth_id: int = Field(alias="key")
    booth_slug: str = Field("", alias="extra.slug")
    umkm: str = Field(alias="label")
    omzet: Rupiah
    sales: Rupiah = Field(alias="money.sales")
    refunds: Refunds = Field(alias="money.refunds")
    orders: int
    quantity: int = Field(alias="money.quantity")
    visits: int = Field(0, alias="extra.visits")
    visitors: int = Field(0, alias="extra.visitors")
    buyers: int = Field(0, alias="extra.buyers")
    conversion: float | None = Field(
        None,
        alias="extra.conversion",
        description="Percent of the booth's visitors who bought from it (0 to 100).",
    )


class DayRow(Answer):
    day: date = Field(alias="key", description="An Asia/Jakarta day.")
    omzet: Rupiah
    sales: Rupiah = Field(alias="money.sales")
    refunds: Refunds = Field(alias="money.refunds")
    orders: int


class CountryRow(Answer):
    country: str = Field(alias="key")
    name: str = Field(alias="label")
    omzet: Rupiah
    sales: Rupiah = Field(alias="money.sales")
    refunds: Refunds = Field(alias="money.refunds")
    orders: int
    buyers: int = Field(0, alias="extra.buyers")


class BreakdownRow(RootModel[RegionRow | SectorRow | BoothRow | DayRow | CountryRow]):
    """A row of whichever breakdown was asked for."""


# Each breakdown: its row shape and the dashboard's list it is read from.
BREAKDOWN_ROWS: dict[str, tuple[type[Answer], str]] = {
    "regions": (RegionRow, "by_region"),
    "sectors": (SectorRow, "by_sector"),
    "booths": (BoothRow, "by_booth"),
    "days": (DayRow, "daily"),
    "countries": (CountryRow, "by_country"),
}


class BreakdownLinks(Answer):
    regions: str
    sectors: str
    booths: str
    days: str
    countries: str


class ChannelRow(Answer):
    channel: str = Field(alias="key")
    name: str = Field(alias="label")
    omzet: Rupiah
    sales: Rupiah = Field(alias="money.sales")
    refunds: Refunds = Field(alias="money.refunds")
    orders: int


class ChannelSplit(Answer):
    """The expo's own omzet (``totals.omzet``) and the mall's apart, never merged, with the
    total beside them; sales at the physical stands verified and unverified apart."""

    expo_omzet: Rupiah = Field(alias="expo.omzet")
    mall_omzet: Rupiah = Field(
        alias="mall.omzet", description="Orders placed in the mall after the expo closed."
    )
    total: Rupiah = Field(description="The expo's own omzet and the mall's together.")
    offline_verified: Rupiah = Field(
        description="Sales recorded at the stands and verified by an organiser."
    )
    offline_unverified: Rupiah = Field(
        description="Sales recorded at the stands, not verified yet (in the expo's omzet)."
    )
    by_channel: list[ChannelRow]


class Omzet(Answer):
    expo: Expo
    currency: Literal["IDR"]
    totals: Totals
    channels: ChannelSplit
    potential_deals: PotentialDeals
    by_region: list[RegionRow]
    by_sector: list[SectorRow]
    by_day: list[DayRow]
    links: BreakdownLinks
    generated_at: datetime


# The export-deal funnel (expo.reports.figures.funnel).


class FunnelRow(Answer):
    key: str | int | None = Field(
        description="Country code, or the UMKM's, sector's or regency's id."
    )
    label: str
    quotations: int
    accepted: int
    potential: Rupiah
    agreed: Rupiah
    realised: Rupiah


class FunnelBreakdowns(Answer):
    by_vendor: list[FunnelRow] = Field(alias="vendor")
    by_buyer_country: list[FunnelRow] = Field(alias="buyer_country")
    by_sector: list[FunnelRow] = Field(alias="sector")
    by_region: list[FunnelRow] = Field(alias="region")


class Funnel(Answer):
    expo: Expo
    currency: Literal["IDR"]
    requests: int = Field(description="Requests for quotation asked at the expo.")
    quoted_requests: int
    quotations: int
    accepted: int
    acceptance_rate: float | None = Field(description="Accepted ÷ quotations, in %.")
    potential: Rupiah = Field(description="Goods value of each quotation's current revision.")
    agreed: Rupiah = Field(description="Goods value of the accepted quotations.")
    realised: Rupiah = Field(description="Paid, from the sales ledger (channel quotation).")
    recorded_without_request: Rupiah = Field(
        alias="recorded", description="Potential deals recorded by hand, not tied to a request."
    )
    median_first_quote_hours: float | None
    breakdowns: FunnelBreakdowns = Field(alias="by")
    generated_at: datetime


# Business meetings (expo.reports.figures.meetings).


class MeetingRow(Answer):
    key: str = Field(description="Country code (empty without a business profile), or the id.")
    label: str
    requested: int = Field(description="Meetings asked for or proposed, whatever became of them.")
    confirmed: int = Field(description="Agreed by both sides (then held, a no-show, or to come).")
    held: int
    no_shows: int
    deals: int = Field(description="Potential deals the vendors recorded after the meetings.")
    deal_value: Rupiah = Field(description="Their potential value: never omzet.")


class MeetingBreakdowns(Answer):
    by_vendor: list[MeetingRow] = Field(alias="vendor")
    by_buyer_country: list[MeetingRow] = Field(alias="buyer_country")
    by_sector: list[MeetingRow] = Field(alias="sector")


class Meetings(Answer):
    expo: Expo
    currency: Literal["IDR"]
    total: MeetingRow
    breakdowns: MeetingBreakdowns = Field(alias="by")
    generated_at: datetime
