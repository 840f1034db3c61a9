"""Review packet pages: request, list, state, download, retry."""

from django.urls import path

from . import views

app_name = "packets"
urlpatterns = [
    path("drafts/<slug:slug>/v<int:number>/packets/", views.packet_list, name="list"),
    path("drafts/<slug:slug>/v<int:number>/packets/new/", views.packet_request, name="request"),
    path("packets/<int:pk>/", views.packet_detail, name="detail"),
    path("packets/<int:pk>/status/", views.packet_status, name="status"),
    path("packets/<int:pk>/download/", views.packet_download, name="download"),
    path("packets/<int:pk>/retry/", views.packet_retry, name="retry"),
    path("packets/<int:pk>/transmit/", views.packet_transmit, name="transmit"),
    path(
        "drafts/<slug:slug>/v<int:number>/transmission/",
        views.transmission,
        name="transmission",
    ),
]
