"""Curation grades and the upward report in a real browser: the organiser scores an application on
the review page, sorts the queue by score and sees expired documents flagged, then opens the upward
report and the year view from the reports navigation. Screenshots of each page."""

# The builders are pytest fixtures imported from tests/expo/test_manage: tests name them as
# parameters, which pyflakes reads as redefinitions.
# ruff: noqa: F811

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from booths.models import Booth, BoothApplication
from expo.models import Expo
from expo.reports.upward_export import JAKARTA
from tests.e2e.conftest import ARTIFACTS, DaphneServer, sign_in
from tests.expo.test_manage import (  # noqa: F401 - fixtures
    make_application,
    make_vendor,
    private_files,
)
from tests.reports.conftest import LedgerWriter

pytestmark = pytest.mark.e2e
BN = 1_000_000_000


def _approved(expo, vendor, turnover, slug):
    application = BoothApplication.objects.create(
        expo=expo,
        vendor=vendor,
        status=BoothApplication.Status.APPROVED,
        nib_document="applications/nib/x.pdf",
        stock=BoothApplication.Stock.READY,
        declared_turnover=turnover,
    )
    return Booth.objects.create(expo=expo, vendor=vendor, slug=slug, application=application)


def test_organiser_grades_and_reports_upward(
    page: Page,
    daphne_server: DaphneServer,
    make_organiser,
    make_expo,
    make_vendor,
    make_application,
):
    server = daphne_server
    organiser = make_organiser(name="Sri Wahyuni")
    office = organiser.offices.get()
    expo = make_expo("open", office=office, slug="expo-graded")
    Expo.objects.filter(pk=expo.pk).update(title_en="UKM Virtual Expo 2026")
    # An earlier expo of the office in the same year (Asia/Jakarta), for naik kelas and the year.
    year_start = datetime(timezone.localtime(expo.opens_at).year, 1, 1, 1, tzinfo=JAKARTA)
    opens = max(year_start, expo.opens_at - timedelta(days=200))
    last = make_expo("closed", office=office, slug="expo-earlier")
    Expo.objects.filter(pk=last.pk).update(
        title_en="UKM Virtual Expo Ramadan",
        applications_open_at=opens - timedelta(days=20),
        application_deadline=opens - timedelta(days=10),
        opens_at=opens,
        closes_at=opens + timedelta(minutes=30),
    )
    today = timezone.localdate()
    batik = make_application(expo, files=False, vendor=make_vendor(name="Batik Sekar Jagad"))
    kopi = make_application(expo, files=False, vendor=make_vendor(name="Kopi Lereng Ungaran"))
    BoothApplication.objects.filter(pk=kopi.pk).update(
        permit_kind="pirt",
        permit_number="P-IRT 2063374010123",
        permit_expires_on=today - timedelta(days=3),
        curation_score=58,
        curation_grade="C",
    )
    tenun = make_application(expo, files=False, vendor=make_vendor(name="Tenun Troso Jepara"))
    BoothApplication.objects.filter(pk=tenun.pk).update(
        halal_number="ID33110000123",
        halal_expires_on=today + timedelta(days=25),
        curation_score=91.5,
        curation_grade="A",
    )
    # The report's UMKM: three at both expos, one of them grew from micro to small.
    writer = LedgerWriter(expo)
    at = timezone.now() - timedelta(hours=5)
    for name, before, now, channel in (
        ("Gula Semut Kulon Progo", int(1.6 * BN), int(2.4 * BN), "direct"),
        ("Keripik Tempe Sanan", int(0.4 * BN), int(0.6 * BN), "live_session"),
        ("Mebel Jati Jepara", 9 * BN, 12 * BN, "mall"),
    ):
        vendor = make_vendor(name=name)
        _approved(last, vendor, before, f"{vendor.slug}-last")
        booth = _approved(expo, vendor, now, vendor.slug)
        writer.order(lines=[(booth, 2_750_000, 3)], at=at, channel=channel)
        writer.order(lines=[(booth, 1_250_000, 1)], at=at, channel="direct", country="JP")

    sign_in(page, server, organiser)
    ARTIFACTS.mkdir(exist_ok=True)

    # Score the first application on the review page.
    page.goto(f"{server.url}/manage/applications/{batik.pk}/")
    form = page.locator("[data-testid=score-form]")
    for label, value in (
        ("Legal documents", "5"),
        ("Product quality", "4"),
        ("Packaging", "4"),
        ("Production capacity", "3"),
        ("Market reach", "3"),
        ("Export readiness", "2"),
    ):
        form.get_by_label(label).fill(value)
    page.screenshot(path=str(ARTIFACTS / "curation-score-form.png"), full_page=True)
    form.get_by_role("button", name="Save the scores").click()
    expect(page.locator(".flash-success")).to_contain_text("grade B")
    expect(page.locator("[data-testid=application-grade]")).to_have_text("B")

    # The queue, by score: A, B, C, then the unscored; the expired permit and the expiring certificate flagged.
    page.goto(f"{server.url}/manage/expos/{expo.slug}/applications/")
    page.locator("[data-testid=sort-score]").click()
    grades = page.locator("[data-testid=queue-row] [data-testid=grade]")
    expect(grades).to_have_text(["A", "B", "C", "—", "—", "—"])  # unscored last
    expect(page.locator("[data-alert=expired]")).to_contain_text("P-IRT expired")
    expect(page.locator("[data-alert=expiring]")).to_contain_text("Halal expires soon")
    page.screenshot(path=str(ARTIFACTS / "curation-queue.png"), full_page=True)

    page.locator("[data-testid=rubric-link]").click()
    expect(page.locator("[data-testid=rubric-form]")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "curation-rubric.png"), full_page=True)

    # The upward report, from the reports navigation.
    page.get_by_role("navigation", name="Expo workspace").get_by_role("link", name="Omzet").click()
    page.locator("[data-testid=tab-upward]").click()
    expect(page.locator("[data-testid=up-umkm]")).to_have_text("3")
    expect(page.locator("[data-testid=up-naik-kelas]")).to_have_text("1")
    expect(page.locator("[data-testid=moved-row]")).to_contain_text("Gula Semut Kulon Progo")
    expect(page.locator("[data-channel=mall]")).to_contain_text("8.250.000")
    page.screenshot(path=str(ARTIFACTS / "upward-report.png"), full_page=True)

    page.locator("[data-testid=upward-year-link]").click()
    year_table = page.locator("[data-testid=up-year-table]")
    expect(year_table).to_contain_text("UKM Virtual Expo Ramadan")
    expect(year_table).to_contain_text("UKM Virtual Expo 2026")
    page.screenshot(path=str(ARTIFACTS / "upward-year.png"), full_page=True)
