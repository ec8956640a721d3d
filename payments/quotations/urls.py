"""The quotation pages, in the ``payments`` namespace (included by payments.urls): full paths.

The buyer's under ``/quotes/``; the vendor's beside the vendor workspace's own under
``/vendor/<slug>/quotes/`` (``booths.vendor_urls`` has no ``quotes/``).
"""

from django.urls import path, re_path

from payments.quotations import views

VENDOR = "vendor/<slug:vendor_slug>/quotes/"
KINDS = r"(?P<kind>proforma|invoice|packing)"

urlpatterns = [
    path("quotes/", views.quotes_list, name="quotes"),
    path("quotes/ask/<slug:expo_slug>/<slug:booth_slug>/", views.ask, name="quote_ask"),
    path("quotes/<str:code>/", views.quote, name="quote"),
    path("quotes/<str:code>/revise/", views.quote_revise, name="quote_revise"),
    path("quotes/<str:code>/decline/", views.quote_decline, name="quote_decline"),
    path("quotes/<str:code>/withdraw/", views.quote_withdraw, name="quote_withdraw"),
    path("quotes/<str:code>/accept/", views.quote_accept, name="quote_accept"),
    path("quotes/<str:code>/balance/", views.quote_balance, name="quote_balance"),
    re_path(
        rf"^quotes/(?P<code>[A-Z0-9-]+)/{KINDS}\.pdf$", views.quote_document, name="quote_document"
    ),
    path(VENDOR, views.vendor_quotes, name="vendor_quotes"),
    path(VENDOR + "<str:code>/", views.vendor_quote, name="vendor_quote"),
    re_path(
        rf"^vendor/(?P<vendor_slug>[-a-zA-Z0-9_]+)/quotes/(?P<code>[A-Z0-9-]+)/{KINDS}\.pdf$",
        views.vendor_quote_document,
        name="vendor_quote_document",
    ),
]
