"""Payment pages (namespace ``payments``), included at ``""``: full paths.

The buyer's pages are here; the vendor's and organiser's payment pages live in
``payments.workspace_urls``, and each payment provider's own views (a webhook) in the provider's
URLconf, all included below under the same namespace.
"""

from django.urls import include, path

from payments import charge_views, providers, views

app_name = "payments"

urlpatterns: list = [
    path("cart/", views.cart, name="cart"),
    path("cart/add/", views.cart_add, name="cart_add"),
    path("cart/update/", views.cart_update, name="cart_update"),
    path("currency/", views.currency_set, name="currency"),
    path("checkout/<slug:expo_slug>/", views.checkout, name="checkout"),
    path("checkout/<slug:expo_slug>/quote/", views.checkout_quote, name="checkout_quote"),
    path("orders/", views.orders, name="orders"),
    path("orders/<str:code>/", views.order, name="order"),
    path("orders/<str:code>/pay/", views.order_pay, name="order_pay"),
    path("orders/<str:code>/sync/", views.order_sync, name="order_sync"),
    path("orders/<str:code>/cancel/", views.order_cancel, name="order_cancel"),
    path(
        "orders/<str:code>/parts/<int:part_id>/received/",
        views.order_received,
        name="order_received",
    ),
    path("charges/<str:code>/", charge_views.charge, name="charge"),
    path("charges/<str:code>/pay/", charge_views.charge_pay, name="charge_pay"),
    path("charges/<str:code>/sync/", charge_views.charge_sync, name="charge_sync"),
    *providers.urlpatterns(),
    path("", include("payments.workspace_urls")),
    path("", include("payments.quotations.urls")),
]
