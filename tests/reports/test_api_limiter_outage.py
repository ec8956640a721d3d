"""The data API answers while its rate limiter's Redis cannot be reached (a real refused
connection): the limit cannot count, so it lets the requests through (logged), never a 500."""

from __future__ import annotations

import pytest

from expo.reports import services as report_services
from tests.expo.test_ratelimit_outage import limiter_down  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


def test_the_api_answers_past_its_rate_while_the_limiter_is_down(
    client,
    expo,
    organiser,
    settings,
    limiter_down,  # noqa: F811
):
    settings.REPORTS_API_RATE = (2, 60)
    _token, raw = report_services.api_token_create(office=expo.office, name="BPS", by=organiser)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    codes = [client.get("/api/v1/expos/", **auth).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 200]
