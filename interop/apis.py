"""The API for exports (Akoma Ntoso, Word, a Word redline) and two-step imports.

As thin as the pages: the drafts selectors decide who may read a version (404
otherwise), ``interop.services`` reads, keeps and applies uploads, and the files are
the same bytes the pages send.
"""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import generics, permissions, serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from core.api_errors import PortalAPIMixin
from core.parsers import JSONParser
from drafts.models import Draft
from drafts.redline import version_redline

from . import akn, selectors, services, word
from .models import ImportUpload
from .views import DOCX_TYPE, akn_bundle


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _version(request, pk):
    version = selectors.exportable_version_by_pk(user=request.user, pk=pk)
    if version is None:
        raise Http404
    return version


class LanguageSerializer(serializers.Serializer):
    language = serializers.ChoiceField(
        choices=["en", "km", "both"],
        default="both",
        help_text="`en` or `km` for one document, `both` for a .zip with one document per language.",
    )


@extend_schema(
    tags=["exports"],
    summary="A version as Akoma Ntoso 3.0",
    description="The version's structure (chapters, articles, paragraphs, points) with the "
    "portal's stable ids as `eId`s, FRBR metadata and its publication, valid against the "
    "official Akoma Ntoso 3.0 schema. One document per language; `both` answers a .zip "
    "of the two, which the import takes back. Working versions only for those who may read them.",
    parameters=[LanguageSerializer],
    responses={
        (200, "application/akn+xml"): OpenApiResponse(
            OpenApiTypes.BINARY, description="One language's document."
        ),
        (200, "application/zip"): OpenApiResponse(
            OpenApiTypes.BINARY, description="Both languages' documents."
        ),
    },
)
class VersionAknApi(PortalAPIMixin, generics.GenericAPIView):
    serializer_class = LanguageSerializer

    def get(self, request, pk):
        query = LanguageSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        version = _version(request, pk)
        language = query.validated_data["language"]
        name = f"{version.draft.slug}-v{version.number}"
        if language == "both":
            return _attachment(akn_bundle(version), "application/zip", f"{name}-akn.zip")
        return _attachment(
            akn.version_document(version, version.provisions_live, language),
            "application/akn+xml",
            f"{name}-{language}.xml",
        )


@extend_schema(
    tags=["exports"],
    summary="A version as a Word document",
    description="English, then Khmer: every part, chapter and article as a heading with its "
    "number, its paragraphs and numbered points below.",
    responses={(200, DOCX_TYPE): OpenApiResponse(OpenApiTypes.BINARY)},
)
class VersionWordApi(PortalAPIMixin, generics.GenericAPIView):
    serializer_class = None

    def get(self, request, pk):
        version = _version(request, pk)
        return _attachment(
            word.version_docx(version, version.provisions_live),
            DOCX_TYPE,
            f"{version.draft.slug}-v{version.number}.docx",
        )


class CompareSerializer(serializers.Serializer):
    compare_to = serializers.IntegerField(
        min_value=1, help_text="The id of the earlier version of the same draft."
    )


@extend_schema(
    tags=["exports"],
    summary="The changes between two versions as a Word document",
    description="Every provision of this version against `compare_to`, in both languages, "
    "with insertions and deletions as Word's tracked changes (w:ins / w:del).",
    parameters=[CompareSerializer],
    responses={(200, DOCX_TYPE): OpenApiResponse(OpenApiTypes.BINARY)},
)
class VersionRedlineWordApi(PortalAPIMixin, generics.GenericAPIView):
    serializer_class = CompareSerializer

    def get(self, request, pk):
        query = CompareSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        new = _version(request, pk)
        old = selectors.exportable_version_by_pk(
            user=request.user, pk=query.validated_data["compare_to"]
        )
        if old is None or old.draft_id != new.draft_id or old.pk == new.pk:
            raise Http404
        redline = version_redline(old_version=old, new_version=new)
        return _attachment(
            word.redline_docx(redline),
            DOCX_TYPE,
            f"{new.draft.slug}-v{old.number}-v{new.number}-redline.docx",
        )


# --- imports ----------------------------------------------------------------------------


class ParsedProvisionSerializer(serializers.Serializer):
    kind = serializers.CharField()
    number = serializers.CharField()
    heading_en = serializers.CharField()
    heading_km = serializers.CharField()
    text_en = serializers.CharField()
    text_km = serializers.CharField()
    stable_id = serializers.CharField(help_text="The stable id it will have.")
    matched = serializers.CharField(
        help_text="How it was matched to the latest version: `identifier`, `number_heading`, "
        "`heading`, `number_text`, or empty for a new provision."
    )
    children = serializers.ListField(
        child=serializers.DictField(), help_text="Nested the same way."
    )


class ProblemSerializer(serializers.Serializer):
    message = serializers.CharField()
    excerpt = serializers.CharField()
    where = serializers.CharField(help_text="The provision it sits in, or empty.")


