"""The organiser workspace, under ``/manage/`` (namespace ``manage``).

``manage:application_document`` is also linked from the vendor workspace: it serves an
application's private documents (``kind`` nib, permit or halal) and product photos
(``kind="photos"`` with ``photo_id``) to the expo's organisers and the vendor's own members.
"""

from django.urls import include, path, re_path

from expo.manage import grading, hybrid, matchmaking, views

app_name = "manage"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.expo_create, name="expo_create"),
    path("expos/<slug:slug>/", views.expo_overview, name="expo_overview"),
    path("expos/<slug:slug>/edit/", views.expo_edit, name="expo_edit"),
    re_path(
        r"^expos/(?P<slug>[-a-zA-Z0-9_]+)/stage/(?P<stage>open-applications|publish|open|close|mall|end-mall)/$",
        views.expo_stage,
        name="expo_stage",
    ),
    path("expos/<slug:slug>/applications/", views.curation, name="curation"),
    # Mall & stands (issue 18): the mall after the expo, the venue, its stands and their cards.
    path("expos/<slug:slug>/mall/", hybrid.expo_mall, name="expo_mall"),
    path("expos/<slug:slug>/stands/", hybrid.stands, name="stands"),
    path("expos/<slug:slug>/stands/cards.pdf", hybrid.stand_cards, name="stand_cards"),
    path("expos/<slug:slug>/stands/<int:stand_id>/card.pdf", hybrid.stand_cards, name="stand_card"),
    path(
        "expos/<slug:slug>/stands/<int:stand_id>/assign/",
        hybrid.stand_assign,
        name="stand_assign",
    ),
    path("expos/<slug:slug>/stand-sales/", hybrid.stand_sales, name="stand_sales"),
    path(
        "expos/<slug:slug>/stand-sales/<int:sale_id>/verify/",
        hybrid.stand_sale_verify,
        name="stand_sale_verify",
    ),
    path(
        "expos/<slug:slug>/stand-sales/<int:sale_id>/reject/",
        hybrid.stand_sale_reject,
        name="stand_sale_reject",
    ),
    path("expos/<slug:slug>/rubric/", grading.rubric, name="rubric"),
    path("expos/<slug:slug>/matchmaking/", matchmaking.matchmaking, name="matchmaking"),
    path("expos/<slug:slug>/dashboard/", include("expo.reports.urls")),
    path("applications/<int:application_id>/", views.application, name="application"),
    path(
        "applications/<int:application_id>/score/",
        grading.application_score,
        name="application_score",
    ),
    re_path(
        r"^applications/(?P<application_id>[0-9]+)/documents/(?P<kind>nib|permit|halal)/$",
        views.application_document,
        name="application_document",
    ),
    re_path(
        r"^applications/(?P<application_id>[0-9]+)/documents/(?P<kind>photos)/(?P<photo_id>[0-9]+)/$",
        views.application_document,
        name="application_document",
    ),
]
