"""The REST API under /api/v1/. Every path here answers JSON, including its 404s."""

from django.urls import path, re_path

from comments import apis as comment_apis
from core.api_errors import not_found
from drafts import apis as draft_apis
from interop import apis as interop_apis
from packets import apis as packet_apis
from public import apis as public_apis
from search import apis as search_apis
from stakeholders import apis as stakeholder_apis

app_name = "api"
urlpatterns = [
    path("me/", stakeholder_apis.MeApi.as_view(), name="me"),
    path("auth/token/", stakeholder_apis.TokenApi.as_view(), name="auth-token"),
    path(
        "organisations/", stakeholder_apis.OrganisationListApi.as_view(), name="organisation-list"
    ),
    path(
        "organisations/<slug:slug>/",
        stakeholder_apis.OrganisationDetailApi.as_view(),
        name="organisation-detail",
    ),
    path("drafts/", draft_apis.DraftListApi.as_view(), name="draft-list"),
    path("drafts/<slug:slug>/", draft_apis.DraftDetailApi.as_view(), name="draft-detail"),
    path(
        "drafts/<slug:slug>/versions/",
        draft_apis.DraftVersionListApi.as_view(),
        name="draft-versions",
    ),
    path(
        "drafts/<slug:slug>/open-data/",
        public_apis.OpenDataApi.as_view(),
        name="draft-open-data",
    ),
    path(
        "drafts/<slug:slug>/open-data/<str:name>",
        public_apis.OpenDataFileApi.as_view(),
        name="draft-open-data-file",
    ),
    path("versions/<int:pk>/", draft_apis.VersionDetailApi.as_view(), name="version-detail"),
    path(
        "versions/<int:pk>/provisions/",
        draft_apis.ProvisionListApi.as_view(),
        name="version-provisions",
    ),
    path(
        "versions/<int:pk>/provisions/tree/",
        draft_apis.ProvisionTreeApi.as_view(),
        name="version-provision-tree",
    ),
    path(
        "versions/<int:pk>/redline/",
        draft_apis.VersionRedlineApi.as_view(),
        name="version-redline",
    ),
    path(
        "attachments/<int:pk>/",
        comment_apis.AttachmentDownloadApi.as_view(),
        name="attachment-download",
    ),
    path(
        "versions/<int:pk>/matrix/",
        comment_apis.VersionMatrixApi.as_view(),
        name="version-matrix",
    ),
    path(
        "versions/<int:pk>/changes-from-comments/",
        comment_apis.VersionChangesFromCommentsApi.as_view(),
        name="version-changes-from-comments",
    ),
    path(
        "versions/<int:pk>/packets/",
        packet_apis.VersionPacketsApi.as_view(),
        name="version-packets",
    ),
    path("versions/<int:pk>/akn/", interop_apis.VersionAknApi.as_view(), name="version-akn"),
    path("versions/<int:pk>/word/", interop_apis.VersionWordApi.as_view(), name="version-word"),
    path(
        "versions/<int:pk>/redline/word/",
        interop_apis.VersionRedlineWordApi.as_view(),
        name="version-redline-word",
    ),
    path("imports/", interop_apis.ImportListApi.as_view(), name="import-list"),
    path("imports/<int:pk>/", interop_apis.ImportDetailApi.as_view(), name="import-detail"),
    path("imports/<int:pk>/apply/", interop_apis.ImportApplyApi.as_view(), name="import-apply"),
    path(
        "imports/<int:pk>/discard/",
        interop_apis.ImportDiscardApi.as_view(),
        name="import-discard",
    ),
    path("packets/<int:pk>/", packet_apis.PacketDetailApi.as_view(), name="packet-detail"),
    path("packets/<int:pk>/retry/", packet_apis.PacketRetryApi.as_view(), name="packet-retry"),
    path(
        "packets/<int:pk>/download/",
        packet_apis.PacketDownloadApi.as_view(),
        name="packet-download",
    ),
    path("comments/", comment_apis.CommentListApi.as_view(), name="comment-list"),
    path("threads/", comment_apis.ThreadListApi.as_view(), name="thread-list"),
    path("comments/<int:pk>/", comment_apis.CommentDetailApi.as_view(), name="comment-detail"),
    path(
        "comments/<int:pk>/history/",
        comment_apis.CommentHistoryApi.as_view(),
        name="comment-history",
    ),
    path(
        "comments/<int:pk>/replies/",
        comment_apis.CommentReplyApi.as_view(),
        name="comment-replies",
    ),
    path(
        "comments/<int:pk>/withdraw/",
        comment_apis.CommentWithdrawApi.as_view(),
        name="comment-withdraw",
    ),
    path(
        "comments/<int:pk>/endorsement/",
        comment_apis.CommentEndorsementApi.as_view(),
        name="comment-endorsement",
    ),
    path(
        "comments/<int:pk>/disposition/",
        comment_apis.CommentDispositionApi.as_view(),
        name="comment-disposition",
    ),
    path("search/", search_apis.SearchApi.as_view(), name="search"),
    # [\s\S], not ".": a path with an encoded newline (%0A) must also get the API's JSON 404.
    re_path(r"^[\s\S]*$", not_found),
]
