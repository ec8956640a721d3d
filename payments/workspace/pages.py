"""What the workspace pages of both kinds share: paging and the platform fee as shown."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.http import HttpRequest

PAGE_SIZE = 50


def page_of(request: HttpRequest, rows: Any) -> Page:
    """The page of ``rows`` the request asks for (``?page=``), ``PAGE_SIZE`` a page."""
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def query_without_page(request: HttpRequest) -> str:
    """The request's filters, for the links to other pages."""
    return urlencode([(k, v) for k, v in request.GET.items() if k != "page" and v])


def fee_percent() -> str:
    """The platform's fee as the pages show it: ``"2.5"`` for 250 basis points."""
    bps = int(settings.PLATFORM_FEE_BPS)
    whole, rest = divmod(bps, 100)
    return f"{whole}" if not rest else f"{whole}.{rest:02d}".rstrip("0")
