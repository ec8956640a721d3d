"""The vendor workspace, under ``/vendor/`` (namespace ``vendor``).

Fixed paths come first; everything else is ``<vendor slug>/…`` (a vendor cannot take the slug of a
fixed path: see ``booths.services.vendors.RESERVED_VENDOR_SLUGS``). Higher apps add their own pages under
``/vendor/<slug>/…`` in their own namespaces (``payments``, ``banners``, ``vendor_reports``).
"""

from django.urls import include, path, re_path

from booths import lead_views
from booths import vendor_views as views

app_name = "vendor"

booth_patterns = [
    path("", views.booth_edit, name="booth_edit"),
    path("products/", views.products, name="products"),
    path("products/new/", views.product_create, name="product_create"),
    path("products/<int:product_id>/", views.product_edit, name="product_edit"),
    path("products/<int:product_id>/toggle/", views.product_toggle, name="product_toggle"),
    path(
        "products/<int:product_id>/photos/<int:image_id>/delete/",
        views.product_image_delete,
        name="product_image_delete",
    ),
    path(
        "products/<int:product_id>/photos/<int:image_id>/cover/",
        views.product_image_cover,
        name="product_image_cover",
    ),
]

vendor_patterns = [
    path("", views.dashboard, name="dashboard"),
    path("profile/", views.profile, name="profile"),
    path("members/", views.members, name="members"),
    path("members/<int:membership_id>/remove/", views.member_remove, name="member_remove"),
    path("apply/<slug:expo_slug>/", views.apply, name="apply"),
    path("applications/<slug:expo_slug>/", views.application, name="application"),
    path(
        "applications/<slug:expo_slug>/withdraw/",
        views.application_withdraw,
        name="application_withdraw",
    ),
    path("booths/<slug:expo_slug>/", include(booth_patterns)),
    path("leads/", lead_views.leads, name="leads"),
    path("leads/<int:lead_id>/", lead_views.lead, name="lead"),
    re_path(r"^leads/export\.(?P<fmt>csv|xlsx)$", lead_views.leads_export, name="leads_export"),
]

urlpatterns = [
    path("", views.index, name="index"),
    path("register/", views.register, name="register"),
    path("<slug:vendor_slug>/", include(vendor_patterns)),
]
