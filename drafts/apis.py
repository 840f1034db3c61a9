"""The API for drafts, versions, provisions and version diffs.

Views are thin: they load what ``stakeholders.policies`` lets the user see,
call the drafts services, and hand the result to a serializer.
"""

from __future__ import annotations

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics
from rest_framework.response import Response

from comments.models import Comment
from core.api_errors import PortalAPIMixin
from core.errors import DomainError
from stakeholders.policies import can, comment_visibility_filter

from . import serializers
from .models import Draft, DraftVersion, Provision


def _could_see_working(user, draft: Draft) -> bool:
    """Whether the policies let ``user`` see a working (unpublished) version of ``draft``."""
    return can(user, "version.view", DraftVersion(draft=draft, status=DraftVersion.Status.WORKING))


def visible_drafts(user):
    """Drafts with at least one version ``user`` may see (a fixed number of queries)."""
    published = DraftVersion.objects.published().filter(draft=OuterRef("pk"))
    unpublished = Draft.objects.filter(~Exists(published)).prefetch_related("drafting_partners")
    extra = [draft.pk for draft in unpublished if _could_see_working(user, draft)]
    return Draft.objects.filter(Q(Exists(published)) | Q(pk__in=extra))


def comment_count_subquery(user, *, draft=None, **match):
    """The number of comments ``user`` may see that match ``match`` (an OuterRef filter)."""
    counted = (
        Comment.objects.filter(**match)
        .filter(comment_visibility_filter(user, draft))
        .order_by()
        .values(*match.keys())
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def visible_version(request, pk) -> DraftVersion:
    """The version ``pk`` if the user may see it; 404 otherwise (its existence is not revealed)."""
    try:
        version = (
            DraftVersion.objects.select_related("draft")
            .prefetch_related("draft__drafting_partners")
            .annotate(comment_count=comment_count_subquery(request.user, version=OuterRef("pk")))
            .get(pk=int(pk))
        )
    except (DraftVersion.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None
    if not can(request.user, "version.view", version):
        raise Http404
    return version


class DraftFilter(filters.FilterSet):
    lead_ministry = filters.CharFilter(
        field_name="lead_ministry__slug", help_text="The lead ministry's slug."
    )
    status = filters.ChoiceFilter(
        choices=DraftVersion.Status.choices,
        method="filter_status",
        help_text="Drafts with a version in this status.",
    )

    class Meta:
        model = Draft
        fields = ["lead_ministry", "status"]

    def filter_status(self, queryset, name, value):
        return queryset.filter(
            Exists(DraftVersion.objects.filter(draft=OuterRef("pk"), status=value))
        )


@extend_schema_view(
    get=extend_schema(
        tags=["drafts"],
        summary="List draft laws",
        description="Drafts with at least one version you may see, newest first.",
    )
)
class DraftListApi(PortalAPIMixin, generics.ListAPIView):
    serializer_class = serializers.DraftSerializer
    filterset_class = DraftFilter
    ordering_fields = ["created_at", "slug"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Draft.objects.none()
        return (
            visible_drafts(self.request.user)
            .select_related("lead_ministry")
            .prefetch_related("drafting_partners", "versions")
            .order_by("-created_at", "-pk")
        )

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        for draft in page:
            draft.visible_versions = [
                v for v in draft.versions.all() if can(request.user, "version.view", v)
            ]
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@extend_schema_view(
    get=extend_schema(tags=["drafts"], summary="One draft law, with the versions you may see")
)
class DraftDetailApi(PortalAPIMixin, generics.RetrieveAPIView):
    serializer_class = serializers.DraftSerializer
    lookup_field = "slug"
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Draft.objects.none()
        return (
            visible_drafts(self.request.user)
            .select_related("lead_ministry")
            .prefetch_related("drafting_partners", "versions")
        )

    def get_object(self):
        draft = super().get_object()
        draft.visible_versions = [
            v for v in draft.versions.all() if can(self.request.user, "version.view", v)
        ]
        return draft


@extend_schema_view(
    get=extend_schema(
        tags=["versions"],
        summary="Versions of a draft",
        description="The versions of the draft you may see (working versions only for its "
        "drafters and officials), oldest first, with the number of comments you may see.",
    )
)
class DraftVersionListApi(PortalAPIMixin, generics.ListAPIView):
    serializer_class = serializers.VersionSerializer
    filterset_fields = ["status"]

    def get_draft(self) -> Draft:
        draft = (
            visible_drafts(self.request.user)
            .prefetch_related("drafting_partners")
            .filter(slug=self.kwargs["slug"])
            .first()
        )
        if draft is None:
            raise Http404
        return draft

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return DraftVersion.objects.none()
        draft = self.get_draft()
        queryset = DraftVersion.objects.filter(draft=draft)
        if not _could_see_working(self.request.user, draft):
            queryset = queryset.exclude(status=DraftVersion.Status.WORKING)
        return (
            queryset.select_related("draft")
            .annotate(
                comment_count=comment_count_subquery(
                    self.request.user, draft=draft, version=OuterRef("pk")
                )
            )
            .order_by("number", "pk")
        )

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@extend_schema_view(get=extend_schema(tags=["versions"], summary="One version of a draft"))
class VersionDetailApi(PortalAPIMixin, generics.GenericAPIView):
    serializer_class = serializers.VersionSerializer

    def get(self, request, pk):
        version = visible_version(request, pk)
        return Response(self.get_serializer(version).data)


def _provisions(version: DraftVersion, user):
    return (
        Provision.objects.for_reading(version)
        .annotate(
            parent_stable_id=F("parent__stable_id"),
            comment_count=comment_count_subquery(
                user, draft=version.draft, provision=OuterRef("pk")
            ),
        )
        .order_by("position", "pk")
    )


class ProvisionFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=Provision.Kind.choices)
    stable_id = filters.CharFilter(help_text="One provision by its stable id.")

    class Meta:
        model = Provision
        fields = ["kind", "stable_id"]


@extend_schema_view(
    get=extend_schema(
        tags=["versions"],
        summary="Provisions of a version, flat",
        description="Every provision of the version in document order, each with the stable id "
        "of its parent. Stable ids never change, so they follow a provision through "
        "renumbering and moves from one version to the next.",
    )
)
class ProvisionListApi(PortalAPIMixin, generics.ListAPIView):
    serializer_class = serializers.ProvisionSerializer
    filterset_class = ProvisionFilter
    filter_backends = [filters.DjangoFilterBackend]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Provision.objects.none()
        version = visible_version(self.request, self.kwargs["pk"])
        return _provisions(version, self.request.user)


@extend_schema_view(
    get=extend_schema(
        tags=["versions"],
        summary="Provisions of a version, as a tree",
        description="The whole document as nested parts, chapters, sections and articles. "
        "It is one document, so it is not paginated.",
        responses=serializers.ProvisionTreeSerializer,
    )
)
class ProvisionTreeApi(PortalAPIMixin, generics.GenericAPIView):
    serializer_class = serializers.ProvisionTreeSerializer
    pagination_class = None

    def get(self, request, pk):
        version = visible_version(request, pk)
        rows = list(_provisions(version, request.user))
        by_pk = {row.pk: row for row in rows}
        roots = []
        for row in rows:
            row.tree_children = []
        for row in rows:
            parent = by_pk.get(row.parent_id)
            (parent.tree_children if parent is not None else roots).append(row)
        data = serializers.ProvisionTreeSerializer(
            {"version": version.pk, "provisions": roots}, context={"request": request}
        ).data
        return Response(data)


@extend_schema_view(
    get=extend_schema(
        tags=["versions"],
        summary="Differences from another version (redline)",
        description="Provision by provision, matched by stable id (so renumbered and moved "
        "provisions are recognised), with word-level differences in both languages. "
        "Paginated over the changes; the summary covers the whole comparison.",
        parameters=[serializers.RedlineQuerySerializer],
        responses=serializers.RedlineSerializer,
    )
)
class VersionRedlineApi(PortalAPIMixin, generics.GenericAPIView):
    serializer_class = serializers.RedlineSerializer
    filter_backends = []

    def get(self, request, pk):
        from .redline import version_redline

        version = visible_version(request, pk)
        query = serializers.RedlineQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        against_id = query.validated_data.get("against") or version.parent_id
        if against_id is None:
            raise DomainError(
                _("This version has no earlier version; name one with “against”."),
                field="against",
            )
        try:
            other = visible_version(request, against_id)
        except Http404:
            raise DomainError(_("There is no such version."), field="against") from None
        if other.draft_id != version.draft_id:
            raise DomainError(_("Both versions must belong to the same draft."), field="against")
        redline = version_redline(old_version=other, new_version=version)
        changes = redline.changes
        if query.validated_data["changed_only"]:
            changes = [c for c in changes if not c.is_unchanged]
        page = self.paginate_queryset(changes)
        paginator = self.paginator
        data = serializers.RedlineSerializer(
            {
                "old_version": other,
                "new_version": version,
                "summary": redline.summary,
                "count": paginator.page.paginator.count,
                "next": paginator.get_next_link(),
                "previous": paginator.get_previous_link(),
                "results": page,
            },
            context={"request": request},
        ).data
        return Response(data)
