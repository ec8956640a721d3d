"""Business matching's pages, added to the live side's URLs (namespace ``events``)."""

from django.urls import path

from events.matching import views

patterns = [
    path(
        "expos/<slug:expo_slug>/booths/<slug:booth_slug>/meet/",
        views.booth_slots,
        name="booth_slots",
    ),
    path("meetings/", views.my_meetings, name="my_meetings"),
    path("meetings/<int:meeting_id>/", views.meeting_page, name="meeting"),
    path("meetings/<int:meeting_id>/meeting.ics", views.meeting_ics, name="meeting_ics"),
    path(
        "meetings/<int:meeting_id>/<slug:step>/",
        views.meeting_step,
        name="meeting_step",
    ),
    path("vendor/<slug:vendor_slug>/meetings/", views.vendor_meetings, name="vendor_meetings"),
    path(
        "vendor/<slug:vendor_slug>/meetings/availability/<int:window_id>/remove/",
        views.vendor_availability_remove,
        name="vendor_availability_remove",
    ),
    path(
        "manage/expos/<slug:expo_slug>/matching/settings/",
        views.matching_settings,
        name="matching_settings",
    ),
]
