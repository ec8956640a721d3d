"""Vendor and organiser payment pages, in the ``payments`` namespace (included by payments.urls).

Full paths: the vendor's pages sit beside the vendor workspace's own under ``/vendor/<slug>/``
(``booths.vendor_urls`` has no ``orders/``, ``shipping/`` or ``settlements/``), the organiser's
under ``/manage/expos/<slug>/payments/``.
"""

from django.urls import path

from payments import workspace_views as views

VENDOR = "vendor/<slug:vendor_slug>/"
MANAGE = "manage/expos/<slug:expo_slug>/payments/"

urlpatterns = [
    # Vendor workspace
    path(VENDOR + "orders/", views.vendor_orders, name="vendor_orders"),
    path(VENDOR + "orders/export.csv", views.vendor_orders_csv, name="vendor_orders_csv"),
    path(VENDOR + "orders/<int:part_id>/", views.vendor_order, name="vendor_order"),
    path(
        VENDOR + "orders/<int:part_id>/packed/",
        views.vendor_order_packed,
        name="vendor_order_packed",
    ),
    path(
        VENDOR + "orders/<int:part_id>/shipped/",
        views.vendor_order_shipped,
        name="vendor_order_shipped",
    ),
    path(
        VENDOR + "orders/<int:part_id>/delivered/",
        views.vendor_order_delivered,
        name="vendor_order_delivered",
    ),
    path(VENDOR + "shipping/", views.vendor_shipping, name="vendor_shipping"),
    path(VENDOR + "settlements/", views.vendor_settlements, name="vendor_settlements"),
    # Organiser workspace
    path(MANAGE, views.manage_transfers, name="manage_transfers"),
    path(
        MANAGE + "transfers/<int:payment_id>/confirm/",
        views.manage_transfer_confirm,
        name="manage_transfer_confirm",
    ),
    path(MANAGE + "orders/", views.manage_orders, name="manage_orders"),
    path(MANAGE + "orders/<str:code>/", views.manage_order, name="manage_order"),
    path(
        MANAGE + "orders/<str:code>/refund/", views.manage_order_refund, name="manage_order_refund"
    ),
    path(MANAGE + "settlements/", views.manage_settlements, name="manage_settlements"),
    path(
        MANAGE + "settlements/<int:vendor_id>/pay-out/",
        views.manage_payout,
        name="manage_payout",
    ),
    path(MANAGE + "account/", views.manage_account, name="manage_account"),
    path(MANAGE + "rates/", views.manage_rates, name="manage_rates"),
]
