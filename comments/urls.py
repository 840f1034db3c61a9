"""Commenting routes (namespace ``comments``)."""

from django.urls import path

from . import views

app_name = "comments"

_ARTICLE = "drafts/<slug:slug>/v<int:number>/articles/<str:stable_id>/"

urlpatterns = [
    path("", views.draft_list, name="draft_list"),
    path("drafts/<slug:slug>/", views.read, name="read"),
    path("drafts/<slug:slug>/v<int:number>/", views.read_version, name="read_version"),
    path(_ARTICLE, views.article, name="article"),
    path(f"{_ARTICLE}changes-from-comments/", views.article_changes, name="article_changes"),
    path(
        "drafts/<slug:slug>/v<int:number>/changes-from-comments/",
        views.version_changes,
        name="version_changes",
    ),
    path(f"{_ARTICLE}comment/", views.create, name="create"),
    path(f"{_ARTICLE}new-article/", views.new_article, name="new_article"),
    path("drafts/<slug:slug>/v<int:number>/general/", views.general, name="general"),
    path(f"{_ARTICLE}preview/", views.preview, name="preview"),
    path("drafts/<slug:slug>/v<int:number>/comments/", views.version_comments, name="version"),
    path(
        "drafts/<slug:slug>/v<int:number>/participation/",
        views.participation,
        name="participation",
    ),
    path("comments/<int:pk>/", views.permalink, name="permalink"),
    path("comments/receipt/", views.receipt, name="receipt"),
    path("comments/drafts/", views.drafts, name="drafts"),
    path(
        "comments/drafts/<int:pk>/submit/",
        views.draft_action,
        {"action_name": "submit"},
        name="draft_submit",
    ),
    path(
        "comments/drafts/<int:pk>/discard/",
        views.draft_action,
        {"action_name": "discard"},
        name="draft_discard",
    ),
    path("comments/<int:pk>/history/", views.history, name="history"),
    path("attachments/<int:pk>/", views.attachments.download, name="attachment"),
    path("attachments/<int:pk>/text/", views.attachments.text, name="attachment_text"),
    path("comments/<int:pk>/endorse/", views.endorse, name="endorse"),
    path("comments/<int:pk>/unendorse/", views.endorse, {"withdraw": True}, name="unendorse"),
    *[
        path(f"comments/<int:pk>/{name}/", views.comment_action, {"action_name": name}, name=name)
        for name in views.ACTIONS
    ],
    path("moderation/", views.queue, name="moderation"),
    path(
        "moderation/comments/<int:pk>/<slug:action>/",
        views.moderate,
        name="moderate",
    ),
]
