"""Vendor and organiser payment pages, in the ``payments`` namespace (included by payments.urls).

Full paths: the vendor's pages sit beside the vendor workspace's own under ``/vendor/<slug>/``
(``booths.vendor_urls`` has no ``orders/``, ``shipping/`` or ``settlements/``), the organiser's
under ``/manage/expos/<slug>/payments/``.
"""

from django.urls import path

from payments.workspace import organiser, stand, vendor

VENDOR = "vendor/<slug:vendor_slug>/"
MANAGE = "manage/expos/<slug:expo_slug>/payments/"

urlpatterns = [
    # Vendor workspace
    path(VENDOR + "orders/", vendor.vendor_orders, name="vendor_orders"),
    path(VENDOR + "orders/export.csv", vendor.vendor_orders_csv, name="vendor_orders_csv"),
    path(VENDOR + "orders/<int:part_id>/", vendor.vendor_order, name="vendor_order"),
    path(
        VENDOR + "orders/<int:part_id>/packed/",
        vendor.vendor_order_packed,
        name="vendor_order_packed",
    ),
    path(
        VENDOR + "orders/<int:part_id>/shipped/",
        vendor.vendor_order_shipped,
        name="vendor_order_shipped",
    ),
    path(
        VENDOR + "orders/<int:part_id>/delivered/",
        vendor.vendor_order_delivered,
        name="vendor_order_delivered",
    ),
    path(VENDOR + "shipping/", vendor.vendor_shipping, name="vendor_shipping"),
    path(VENDOR + "settlements/", vendor.vendor_settlements, name="vendor_settlements"),
    path(VENDOR + "stand/", stand.vendor_stand, name="vendor_stand"),
    # Organiser workspace
    path(MANAGE, organiser.manage_transfers, name="manage_transfers"),
    path(
        MANAGE + "transfers/<int:payment_id>/confirm/",
        organiser.manage_transfer_confirm,
        name="manage_transfer_confirm",
    ),
    path(MANAGE + "orders/", organiser.manage_orders, name="manage_orders"),
    path(MANAGE + "orders/<str:code>/", organiser.manage_order, name="manage_order"),
    path(
        MANAGE + "orders/<str:code>/refund/",
        organiser.manage_order_refund,
        name="manage_order_refund",
    ),
    path(MANAGE + "settlements/", organiser.manage_settlements, name="manage_settlements"),
    path(
        MANAGE + "settlements/<int:vendor_id>/pay-out/",
        organiser.manage_payout,
        name="manage_payout",
    ),
    path(MANAGE + "account/", organiser.manage_account, name="manage_account"),
    path(MANAGE + "rates/", organiser.manage_rates, name="manage_rates"),
]
