"""Drafts' pages. Each family of views keeps its own route module."""

from django.urls import include, path

app_name = "drafts"
urlpatterns = [
    path("", include("drafts.urls_desk")),
    path("", include("drafts.urls_packets")),
]
