"""Banner endpoints and workspace pages (namespace ``banners``), included at ``""``: full paths.

The vendor's pages sit beside the vendor workspace's own under ``/vendor/<slug>/banners/``
(``booths.vendor_urls`` has no ``banners/``), the organiser's under
``/manage/expos/<slug>/banners/``.
"""

from django.urls import path

from expo.banners import views

app_name = "banners"

VENDOR = "vendor/<slug:vendor_slug>/banners/"
MANAGE = "manage/expos/<slug:expo_slug>/banners/"

urlpatterns = [
    path("b/slot/<slug:expo_slug>/<slug:slot_code>/", views.serve, name="serve"),
    path("b/seen/", views.seen, name="seen"),
    path("b/<int:campaign_id>/", views.click, name="click"),
    # Vendor workspace
    path(VENDOR, views.vendor_banners, name="vendor_banners"),
    path(VENDOR + "new/", views.vendor_banner_new, name="vendor_banner_new"),
    path(VENDOR + "<int:campaign_id>/", views.vendor_banner, name="vendor_banner"),
    path(
        VENDOR + "<int:campaign_id>/withdraw/",
        views.vendor_banner_withdraw,
        name="vendor_banner_withdraw",
    ),
    # Organiser workspace
    path(MANAGE, views.manage_banners, name="manage_banners"),
    path(MANAGE + "new/", views.manage_banner_new, name="manage_banner_new"),
    path(MANAGE + "<int:campaign_id>/", views.manage_banner, name="manage_banner"),
    path(
        MANAGE + "<int:campaign_id>/decide/",
        views.manage_banner_decide,
        name="manage_banner_decide",
    ),
    path(
        MANAGE + "<int:campaign_id>/reject/",
        views.manage_banner_reject,
        name="manage_banner_reject",
    ),
    path(
        MANAGE + "fees/<int:fee_id>/confirm/", views.manage_fee_confirm, name="manage_fee_confirm"
    ),
]
