"""Review packet routes (inside the ``drafts`` namespace)."""

from django.urls import path

from . import views_packets

urlpatterns = [
    path(
        "drafts/<slug:slug>/v<int:number>/packets/",
        views_packets.packet_list,
        name="packet_list",
    ),
    path(
        "drafts/<slug:slug>/v<int:number>/packets/new/",
        views_packets.packet_request,
        name="packet_request",
    ),
    path("packets/<int:pk>/", views_packets.packet_detail, name="packet_detail"),
    path("packets/<int:pk>/status/", views_packets.packet_status, name="packet_status"),
    path("packets/<int:pk>/download/", views_packets.packet_download, name="packet_download"),
    path("packets/<int:pk>/retry/", views_packets.packet_retry, name="packet_retry"),
]
