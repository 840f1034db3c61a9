"""Reading routes (inside the ``drafts`` namespace)."""

from django.urls import path

from . import views_reading

urlpatterns = [
    path("", views_reading.draft_list, name="list"),
    path("drafts/<slug:slug>/", views_reading.read, name="read"),
    path("drafts/<slug:slug>/v<int:number>/", views_reading.read_version, name="read_version"),
]
