"""Public routes (namespace ``public``): hub, reports, open data, feeds, the portal's pages."""

from django.urls import path

from . import feeds, views

app_name = "public"
urlpatterns = [
    path("consultations/", views.hub, name="hub"),
    path("drafts/<slug:slug>/v<int:number>/report/", views.report, name="report"),
    path(
        "drafts/<slug:slug>/v<int:number>/report/summary/",
        views.summary_edit,
        name="summary_edit",
    ),
    path("drafts/<slug:slug>/open-data/", views.open_data, name="open_data"),
    path("drafts/<slug:slug>/open-data/<str:name>", views.open_data_file, name="open_data_file"),
    path("drafts/<slug:slug>/feed/", feeds.DraftFeed(), name="draft_feed"),
    path("organisations/<slug:slug>/", views.organisation, name="organisation"),
    path("organisations/<slug:slug>/feed/", feeds.OrganisationFeed(), name="organisation_feed"),
    path("feeds/", views.feeds_index, name="feeds"),
    path("review-packets/", views.packets_index, name="packets"),
    path("pages/", views.pages_index, name="pages"),
    path("pages/<slug:slug>/", views.page, name="page"),
    path("pages/<slug:slug>/edit/", views.page_edit, name="page_edit"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("favicon.ico", views.favicon, name="favicon"),
]
