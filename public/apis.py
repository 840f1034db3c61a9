"""The API of the open data: a draft's current release and its files (with ETags)."""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, serializers
from rest_framework.response import Response

from core.api_errors import PortalAPIMixin

from . import opendata, selectors
from .views import open_data_file_response


class OpenDataFileSerializer(serializers.Serializer):
    name = serializers.CharField()
    format = serializers.CharField(help_text="json, ndjson or csv.")
    table = serializers.CharField(help_text="The table a CSV file holds; empty for the others.")
    size = serializers.IntegerField(help_text="Bytes.")
    etag = serializers.CharField(help_text="SHA-256 of the file, also its HTTP ETag.")
    url = serializers.URLField()


class OpenDataReleaseSerializer(serializers.Serializer):
    draft = serializers.CharField()
    generated_at = serializers.DateTimeField()
    digest = serializers.CharField()
    comment_count = serializers.IntegerField()
    licence = serializers.CharField()
    licence_url = serializers.URLField()
    files = OpenDataFileSerializer(many=True)


@extend_schema_view(
    get=extend_schema(
        tags=["open data"],
        operation_id="drafts_open_data_list",
        summary="A draft's open data",
        description="The files of the draft's current open-data release: every public item "
        "(versions, provisions, public comments and replies, dispositions, endorsements, "
        "passage checks) as JSON, NDJSON and one CSV per table. 404 until the first release "
        "is written.",
        responses=OpenDataReleaseSerializer,
    )
)
class OpenDataApi(PortalAPIMixin, generics.GenericAPIView):
    serializer_class = OpenDataReleaseSerializer
    pagination_class = None
    authentication_classes = []
    permission_classes = []

    def get(self, request, slug):
        draft = selectors.public_draft(slug)
        release = selectors.open_data_release(draft) if draft is not None else None
        if release is None:
            raise Http404
        files = [
            {
                "name": name,
                "format": entry["format"],
                "table": entry["table"],
                "size": entry["size"],
                "etag": entry["etag"],
                "url": request.build_absolute_uri(
                    reverse("api:draft-open-data-file", args=[draft.slug, name])
                ),
            }
            for name, entry in release.files.items()
        ]
        data = {
            "draft": draft.slug,
            "generated_at": release.generated_at,
            "digest": release.digest,
            "comment_count": release.comment_count,
            "licence": str(opendata.LICENCE),
            "licence_url": opendata.LICENCE_URL,
            "files": files,
        }
        return Response(self.get_serializer(data).data)


class OpenDataFileApi(PortalAPIMixin, generics.GenericAPIView):
    authentication_classes = []
    permission_classes = []
    pagination_class = None

    @extend_schema(
        tags=["open data"],
        operation_id="drafts_open_data_file",
        summary="One open-data file",
        description="The file itself, with an ETag; send If-None-Match to get 304 when unchanged.",
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, 304: None},
    )
    def get(self, request, slug, name):
        return open_data_file_response(request, slug, name)
