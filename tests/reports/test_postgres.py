"""The figures on PostgreSQL, as production runs them (its own hour truncation in Asia/Jakarta, its
EXISTS and DISTINCT plans): the same property test, boundary tests and query count as on SQLite,
run in the PostgreSQL pass (``-m postgres``)."""

from __future__ import annotations

import pytest

from tests.reports import test_figures

pytestmark = pytest.mark.postgres

test_figures_match_on_postgres = test_figures.test_figures_match_an_independent_computation
test_jakarta_day_boundary_on_postgres = test_figures.test_jakarta_day_boundary
test_refund_and_deals_on_postgres = test_figures.test_refund_subtracts_and_deals_stay_apart
test_query_count_on_postgres = test_figures.test_dashboard_query_count_is_constant
