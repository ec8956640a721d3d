"""The data API, included by ``expo.urls`` at ``api/v1/`` (namespace ``api``)."""

from django.urls import path

from expo.reports import api

app_name = "api"

urlpatterns = [
    path("openapi.json", api.openapi, name="openapi"),
    path("docs/", api.docs, name="docs"),
    path("expos/", api.expos, name="expos"),
    path("expos/<slug:slug>/omzet/", api.expo_omzet, name="expo_omzet"),
    path("expos/<slug:slug>/omzet/<slug:breakdown>/", api.expo_breakdown, name="expo_breakdown"),
]
