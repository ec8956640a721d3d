"""Pages of the data API's lists, on ninja's pagination: ``page`` (from 1) and ``page_size``
(1 to 200, default 50) in; ``count``, ``page``, ``page_size``, ``next`` and ``previous`` (absolute
links, or null) and ``results`` out."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.http import HttpRequest
from ninja import Field, Schema
from ninja.errors import ValidationError
from ninja.pagination import PaginationBase

from expo.reports.api.errors import ApiError
from expo.reports.api.schemas import Answer, Breakdown

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


class Page(Answer):
    count: int
    page: int
    page_size: int
    next: str | None
    previous: str | None


class PageQuery(Schema):
    page: int = Field(1, ge=1)
    page_size: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


class PagePagination(PaginationBase):
    """A page of any sequence or queryset. ``figures`` turns the page's items (and only them) into
    what is answered, so figures are computed for one page, not for the whole list."""

    Input = PageQuery

    class Output(Page):
        results: list[Any]

    items_attribute = "results"

    def __init__(self, *, figures: Callable[[list[Any]], list[Any]] | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.figures = figures

    def paginate_queryset(
        self, queryset: Sequence[Any], pagination: PageQuery, request: HttpRequest, **params: Any
    ) -> dict[str, Any]:
        page, size = pagination.page, pagination.page_size
        count = self._items_count(queryset)
        start = (page - 1) * size
        results = list(queryset[start : start + size])
        here = request.build_absolute_uri(request.path)

        def link(number: int) -> str:
            return f"{here}?page={number}&page_size={size}"

        return {
            "count": count,
            "page": page,
            "page_size": size,
            "next": link(page + 1) if start + size < count else None,
            # Past the end, "previous" points back only while that page still has rows.
            "previous": link(page - 1) if page > 1 and start - size < count else None,
            "results": self.figures(results) if self.figures else results,
        }


class BreakdownPagination(PagePagination):
    """A page of one breakdown; the answer also names the expo and the breakdown."""

    class Output(Page):
        expo: str
        breakdown: Breakdown
        results: list[Any]

    def paginate_queryset(
        self, queryset: Sequence[Any], pagination: PageQuery, request: HttpRequest, **params: Any
    ) -> dict[str, Any]:
        page = super().paginate_queryset(queryset, pagination, request)
        return {**page, "expo": params["slug"], "breakdown": params["breakdown"]}


def bad_page(error: ValidationError) -> ApiError:
    """The 400 for a ``page`` or ``page_size`` that is not a whole number in range."""
    if any(e["type"].startswith("int_") for e in error.errors):
        return ApiError(400, "bad_request", "page and page_size are whole numbers.")
    return ApiError(
        400, "bad_request", f"page starts at 1; page_size is between 1 and {MAX_PAGE_SIZE}."
    )
