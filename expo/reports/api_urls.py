"""The data API, included by ``expo.urls`` at ``api/v1/`` (namespace ``api``): the document and
its page, then the operations ninja routes (``expos``, ``expo_omzet``, ``expo_breakdown``)."""

from django.urls import path

from expo.reports.api import api, docs

app_name = "api"

urlpatterns = [
    path("openapi.json", docs.openapi, name="openapi"),
    path("docs/", docs.page, name="docs"),
    *api.urls[0],
]
