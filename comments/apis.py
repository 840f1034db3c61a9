"""The API for comments, replies, endorsements, dispositions and the response matrix.

Every read starts from ``comment_visibility_filter`` (the ``comment.view``
rule as a query), so a restricted comment cannot surface through a list, a
filter, a count or a nested reply; every write calls a service in
``comments.services``, which asks ``stakeholders.policies`` first.
"""

from __future__ import annotations

from django import forms
from django.db.models import BooleanField, Count, Exists, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import generics, permissions, status
from rest_framework.pagination import CursorPagination
from rest_framework.renderers import BrowsableAPIRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from core import idempotency
from core.api_errors import Pagination, PortalAPIMixin
from core.errors import DomainError
from core.renderers import ORJSONRenderer
from drafts import selectors as draft_selectors
from drafts.models import DraftVersion, Provision
from stakeholders.models import Organisation
from stakeholders.policies import actor_for, comment_visibility_filter, ensure_can

from . import selectors, services
from .api_rows import RowShaper, row_of
from .attachments import attachment_response
from .list_pages import KeptPage
from .matrix import response_matrix
from .models import Comment, Disposition, Endorsement, Visibility
from .serializers import (
    ChangesFromCommentsSerializer,
    CommentCreateSerializer,
    CommentEditSerializer,
    CommentReplySerializer,
    CommentSerializer,
    CommentThreadSerializer,
    CommentWithdrawSerializer,
    DispositionSerializer,
    DispositionWriteSerializer,
    MatrixQuerySerializer,
    MatrixRowSerializer,
    RevisionSerializer,
)
from .thread_rows import PAGE_FIELDS, CachedRows
from .trace import changes_from_comments

# --- reading -----------------------------------------------------------------------

# The comment lists answer in JSON through orjson (the same content, faster); the
# browsable API stays for people trying the API in a browser.
LIST_RENDERERS = [ORJSONRenderer, BrowsableAPIRenderer]


class ThreadOrderPagination(Pagination):
    """Numbered pages, as on every list; in the thread order, also a cursor for deep pages.

    ``?page=`` counts the rows and skips to the page (OFFSET), which grows with
    the page's depth. ``?cursor=`` (empty for the first page, then the ``next``
    and ``previous`` links) continues after the last thread path seen instead:
    every page costs the same, and the answer has no ``count``. Only the thread
    order (the default) pages by cursor; with another ``ordering`` pages are
    numbered.
    """

    cursor_query_param = "cursor"

    class Cursor(CursorPagination):
        ordering = selectors.SORTS["thread"]
        page_size = Pagination.page_size
        page_size_query_param = Pagination.page_size_query_param
        max_page_size = Pagination.max_page_size

    def _by_cursor(self, request) -> bool:
        return self.cursor_query_param in request.query_params and request.query_params.get(
            "ordering", "thread"
        ) in ("", "thread")

    def paginate_queryset(self, queryset, request, view=None):
        self.cursor = self.Cursor() if self._by_cursor(request) else None
        if self.cursor is not None:
            return self.cursor.paginate_queryset(queryset, request, view)
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        if self.cursor is not None:
            return self.cursor.get_paginated_response(data)
        return super().get_paginated_response(data)

    def get_paginated_response_schema(self, schema):
        paged = super().get_paginated_response_schema(schema)
        paged["required"] = ["results"]
        paged["properties"]["count"]["description"] = "Left out of pages asked for by cursor."
        return paged

    def get_schema_operation_parameters(self, view):
        return [
            *super().get_schema_operation_parameters(view),
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Page by cursor in the thread order: empty for the first page, "
                "then follow `next`; the answer has no `count`.",
                "schema": {"type": "string"},
            },
        ]


