"""The API for drafts, versions, provisions and version diffs.

Views are thin: they load what ``stakeholders.policies`` lets the user see,
call the drafts services, and hand the result to a serializer.
"""

from __future__ import annotations

from django.db.models import Count, Exists, F, OuterRef, Prefetch
from django.http import Http404
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics
from rest_framework.response import Response

from core.api_errors import PortalAPIMixin
from core.errors import DomainError
from stakeholders.policies import comment_visibility_filter

from . import selectors, serializers
from .models import Draft, DraftVersion, Provision


def visible_version(request, pk) -> DraftVersion:
    """The version ``pk`` with its visible comment count; 404 when the user may not read it
    (its existence is not revealed)."""
    version = selectors.readable_version(user=request.user, pk=pk, count_comments=True)
    if version is None:
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
            selectors.readable_drafts(self.request.user)
            .select_related("lead_ministry")
            .prefetch_related("drafting_partners", _readable_versions(self.request.user))
            .order_by("-created_at", "-pk")
        )


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
            selectors.readable_drafts(self.request.user)
            .select_related("lead_ministry")
            .prefetch_related("drafting_partners", _readable_versions(self.request.user))
        )


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

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return DraftVersion.objects.none()
        draft = (
            selectors.readable_drafts(self.request.user).filter(slug=self.kwargs["slug"]).first()
        )
        if draft is None:
            raise Http404
        versions = DraftVersion.objects.readable_by(self.request.user).filter(draft=draft)
        return selectors.with_comment_counts(
            versions.select_related("draft"), user=self.request.user
        ).order_by("number", "pk")

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
    visible = comment_visibility_filter(user, version.draft, prefix="comments__")
    return (
        Provision.objects.for_reading(version)
        .annotate(
            parent_stable_id=F("parent__stable_id"),
            comment_count=Count("comments", filter=visible or None, distinct=True),
        )
        .order_by("position", "pk")
    )


def _readable_versions(user) -> Prefetch:
    """Each draft's versions that ``user`` may read, as ``draft.visible_versions``."""
    return Prefetch(
        "versions",
        queryset=DraftVersion.objects.readable_by(user).order_by("number", "pk"),
        to_attr="visible_versions",
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
        other = selectors.readable_version(user=request.user, pk=against_id)
        if other is None:
            raise DomainError(_("There is no such version."), field="against")
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
