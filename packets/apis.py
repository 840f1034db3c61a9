"""The API for review packets: list and request, status, download.

Views are thin: ``stakeholders.policies`` authorises, ``packets.services``
requests, and the download answers exactly as the web page does
(``packets.downloads.packet_file_response``).
"""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, permissions
from rest_framework.response import Response

from core import idempotency
from core.api_errors import PortalAPIMixin
from core.errors import ConflictError, DomainError
from drafts.selectors import readable_version
from stakeholders.policies import can, ensure_can

from . import serializers
from .downloads import packet_file_response
from .models import Packet
from .services import packet_request, packet_retry


def _version_or_404(request, pk):
    """The version if the user may read it; 404 otherwise (its existence is not revealed)."""
    version = readable_version(user=request.user, pk=pk)
    if version is None:
        raise Http404
    return version


def _packet(request, pk) -> Packet:
    """A packet the user may download (403 with the reason otherwise, 404 if none)."""
    try:
        packet = (
            Packet.objects.select_related("version__draft", "compare_to")
            .prefetch_related("version__draft__drafting_partners")
            .get(pk=int(pk))
        )
    except (Packet.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None
    ensure_can(request.user, "packet.download", packet)
    return packet


def _packet_response(request, packet, status_code=200):
    data = serializers.PacketSerializer(packet, context={"request": request}).data
    headers = {"Location": str(data["url"])} if status_code == 202 else {}
    return Response(data, status=status_code, headers=headers)


@extend_schema_view(
    get=extend_schema(
        tags=["packets"],
        summary="Review packets of a version",
        description="Packets already requested for the version, newest first (officials and "
        "the draft's drafters; packets with restricted comments only for those who may "
        "read them).",
    ),
    post=extend_schema(
        tags=["packets"],
        summary="Request a review packet",
        description="Queues the build of a consolidated PDF and answers 202 at once with the "
        "packet's URL (also in Location); poll it until `status` is `ready`, then download. "
        "Asking again for the same content returns the same packet (`reused`).",
        request=serializers.PacketRequestSerializer,
        parameters=[idempotency.header_parameter()],
        responses={202: serializers.PacketSerializer},
    ),
)
class VersionPacketsApi(PortalAPIMixin, generics.ListAPIView):
    serializer_class = serializers.PacketSerializer
    permission_classes = [permissions.IsAuthenticated]
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Packet.objects.none()
        version = _version_or_404(self.request, self.kwargs["pk"])
        ensure_can(self.request.user, "packet.request", version)
        queryset = Packet.objects.filter(version=version)
        if not can(self.request.user, "packet.include_restricted", version):
            queryset = queryset.filter(include_restricted=False)
        return queryset.select_related("version", "compare_to").order_by("-created_at", "-pk")

    def post(self, request, pk):
        version = _version_or_404(request, pk)
        form = serializers.PacketRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        compare_to = None
        if data.get("compare_to"):
            compare_to = readable_version(user=request.user, pk=data["compare_to"])
            if compare_to is None:
                raise DomainError(_("There is no such version."), field="compare_to")

        def request_packet() -> idempotency.Outcome:
            packet = packet_request(
                version=version,
                by=request.user,
                language=data["language"],
                compare_to=compare_to,
                include_restricted=data["include_restricted"],
            )
            return idempotency.Outcome(202, {"reused": packet.reused}, packet.pk)

        # A retry with the same key names the same packet, shown as it stands now (a
        # packet is polled, so its first answer, "queued", would be stale).
        outcome = idempotency.api_once(request, request_packet)
        packet = Packet.objects.get(pk=outcome.object_id)
        packet.reused = outcome.body["reused"]
        return _packet_response(request, packet, 202)


@extend_schema_view(
    get=extend_schema(tags=["packets"], summary="A review packet's status"),
)
class PacketDetailApi(PortalAPIMixin, generics.GenericAPIView):
    serializer_class = serializers.PacketSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get(self, request, pk):
        return _packet_response(request, _packet(request, pk))


@extend_schema_view(
    get=extend_schema(
        tags=["packets"],
        summary="Download a review packet",
        description="The PDF, once the packet is ready; 409 while it is still being built or "
        "if the build failed.",
        responses={
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The packet as a PDF file."
            )
        },
    ),
)
class PacketDownloadApi(PortalAPIMixin, generics.GenericAPIView):
    serializer_class = serializers.PacketSerializer
    permission_classes = [permissions.IsAuthenticated]
    error_statuses = (409,)

    def get(self, request, pk):
        packet = _packet(request, pk)
        if packet.status != Packet.Status.READY or not packet.file:
            raise ConflictError(
                _("The packet is not ready yet (%(status)s).")
                % {"status": packet.get_status_display()},
                current=packet,
            )
        try:
            return packet_file_response(packet)
        except FileNotFoundError:
            raise Http404(_("The packet file is missing.")) from None

    def serialize_conflict(self, packet):
        return serializers.PacketSerializer(packet, context={"request": self.request}).data


@extend_schema_view(
    post=extend_schema(
        tags=["packets"],
        summary="Build a review packet again",
        description="For a packet shown as `failed`: one whose build failed, stopped making "
        "progress, or whose file is missing. Answers 202 with the packet, queued again.",
        request=None,
        responses={202: serializers.PacketSerializer},
    ),
)
class PacketRetryApi(PortalAPIMixin, generics.GenericAPIView):
    serializer_class = serializers.PacketSerializer
    permission_classes = [permissions.IsAuthenticated]

    def post(self, request, pk):
        packet = packet_retry(packet=_packet(request, pk), by=request.user)
        return _packet_response(request, packet, 202)
