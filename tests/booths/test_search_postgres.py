"""The hall's search on PostgreSQL, as production runs it (full-text search on the simple
configuration, pg_trgm for typos): the same tests as on SQLite (tests/booths/test_search.py), run
in the PostgreSQL pass (``-m postgres``)."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.booths import test_search
from tests.booths.test_search import _fresh_cache, demo, market  # noqa: F401 (fixtures)

pytestmark = pytest.mark.postgres


@pytest.fixture(autouse=True)
def _on_postgres(db):
    assert connection.vendor == "postgresql", (
        "the PostgreSQL pass: DATABASE_URL=postgres://… -m postgres"
    )


def test_pg_trgm_and_the_indexes_are_there(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT extname FROM pg_extension WHERE extname = 'pg_trgm'")
        assert cursor.fetchall() == [("pg_trgm",)]
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE indexname IN "
            "('booths_searchdocument_vector', 'booths_searchterm_trigram') ORDER BY 1"
        )
        assert [row[0] for row in cursor.fetchall()] == [
            "booths_searchdocument_vector",
            "booths_searchterm_trigram",
        ]


test_coffee_first_on_postgres = test_search.test_a_coffee_search_lists_coffee_first
test_both_found_on_postgres = test_search.test_booths_and_products_are_both_found
test_typos_on_postgres = test_search.test_typos_are_put_right
test_synonyms_on_postgres = test_search.test_the_two_languages_meet_through_synonyms
test_office_synonyms_on_postgres = test_search.test_the_office_extends_the_synonyms_in_the_admin
test_sort_menu_on_postgres = test_search.test_a_search_typed_on_the_hall_is_ordered_by_relevance
test_filters_on_postgres = test_search.test_filters_apply_to_search_results_and_count_them
test_counts_on_postgres = test_search.test_the_filter_counts_follow_the_filters_in_force
test_nothing_on_postgres = test_search.test_nothing_found_says_so_and_counts_nothing
test_any_query_on_postgres = test_search.test_any_query_is_answered
test_index_on_postgres = test_search.test_the_index_follows_catalogue_writes
test_empty_hall_on_postgres = (
    test_search.test_a_search_before_publication_or_of_an_empty_hall_is_fine
)
test_query_count_on_postgres = test_search.test_the_query_count_does_not_grow_with_the_catalogue
