from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

from expo import buyers, health, views
from expo.reports import urls as report_urls

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("accounts/profile/", views.profile, name="profile"),
    path("accounts/business/", buyers.profile_page, name="buyer_profile"),
    path("accounts/", include("allauth.urls")),
    path("expos/", include("booths.urls")),
    path("vendor/<slug:vendor_slug>/dashboard/", include(report_urls.vendor_patterns)),
    path("vendor/", include("booths.vendor_urls")),
    path("manage/", include("expo.manage.urls")),
    path("api/v1/", include("expo.reports.api_urls")),
    path("", include("payments.urls")),
    path("", include("events.urls")),
    path("", include("expo.banners.urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG and not settings.AWS_STORAGE_BUCKET_NAME:
    # Uploaded media in development; production serves it from S3 (or the proxy).
    urlpatterns.append(path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}))

handler403 = "frontend.views.permission_denied"
handler404 = "frontend.views.page_not_found"
handler500 = "frontend.views.server_error"
