"""Public pages of an expo's hall, under ``/expos/`` (namespace ``booths``)."""

from django.urls import path

from booths import views

app_name = "booths"

urlpatterns = [
    path("<slug:expo_slug>/", views.hall, name="hall"),
    path("<slug:expo_slug>/booths/<slug:booth_slug>/", views.booth, name="booth"),
    path(
        "<slug:expo_slug>/booths/<slug:booth_slug>/products/<slug:product_slug>/",
        views.product,
        name="product",
    ),
]