class ImportUploadSerializer(serializers.ModelSerializer):
    draft = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    version = serializers.SerializerMethodField()
    languages = serializers.SerializerMethodField()
    title_en = serializers.SerializerMethodField()
    title_km = serializers.SerializerMethodField()
    provisions = serializers.SerializerMethodField()
    problems = serializers.SerializerMethodField()

    class Meta:
        model = ImportUpload
        fields = [
            "id", "status", "source_format", "filename", "draft", "version", "created_at",
            "languages", "title_en", "title_km", "provisions", "problems",
        ]  # fmt: skip
        read_only_fields = fields

    def get_version(self, upload) -> int | None:
        return upload.version_id

    def get_languages(self, upload) -> list[str]:
        return upload.parsed.get("languages", [])

    def get_title_en(self, upload) -> str:
        return upload.parsed.get("title_en", "")

    def get_title_km(self, upload) -> str:
        return upload.parsed.get("title_km", "")

    @extend_schema_field(ParsedProvisionSerializer(many=True))
    def get_provisions(self, upload) -> list:
        return upload.parsed.get("provisions", [])

    @extend_schema_field(ProblemSerializer(many=True))
    def get_problems(self, upload) -> list:
        return upload.parsed.get("problems", [])


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="A Word document (.docx), an Akoma Ntoso document (.xml) or a .zip of one "
        "Akoma Ntoso document per language; at most 10 MB."
    )
    draft = serializers.SlugField(
        required=False,
        help_text="The draft it becomes the next working version of; leave out for a new "
        "draft led by the ministry you act for.",
    )


@extend_schema(
    tags=["imports"],
    summary="Upload a document to import (step one)",
    description="Reads the document and keeps what it found, without changing any draft: "
    "the provision tree with the stable id each provision will have (matched to the latest "
    "version by identifier, number and heading) and what was not understood. Apply it with "
    "`POST /imports/{id}/apply/`. Drafters only.",
    request={"multipart/form-data": UploadSerializer},
    responses={201: ImportUploadSerializer},
)
class ImportListApi(PortalAPIMixin, generics.GenericAPIView):
    serializer_class = UploadSerializer
    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [MultiPartParser]

    def post(self, request):
        serializer = UploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        slug = serializer.validated_data.get("draft")
        draft = (
            get_object_or_404(
                Draft.objects.select_related("lead_ministry").prefetch_related("drafting_partners"),
                slug=slug,
            )
            if slug
            else None
        )
        file = serializer.validated_data["file"]
        services.check_size(file.size)  # before reading a huge file into memory
        upload = services.import_upload(
            by=request.user, filename=file.name, data=file.read(), draft=draft
        )
        return Response(ImportUploadSerializer(upload).data, status=201)


def _own_upload(request, pk) -> ImportUpload:
    upload = selectors.own_upload(user=request.user, pk=pk)
    if upload is None:
        raise Http404
    return upload


@extend_schema(
    tags=["imports"],
    summary="An upload: what was found",
    description="Only the drafter who uploaded it sees it.",
    responses={200: ImportUploadSerializer},
)
class ImportDetailApi(PortalAPIMixin, generics.GenericAPIView):
    serializer_class = ImportUploadSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get(self, request, pk):
        return Response(ImportUploadSerializer(_own_upload(request, pk)).data)


class ApplySerializer(serializers.Serializer):
    title_en = serializers.CharField(required=False, allow_blank=True, max_length=300)
    title_km = serializers.CharField(required=False, allow_blank=True, max_length=300)
    slug = serializers.SlugField(required=False, allow_blank=True, max_length=80)


class AppliedSerializer(serializers.Serializer):
    upload = ImportUploadSerializer()
    draft = serializers.CharField(help_text="The draft's slug.")
    version = serializers.IntegerField(help_text="The new working version's id.")
    number = serializers.IntegerField(help_text="The new working version's number.")


@extend_schema(
    tags=["imports"],
    summary="Apply an upload (step two)",
    description="Imports exactly what the upload showed, in one transaction: the next "
    "working version of its draft, or a new draft (give it a title and slug here, or the "
    "document's title is used). Refused when a working version is open, when the draft "
    "gained a version since the upload, or when it was applied or discarded already.",
    request=ApplySerializer,
    responses={201: AppliedSerializer},
)
class ImportApplyApi(PortalAPIMixin, generics.GenericAPIView):
    serializer_class = ApplySerializer
    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [JSONParser]

    def post(self, request, pk):
        upload = _own_upload(request, pk)
        serializer = ApplySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        version = services.import_apply(upload=upload, by=request.user, **serializer.validated_data)
        upload.refresh_from_db()
        return Response(
            {
                "upload": ImportUploadSerializer(upload).data,
                "draft": version.draft.slug,
                "version": version.pk,
                "number": version.number,
            },
            status=201,
        )


@extend_schema(
    tags=["imports"],
    summary="Discard an upload",
    description="Sets it aside without importing anything; it stays in the record.",
    request=None,
    responses={200: ImportUploadSerializer},
)
class ImportDiscardApi(PortalAPIMixin, generics.GenericAPIView):
    serializer_class = ImportUploadSerializer
    permission_classes = [permissions.IsAuthenticated]

    def post(self, request, pk):
        upload = services.import_discard(upload=_own_upload(request, pk), by=request.user)
        return Response(ImportUploadSerializer(upload).data)