def _count(queryset, key: str):
    counted = queryset.order_by().values(key).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def comment_rows(user, draft=None):
    """Comments ``user`` may see, with everything the serializer shows, in a fixed query count."""
    return (
        counted_comments(user, draft)
        .select_related(
            "provision", "author", "organisation", "disposition", "disposition__responded_by"
        )
        .prefetch_related(selectors.attachments_prefetch())
        # The serializer needs the provision's id and label, not its text, and never
        # shows the text commented on: leaving them out keeps each row narrow.
        .defer("provision__text_en", "provision__text_km", "provision_text_at_posting")
    )


def counted_comments(user, draft=None):
    """Comments ``user`` may see, with their endorsement and visible reply counts.

    Counts are made here, under the same visibility rule: a reply the user may
    not see is not counted either.
    """
    visible = comment_visibility_filter(user, draft)
    acting_org_id = actor_for(user).acting_org_id
    active_endorsements = Endorsement.objects.filter(
        comment=OuterRef("pk"), withdrawn_at__isnull=True
    )
    if acting_org_id is not None:
        mine = Exists(active_endorsements.filter(organisation_id=acting_org_id))
    else:
        mine = Value(False, output_field=BooleanField())
    return Comment.objects.filter(visible).annotate(
        endorsement_count=_count(active_endorsements, "comment"),
        endorsed_by_my_organisation=mine,
        reply_count=_count(Comment.objects.filter(parent=OuterRef("pk")).filter(visible), "parent"),
    )


def listed_comments(user):
    """Comments ``user`` may see, for choosing a page of a list (the rows come shaped from
    ``thread_rows``): with the one count an order reads (most endorsed), and not the
    reply counts, whose subqueries repeat the visibility rule and cost a signed-in
    reader milliseconds to build."""
    active_endorsements = Endorsement.objects.filter(
        comment=OuterRef("pk"), withdrawn_at__isnull=True
    )
    return Comment.objects.filter(comment_visibility_filter(user)).annotate(
        endorsement_count=_count(active_endorsements, "comment")
    )


def attach_versions(comments) -> None:
    """Give every comment one shared version (and draft) instance, loaded in two queries.

    The permission rules read the draft's drafting organisations; shared
    instances mean they are read once per draft, not once per comment.
    """
    ids = {c.version_id for c in comments}
    if not ids:
        return
    versions = {
        v.pk: v
        for v in DraftVersion.objects.filter(pk__in=ids)
        .select_related("draft")
        .prefetch_related("draft__drafting_partners")
    }
    for comment in comments:
        comment.version = versions[comment.version_id]


