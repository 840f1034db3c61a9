"""Drafts' pages. Each family of views keeps its own route module."""

from django.urls import include, path

app_name = "drafts"
urlpatterns = [
    path("", include("drafts.urls_reading")),
    path("", include("drafts.urls_desk")),
]
