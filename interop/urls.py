"""Exports of a version (Akoma Ntoso, Word, a redline in Word) and imports from documents."""

from django.urls import path

from . import views

app_name = "interop"
urlpatterns = [
    path(
        "drafts/<slug:slug>/v<int:number>/export/akn-<str:language>.xml",
        views.export_akn,
        name="export_akn",
    ),
    path(
        "drafts/<slug:slug>/v<int:number>/export/akn.zip",
        views.export_akn_zip,
        name="export_akn_zip",
    ),
    path(
        "drafts/<slug:slug>/v<int:number>/export/word.docx", views.export_word, name="export_word"
    ),
    path(
        "drafts/<slug:slug>/compare/<int:old>/<int:new>/redline.docx",
        views.export_redline,
        name="export_redline",
    ),
    path("imports/new/", views.import_start, name="import_new"),
    path("desk/<slug:slug>/import/", views.import_start, name="import_version"),
    path("imports/<int:pk>/", views.import_preview, name="import_preview"),
    path("imports/<int:pk>/discard/", views.import_discard, name="import_discard"),
]
