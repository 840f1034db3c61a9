"""Drafts' own pages: comparing two versions (the redline). Review packets have their routes here
until they move to their app."""

from django.urls import path

from . import views

app_name = "drafts"
urlpatterns = [
    path("drafts/<slug:slug>/compare/", views.compare_index, name="compare_index"),
    path("drafts/<slug:slug>/compare/<int:old>/<int:new>/", views.compare, name="compare"),
    path(
        "drafts/<slug:slug>/compare/<int:old>/<int:new>/<str:stable_id>/",
        views.compare_article,
        name="compare_article",
    ),
]