def get_comment(request, pk) -> Comment:
    """One comment the user may see, or 404 (a restricted comment's existence is not revealed)."""
    try:
        comment = comment_rows(request.user).get(pk=int(pk))
    except (Comment.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None
    attach_versions([comment])
    return comment


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(filters.NumberFilter):
    """An object id: a whole number (the schema says integer, not number)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


ORDERINGS = selectors.SORTS


class CommentFilter(filters.FilterSet):
    def filter_speaker(self, queryset, name, value):
        return queryset.filter(organisation__isnull=(value == "individual"))

    version = IdFilter(field_name="version_id", help_text="A version's id.")
    draft = filters.CharFilter(field_name="version__draft__slug", help_text="A draft's slug.")
    provision = filters.CharFilter(method="filter_provision", help_text="A provision's stable id.")
    general = filters.BooleanFilter(
        field_name="provision",
        lookup_expr="isnull",
        help_text="true: only comments on the whole draft; false: only those on a provision.",
    )
    kind = filters.ChoiceFilter(choices=Comment.Kind.choices)
    organisation = filters.CharFilter(
        field_name="organisation__slug", help_text="The slug of the organisation that posted."
    )
    organisation_kind = filters.ChoiceFilter(
        field_name="organisation__kind", choices=Organisation.Kind.choices
    )
    speaker = filters.ChoiceFilter(
        choices=[("individual", "individual"), ("organisation", "organisation")],
        method="filter_speaker",
        help_text="`individual` (people commenting for themselves) or `organisation`.",
    )
    disposition = filters.ChoiceFilter(
        field_name="disposition__status",
        choices=Disposition.Status.choices,
        help_text="The ministry's decision (first comments of threads only).",
    )
    visibility = filters.ChoiceFilter(choices=Visibility.choices)
    state = filters.ChoiceFilter(choices=Comment.State.choices)
    parent = IdFilter(field_name="parent_id", help_text="Replies to this comment.")
    ordering = filters.ChoiceFilter(
        choices=[(key, key) for key in ORDERINGS],
        method="filter_ordering",
        help_text="`thread` (default: threads in order, replies under their comment), "
        "`newest`, `oldest` or `most_endorsed`; ties are broken by id.",
    )

    class Meta:
        model = Comment
        fields = []

    def filter_provision(self, queryset, name, value):
        """The provision's ids are looked up first (in the version asked for, if any).

        Filtering on the ids lets the database walk the comments of one provision
        in thread order and stop at the page, instead of joining the provisions
        and sorting every visible comment of the version first.
        """
        provisions = Provision.objects.filter(stable_id=value)
        version = self.form.cleaned_data.get("version")
        if version is not None:
            provisions = provisions.filter(version_id=version)
        return queryset.filter(provision_id__in=list(provisions.values_list("pk", flat=True)))

    def filter_ordering(self, queryset, name, value):
        return queryset.order_by(*ORDERINGS[value])


class CommentPagesMixin:
    """A page of one of the comment lists: its rows shaped from the per-thread cache
    (``thread_rows.CachedRows``), and the whole page kept for readers not signed in
    (``list_pages``). ``shape`` names the list: ``comments`` (flat) or ``threads``."""

    shape: str

    def list(self, request, *args, **kwargs):
        kept = KeptPage.for_request(request, list_name=self.shape)
        if kept is not None and (data := kept.read()) is not None:
            return Response(data)
        rows = self.filter_queryset(self.get_queryset()).values(*PAGE_FIELDS)
        page = list(self.paginate_queryset(rows))
        cached = CachedRows(request, lambda: counted_comments(request.user))
        response = self.get_paginated_response(getattr(cached, self.shape)(page))
        if kept is not None:
            kept.keep(response.data)
        return response


class CommentWriteMixin:
    error_statuses = (409,)

    def serialize_conflict(self, current):
        """The record as it is now, for the 409 body (called by the exception handler)."""
        if isinstance(current, Disposition):
            return DispositionSerializer(current).data
        fresh = get_comment(self.request, current.pk)
        return CommentSerializer(fresh, context={"request": self.request}).data

    def created_body(self, comment: Comment) -> dict:
        """The new comment the service returned, as the API shows it, without reading it again.

        A comment just made has no endorsements and no replies yet.
        """
        comment.endorsement_count = 0
        comment.endorsed_by_my_organisation = False
        comment.reply_count = 0
        if not Comment.version.is_cached(comment):
            attach_versions([comment])
        # Shaped as the lists shape a row (what CommentSerializer shows, field for field,
        # without building its fields for one comment).
        return RowShaper(self.request).comment(row_of(comment))

    def create_once(self, perform, status_code=status.HTTP_201_CREATED):
        """Run a write that creates a comment at most once per ``Idempotency-Key``.

        A retry with the same key answers the first request's status and body.
        """
        request = self.request

        def run():
            comment = perform()
            return idempotency.Outcome(status_code, self.created_body(comment), comment.pk)

        outcome = idempotency.run_once(
            user=request.user,
            key=request.headers.get(idempotency.HEADER),
            endpoint=request.path,
            data=request.data,
            perform=run,
        )
        return Response(outcome.body, status=outcome.status)

    def respond(self, comment_pk, status_code=status.HTTP_200_OK):
        comment = get_comment(self.request, comment_pk)
        data = CommentSerializer(comment, context={"request": self.request}).data
        return Response(data, status=status_code)

    def acting_organisation(self):
        """The organisation the user acts for, read only when the request names one.

        The write serializers compare it with the one named (and refuse another);
        a request that names none needs nothing read here.
        """
        data = self.request.data
        if not isinstance(data, dict) or not {"organisation", "organisation_id"} & set(data):
            return None
        org_id = actor_for(self.request.user).acting_org_id
        return Organisation.objects.filter(pk=org_id).first() if org_id else None


@extend_schema_view(
    get=extend_schema(
        tags=["comments"],
        summary="List comments, flat",
        description="Comments and replies you may see, one per row with its parent's id. "
        "Restricted comments of other organisations are left out of the rows, the counts "
        "and the filters; a hidden comment's words are replaced unless you wrote it or "
        "review it.",
    ),
    post=extend_schema(
        tags=["comments"],
        summary="Post a comment",
        description="Start a thread on a provision of a version open for consultation, on "
        "the whole draft (no `provision`), or propose a new article after a provision "
        "(`kind` `new_article`). It speaks for the organisation you act for; naming another "
        "one is refused.",
        request=CommentCreateSerializer,
        parameters=[idempotency.header_parameter()],
        responses={201: CommentSerializer},
    ),
)
class CommentListApi(PortalAPIMixin, CommentWriteMixin, CommentPagesMixin, generics.ListAPIView):
    shape = "comments"
    serializer_class = CommentSerializer
    filterset_class = CommentFilter
    filter_backends = [filters.DjangoFilterBackend]
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]

    pagination_class = ThreadOrderPagination
    renderer_classes = LIST_RENDERERS

    def get_queryset(self):
        return listed_comments(self.request.user).order_by(*ORDERINGS["thread"])

    def post(self, request):
        acting = self.acting_organisation()
        form = CommentCreateSerializer(
            data=request.data, context={"request": request, "acting_organisation": acting}
        )
        form.is_valid(raise_exception=True)
        data = form.validated_data
        if data.get("provision"):
            provision = draft_selectors.readable_provision(
                user=request.user, version_pk=data["version"], stable_id=data["provision"]
            )
            if provision is None:
                if draft_selectors.readable_version(user=request.user, pk=data["version"]) is None:
                    raise DomainError(_("There is no such version."), field="version")
                raise DomainError(
                    _("That provision is not part of this version."), field="provision"
                )
            version = provision.version
        else:
            provision = None  # no provision: a general comment, on the whole draft
            version = draft_selectors.readable_version(user=request.user, pk=data["version"])
            if version is None:
                raise DomainError(_("There is no such version."), field="version")
        return self.create_once(
            lambda: services.comment_create(
                by=request.user,
                version=version,
                provision=provision,
                body=data["body"],
                kind=data["kind"],
                visibility=data["visibility"],
                quote_exact=data.get("quote_exact", ""),
                quote_language=data["quote_language"],
                proposed_text=data.get("proposed_text", ""),
                proposed_text_km=data.get("proposed_text_km", ""),
                # Sent as multipart/form-data, the files of the ``attachments`` field.
                attachments=request.FILES.getlist("attachments"),
            )
        )


@extend_schema_view(
    get=extend_schema(
        tags=["comments"],
        summary="Download a comment's attached file",
        description="The file itself, always as a download. Found only by those who may read "
        "the comment's words; for anyone else it does not exist (404).",
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
    )
)
class AttachmentDownloadApi(PortalAPIMixin, APIView):
    def get(self, request, pk):
        attachment = selectors.visible_attachment(user=request.user, pk=pk)
        if attachment is None:
            raise Http404(_("There is no such file, or you may not see it."))
        return attachment_response(attachment)


@extend_schema_view(
    get=extend_schema(
        tags=["comments"],
        summary="List threads",
        description="The first comments of threads you may see, each with the replies you may "
        "see nested in `replies` (a reply whose parent you may not see hangs under its "
        "nearest visible ancestor). Filters and ordering apply to the first comments; "
        "pages count threads.",
    )
)
class ThreadListApi(PortalAPIMixin, CommentPagesMixin, generics.ListAPIView):
    shape = "threads"
    serializer_class = CommentThreadSerializer
    filterset_class = CommentFilter
    filter_backends = [filters.DjangoFilterBackend]
    pagination_class = ThreadOrderPagination
    renderer_classes = LIST_RENDERERS

    def get_queryset(self):
        return (
            listed_comments(self.request.user)
            .filter(parent__isnull=True)
            .order_by(*ORDERINGS["thread"])
        )


@extend_schema_view(
    get=extend_schema(tags=["comments"], summary="One comment"),
    patch=extend_schema(
        tags=["comments"],
        summary="Edit your comment",
        description="The author may correct a comment within the edit window while the "
        "consultation is open. Send the revision you edited; if the comment changed since, "
        "the answer is 409 with the current comment.",
        request=CommentEditSerializer,
        responses={200: CommentSerializer},
    ),
)
class CommentDetailApi(PortalAPIMixin, CommentWriteMixin, APIView):
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    serializer_class = CommentSerializer

    def get(self, request, pk):
        return self.respond(pk)

    def patch(self, request, pk):
        comment = get_comment(request, pk)
        form = CommentEditSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        services.comment_edit(
            comment=comment,
            by=request.user,
            body=data["body"],
            revision=data["revision"],
            proposed_text=data.get("proposed_text"),
        )
        return self.respond(comment.pk)


@extend_schema_view(
    get=extend_schema(
        tags=["comments"],
        summary="Earlier wordings of a comment",
        description="Every wording the comment has had, newest first, with the time each was "
        "saved: for its author and for the drafters, moderators and officials of the draft.",
        responses=RevisionSerializer(many=True),
    )
)
class CommentHistoryApi(PortalAPIMixin, APIView):
    pagination_class = None

    def get(self, request, pk):
        comment = get_comment(request, pk)
        ensure_can(request.user, "comment.view_history", comment)
        revisions = selectors.comment_revisions(comment)
        return Response(RevisionSerializer(revisions, many=True).data)


@extend_schema_view(
    post=extend_schema(
        tags=["comments"],
        summary="Reply to a comment",
        request=CommentReplySerializer,
        parameters=[idempotency.header_parameter()],
        responses={201: CommentSerializer},
    )
)
class CommentReplyApi(PortalAPIMixin, CommentWriteMixin, APIView):
    permission_classes = [permissions.IsAuthenticated]

    def post(self, request, pk):
        parent = get_comment(request, pk)
        form = CommentReplySerializer(
            data=request.data,
            context={"request": request, "acting_organisation": self.acting_organisation()},
        )
        form.is_valid(raise_exception=True)
        return self.create_once(
            lambda: services.comment_reply(
                by=request.user,
                parent=parent,
                body=form.validated_data["body"],
                visibility=form.validated_data["visibility"],
            )
        )


@extend_schema_view(
    post=extend_schema(
        tags=["comments"],
        summary="Withdraw your comment",
        description="The comment stays on record, marked withdrawn, with its history.",
        request=CommentWithdrawSerializer,
        responses={200: CommentSerializer},
    )
)
class CommentWithdrawApi(PortalAPIMixin, CommentWriteMixin, APIView):
    permission_classes = [permissions.IsAuthenticated]

    def post(self, request, pk):
        comment = get_comment(request, pk)
        form = CommentWithdrawSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.comment_withdraw(
            comment=comment, by=request.user, reason=form.validated_data.get("reason", "")
        )
        return self.respond(comment.pk)


@extend_schema_view(
    post=extend_schema(
        tags=["comments"],
        summary="Endorse a comment",
        description="Your organisation co-signs another organisation's comment (once).",
        request=None,
        responses={200: CommentSerializer},
    ),
    delete=extend_schema(
        tags=["comments"],
        summary="Withdraw your organisation's endorsement",
        request=None,
        responses={200: CommentSerializer},
    ),
)
class CommentEndorsementApi(PortalAPIMixin, CommentWriteMixin, APIView):
    permission_classes = [permissions.IsAuthenticated]

    def post(self, request, pk):
        comment = get_comment(request, pk)
        services.endorsement_create(comment=comment, by=request.user)
        return self.respond(comment.pk)

    def delete(self, request, pk):
        comment = get_comment(request, pk)
        services.endorsement_withdraw(comment=comment, by=request.user)
        return self.respond(comment.pk)


@extend_schema_view(
    put=extend_schema(
        tags=["dispositions"],
        summary="Record the ministry's disposition",
        description="Drafters of the draft record what the ministry decided about the first "
        "comment of a thread, and why. Send the disposition revision you answered to be "
        "told (409) if another drafter answered meanwhile.",
        request=DispositionWriteSerializer,
        parameters=[idempotency.header_parameter()],
        responses={200: DispositionSerializer},
    )
)
class CommentDispositionApi(PortalAPIMixin, CommentWriteMixin, APIView):
    permission_classes = [permissions.IsAuthenticated]

    def put(self, request, pk):
        comment = get_comment(request, pk)
        form = DispositionWriteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        landed = data.get("applied_in_version")
        if landed is not None and landed.draft_id != comment.version.draft_id:
            raise DomainError(
                _("That version belongs to another draft."), field="applied_in_version"
            )

        def record() -> idempotency.Outcome:
            disposition = services.disposition_record(
                comment=comment,
                by=request.user,
                status=data["status"],
                response=data.get("response", ""),
                revision=data.get("revision"),
                applied_in_version=landed,
            )
            return idempotency.Outcome(200, DispositionSerializer(disposition).data, disposition.pk)

        # A retry of an answer that was saved (same key) gets the first answer, not a 409
        # for the revision the first request already moved on.
        outcome = idempotency.api_once(request, record)
        return Response(outcome.body, status=outcome.status)


@extend_schema_view(
    get=extend_schema(
        tags=["versions"],
        summary="The comment-response matrix of a version",
        description="Every first comment of a thread that you may see, numbered in document "
        "order, with the ministry's decision and response. Numbers do not change when a "
        "filter is applied.",
        parameters=[MatrixQuerySerializer],
    )
)
class VersionMatrixApi(PortalAPIMixin, generics.ListAPIView):
    serializer_class = MatrixRowSerializer
    filter_backends = []
    queryset = Comment.objects.none()  # rows come from comments.matrix, not a queryset

    def list(self, request, pk):
        version = draft_selectors.readable_version(user=request.user, pk=pk)
        if version is None:
            raise Http404
        query = MatrixQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        wanted = {k: v for k, v in query.validated_data.items() if v not in ("", None)}
        rows = response_matrix(version=version, user=request.user, filters=wanted)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@extend_schema_view(
    get=extend_schema(
        tags=["versions"],
        summary="What changed in a version because of comments",
        description="Each provision changed in this version compared with the previous one "
        "that comments you may see are behind (an applied amendment, or a drafter's edit that "
        "addresses them), in document order, with the word-level differences, who asked and "
        "what the ministry decided. One document, not paginated.",
        responses=ChangesFromCommentsSerializer,
    )
)
class VersionChangesFromCommentsApi(PortalAPIMixin, generics.GenericAPIView):
    serializer_class = ChangesFromCommentsSerializer
    pagination_class = None
    filter_backends = []

    def get(self, request, pk):
        version = draft_selectors.readable_version(user=request.user, pk=pk)
        if version is None:
            raise Http404
        trace = changes_from_comments(version=version, user=request.user)
        return Response(ChangesFromCommentsSerializer(trace).data)
