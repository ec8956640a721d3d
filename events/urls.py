"""Pages of the live side (namespace ``events``). Full paths: this is included at ``""``."""

from django.urls import path

from events import views
from events.bell import views as bell_views
from events.call import views as call_views
from events.matching import urls as matching_urls

app_name = "events"

urlpatterns = [
    path("expos/<slug:expo_slug>/agenda/", views.agenda, name="agenda"),
    path("expos/<slug:expo_slug>/agenda.ics", views.agenda_ics, name="agenda_ics"),
    path("expos/<slug:expo_slug>/sessions/<int:session_id>/", views.session_page, name="session"),
    path(
        "expos/<slug:expo_slug>/sessions/<int:session_id>/session.ics",
        views.session_ics,
        name="session_ics",
    ),
    path(
        "expos/<slug:expo_slug>/sessions/<int:session_id>/remind/",
        views.session_remind,
        name="session_remind",
    ),
    path(
        "expos/<slug:expo_slug>/sessions/<int:session_id>/pins/",
        views.session_pins,
        name="session_pins",
    ),
    path("expos/<slug:expo_slug>/booths/<slug:booth_slug>/ask/", views.ask, name="ask"),
    path("inquiries/", views.inquiries, name="inquiries"),
    path("inquiries/<int:inquiry_id>/", views.inquiry, name="inquiry"),
    path("vendor/<slug:vendor_slug>/inbox/", views.vendor_inbox, name="vendor_inbox"),
    path(
        "vendor/<slug:vendor_slug>/inbox/<int:inquiry_id>/",
        views.vendor_inquiry,
        name="vendor_inquiry",
    ),
    path("meetings/<int:meeting_id>/room/", call_views.meeting_room, name="meeting_room"),
    path("meetings/<int:meeting_id>/room/mark/", call_views.meeting_mark, name="meeting_mark"),
    path(
        "meetings/<int:meeting_id>/room/outcome/",
        call_views.meeting_outcome,
        name="meeting_outcome",
    ),
    path("notifications/", bell_views.notifications, name="notifications"),
    path("notifications/read/", bell_views.notifications_read_all, name="notifications_read_all"),
    path(
        "notifications/<int:notification_id>/read/",
        bell_views.notification_read,
        name="notification_read",
    ),
    path("vendor/<slug:vendor_slug>/sessions/", views.vendor_sessions, name="vendor_sessions"),
    path(
        "vendor/<slug:vendor_slug>/sessions/new/",
        views.vendor_session_create,
        name="vendor_session_create",
    ),
    path(
        "vendor/<slug:vendor_slug>/sessions/<int:session_id>/",
        views.vendor_session_edit,
        name="vendor_session_edit",
    ),
]

# Business matching: slots, meetings, the vendor's tab and the organisers' settings.
urlpatterns += matching_urls.patterns
