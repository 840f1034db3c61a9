"""Drafting desk routes: working versions, the review desk, the matrix, an article's history."""

from django.urls import path

from . import views

app_name = "desk"
urlpatterns = [
    path("desk/<slug:slug>/", views.desk_home, name="home"),
    path("desk/<slug:slug>/start/", views.start_version, name="start_version"),
    path("desk/<slug:slug>/v<int:number>/", views.version_view, name="version"),
    path(
        "desk/<slug:slug>/v<int:number>/provisions/add/",
        views.provision_add,
        name="provision_add",
    ),
    path(
        "desk/<slug:slug>/v<int:number>/provisions/<str:stable_id>/edit/",
        views.provision_edit,
        name="provision_edit",
    ),
    path(
        "desk/<slug:slug>/v<int:number>/provisions/<str:stable_id>/move/",
        views.provision_move,
        name="provision_move",
    ),
    path(
        "desk/<slug:slug>/v<int:number>/provisions/<str:stable_id>/remove/",
        views.provision_remove,
        name="provision_remove",
    ),
    path("desk/<slug:slug>/v<int:number>/renumber/", views.renumber, name="renumber"),
    path("desk/<slug:slug>/v<int:number>/publish/", views.publish, name="publish"),
    path("desk/<slug:slug>/v<int:number>/review/", views.review, name="review"),
    path("desk/<slug:slug>/v<int:number>/review/bulk/", views.bulk, name="bulk"),
    path("desk/<slug:slug>/v<int:number>/clusters/", views.clusters, name="clusters"),
    path(
        "desk/<slug:slug>/v<int:number>/clusters/<int:cluster_id>/",
        views.cluster,
        name="cluster",
    ),
    path("desk/<slug:slug>/tags/", views.tags, name="tags"),
    path("desk/<slug:slug>/comments/<int:comment_id>/", views.comment_desk, name="comment"),
    path("desk/<slug:slug>/v<int:number>/matrix/", views.matrix, name="matrix"),
    path("desk/<slug:slug>/v<int:number>/matrix.csv", views.matrix_csv, name="matrix_csv"),
    path("desk/<slug:slug>/v<int:number>/matrix.xlsx", views.matrix_xlsx, name="matrix_xlsx"),
    path("desk/<slug:slug>/comments/<int:comment_id>/respond/", views.respond, name="respond"),
    path("desk/<slug:slug>/comments/<int:comment_id>/apply/", views.apply, name="apply"),
    path(
        "desk/<slug:slug>/comments/<int:comment_id>/apply-new-article/",
        views.apply_new_article,
        name="apply_new_article",
    ),
    path(
        "desk/<slug:slug>/articles/<str:stable_id>/history/",
        views.history,
        name="article_history",
    ),
]
