"""Drafting desk routes (inside the ``drafts`` namespace)."""

from django.urls import path

from . import views_desk as views

urlpatterns = [
    path("desk/<slug:slug>/", views.desk_home, name="desk_home"),
    path("desk/<slug:slug>/start/", views.start_version, name="desk_start_version"),
    path("desk/<slug:slug>/v<int:number>/", views.version_view, name="desk_version"),
    path(
        "desk/<slug:slug>/v<int:number>/provisions/add/",
        views.provision_add,
        name="desk_provision_add",
    ),
    path(
        "desk/<slug:slug>/v<int:number>/provisions/<str:stable_id>/edit/",
        views.provision_edit,
        name="desk_provision_edit",
    ),
    path(
        "desk/<slug:slug>/v<int:number>/provisions/<str:stable_id>/move/",
        views.provision_move,
        name="desk_provision_move",
    ),
    path(
        "desk/<slug:slug>/v<int:number>/provisions/<str:stable_id>/remove/",
        views.provision_remove,
        name="desk_provision_remove",
    ),
    path("desk/<slug:slug>/v<int:number>/renumber/", views.renumber, name="desk_renumber"),
    path("desk/<slug:slug>/v<int:number>/publish/", views.publish, name="desk_publish"),
    path("desk/<slug:slug>/v<int:number>/review/", views.review, name="desk_review"),
    path("desk/<slug:slug>/v<int:number>/matrix/", views.matrix, name="desk_matrix"),
    path("desk/<slug:slug>/v<int:number>/matrix.csv", views.matrix_csv, name="desk_matrix_csv"),
    path("desk/<slug:slug>/v<int:number>/matrix.xlsx", views.matrix_xlsx, name="desk_matrix_xlsx"),
    path("desk/<slug:slug>/comments/<int:comment_id>/respond/", views.respond, name="respond"),
    path("desk/<slug:slug>/comments/<int:comment_id>/apply/", views.apply, name="apply"),
    path(
        "desk/<slug:slug>/articles/<str:stable_id>/history/",
        views.history,
        name="article_history",
    ),
    path("drafts/<slug:slug>/compare/", views.compare_index, name="compare_index"),
    path("drafts/<slug:slug>/compare/<int:old>/<int:new>/", views.compare, name="compare"),
    path(
        "drafts/<slug:slug>/compare/<int:old>/<int:new>/<str:stable_id>/",
        views.compare_article,
        name="compare_article",
    ),
]
