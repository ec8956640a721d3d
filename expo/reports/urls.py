"""URLs of the omzet dashboard, in two workspaces (namespace ``reports`` inside each).

- ``urlpatterns``: the organiser's, included by ``expo.manage.urls`` under
  ``/manage/expos/<slug>/dashboard/`` → ``manage:reports:<name>``;
- ``vendor_patterns``: the vendor's, included by ``expo.urls`` under
  ``/vendor/<vendor slug>/dashboard/`` → ``vendor_reports:<name>``.
"""

from django.urls import path, re_path

from expo.reports import upward_views, views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("figures/", views.dashboard_figures, name="figures"),
    path("deals/", views.deals, name="deals"),
    path("deals/<int:deal_id>/verify/", views.deal_verify, name="deal_verify"),
    re_path(r"^export/(?P<table>[a-z-]+)\.(?P<fmt>csv|xlsx)$", views.export, name="export"),
    path("report/", views.report, name="report"),
    path("report/<int:job_id>/", views.report_job, name="report_job"),
    path("report/<int:job_id>/download/", views.report_download, name="report_download"),
    path("compare/", views.compare, name="compare"),
    path("upward/", upward_views.upward_expo, name="upward"),
    path("upward/umkm.xlsx", upward_views.upward_expo_xlsx, name="upward_xlsx"),
    path("upward/pdf/", upward_views.upward_pdf, name="upward_pdf"),
    path("upward/<int:year>/", upward_views.upward_year, name="upward_year"),
    path("upward/<int:year>/umkm.xlsx", upward_views.upward_year_xlsx, name="upward_year_xlsx"),
    path("upward/<int:year>/pdf/", upward_views.upward_pdf, name="upward_year_pdf"),
    path("api-tokens/", views.api_tokens, name="api_tokens"),
    path("api-tokens/<int:token_id>/revoke/", views.api_token_revoke, name="api_token_revoke"),
]

vendor_patterns = (
    [
        path("", views.vendor_sales, name="sales"),
        path("deals/", views.vendor_deals, name="deals"),
        path("deals/<int:deal_id>/", views.vendor_deal_edit, name="deal_edit"),
    ],
    "vendor_reports",
)
