"""The XLSX export: rupiah cells carry a rupiah number format (and stay numbers), columns are as wide
as their contents, and sheet names fit Excel's 31 characters without cutting a word."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from expo.reports.exports import (
    RUPIAH_FORMAT,
    Rupiah,
    Table,
    column_widths,
    sheet_name,
    to_xlsx,
)
from expo.reports.models import PotentialDeal

pytestmark = pytest.mark.django_db


@pytest.fixture
def sales(expo, booths, write):
    at = timezone.now() - timedelta(hours=3)
    order, lines = write.order(lines=[(booths[0], 1_250_000, 2), (booths[1], 35_000, 1)], at=at)
    write.refund(order, lines[1], 35_000, at + timedelta(hours=1))
    PotentialDeal.objects.create(
        expo=expo,
        booth=booths[0],
        vendor=booths[0].vendor,
        buyer_company="Tokyo Trading Co.",
        buyer_country="JP",
        product="Batik tulis",
        estimated_value=75_000_000,
    )


def _workbook(client, organiser, expo, language="en"):
    organiser.language = language
    organiser.save(update_fields=["language"])
    client.force_login(organiser)
    url = reverse("manage:reports:export", args=[expo.slug, "all", "xlsx"])
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def test_rupiah_cells_have_the_rupiah_format_and_stay_numbers(client, organiser, expo, sales):
    book = _workbook(client, organiser, expo)
    booths = book["Omzet by booth"]
    header = [c.value for c in booths[1]]
    omzet, orders = header.index("Omzet (Rp)"), header.index("Orders")
    first = list(booths.iter_rows(min_row=2, max_row=2))[0]
    assert first[omzet].value == 2_500_000 and isinstance(first[omzet].value, int)
    assert first[omzet].number_format == RUPIAH_FORMAT
    assert first[orders].number_format == "General"  # counts are not money

    summary = {row[0].value: row[1] for row in book["Summary"].iter_rows(min_row=2)}
    assert summary["Omzet (Rp)"].number_format == RUPIAH_FORMAT
    assert summary["Average order value (Rp)"].number_format == RUPIAH_FORMAT
    assert summary["Unique buyers"].number_format == "General"
    refunds = summary["Refunds (Rp)"]
    assert refunds.value == -35_000 and refunds.number_format == RUPIAH_FORMAT

    deals = book["Potential deals (not in omzet)"]
    header = [c.value for c in deals[1]]
    value = list(deals.iter_rows(min_row=2, max_row=2))[0][header.index("Estimated value (Rp)")]
    assert value.value == 75_000_000 and value.number_format == RUPIAH_FORMAT


def test_columns_are_as_wide_as_their_contents(client, organiser, expo, sales):
    book = _workbook(client, organiser, expo)
    for sheet in book.worksheets:
        for cell in sheet[1]:
            width = sheet.column_dimensions[cell.column_letter].width
            assert 8 <= width <= 60, (sheet.title, cell.value, width)
            assert width >= min(len(str(cell.value)) + 2, 60), (sheet.title, cell.value)
        assert sheet.freeze_panes == "A2"
    deals = book["Potential deals (not in omzet)"]
    company = [c.value for c in deals[1]].index("Buyer company")
    letter = deals[1][company].column_letter
    assert deals.column_dimensions[letter].width >= len("Tokyo Trading Co.") + 2


def test_widths_fit_rupiah_as_shown_and_stay_within_bounds():
    table = Table("t", "T", ["UMKM", "Omzet (Rp)", "Story"], [["A", None, "x" * 500]])
    table.rows[0][1] = Rupiah(123_456_789_000)
    narrow, money, story = column_widths(table)
    assert narrow == 8  # a short column still shows its title
    assert money >= len("Rp 123,456,789,000")
    assert story == 60  # long text wraps rather than making a column a screen wide


def test_indonesian_sheet_names_are_not_cut_mid_word(client, organiser, expo, sales):
    book = _workbook(client, organiser, expo, language="id")
    names = book.sheetnames
    assert len(names) == 14 and len(set(names)) == 14
    assert "Transaksi potensial" in names  # was "Transaksi potensial (tidak term"
    for name in names:
        assert len(name) <= 31
        assert not name.endswith(("(", "-", " ", ","))


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Summary", "Summary"),
        ("Transaksi potensial (tidak termasuk omzet)", "Transaksi potensial"),
        ("Omzet per kabupaten/kota", "Omzet per kabupaten-kota"),
        (
            "Pendapatan bersih seluruh pelaku usaha mikro kecil dan menengah",
            "Pendapatan bersih seluruh",
        ),
        ("Omzet: [draft] *what?*", "Omzet- -draft- -what--"),
        ("'Quoted'", "Quoted"),
        ("Supercalifragilisticexpialidociousnessly", "Supercalifragilisticexpialidoci"),
    ],
)
def test_sheet_name(title, expected):
    name = sheet_name(title)
    assert name == expected
    assert len(name) <= 31


def test_sheet_names_are_unique_within_the_limit():
    taken = {"Pendapatan bersih seluruh"}
    name = sheet_name("Pendapatan bersih seluruh pelaku usaha mikro kecil", taken)
    assert name == "Pendapatan bersih seluruh 2" and len(name) <= 31
    assert sheet_name("summary", {"Summary"}) == "summary 2"


def test_a_workbook_of_tables_with_the_same_long_title_opens():
    tables = [
        Table(f"t{i}", "Potential deals (not in omzet) of the whole expo", ["A"], [])
        for i in range(3)
    ]
    book = load_workbook(io.BytesIO(to_xlsx(tables)))
    assert len(set(book.sheetnames)) == 3
