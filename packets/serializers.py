"""Serializers of the review packet API."""

from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.reverse import reverse

from drafts.serializers import VersionBriefSerializer

from .models import Packet
from .services import packet_can_retry, packet_problem


class PacketSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:packet-detail")
    download_url = serializers.SerializerMethodField(
        help_text="Where the PDF can be downloaded once `status` is `ready`."
    )
    version = VersionBriefSerializer(read_only=True)
    compare_to = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    reused = serializers.SerializerMethodField(
        help_text="True when an identical packet already existed and was returned instead "
        "of building a new one."
    )
    progress = serializers.CharField(
        source="progress_label",
        read_only=True,
        help_text="Where the build is, in the language of the request (from `stage` and the "
        "part counts).",
    )
    error = serializers.CharField(
        source="failure_reason",
        read_only=True,
        help_text="Why the build failed, in the language of the request; empty otherwise.",
    )
    retry_url = serializers.SerializerMethodField(
        help_text="POST here to build the packet again; null unless it can be retried "
        "(failed, stuck, or ready but its file is missing: all shown as `failed`)."
    )

    class Meta:
        model = Packet
        fields = [
            "id",
            "url",
            "download_url",
            "version",
            "compare_to",
            "language",
            "include_restricted",
            "status",
            "status_label",
            "stage",
            "parts_done",
            "parts_total",
            "progress",
            "error",
            "page_count",
            "size_bytes",
            "fingerprint",
            "created_at",
            "started_at",
            "finished_at",
            "reused",
            "retry_url",
        ]
        read_only_fields = fields

    def get_download_url(self, packet) -> str:
        return reverse(
            "api:packet-download", kwargs={"pk": packet.pk}, request=self.context.get("request")
        )

    def get_reused(self, packet) -> bool:
        return bool(getattr(packet, "reused", False))

    def get_retry_url(self, packet) -> str | None:
        if not packet_can_retry(packet):
            return None
        return reverse(
            "api:packet-retry", kwargs={"pk": packet.pk}, request=self.context.get("request")
        )

    def to_representation(self, packet):
        """A stuck packet, or a ready one without its file, is shown as failed, to retry."""
        data = super().to_representation(packet)
        problem = packet_problem(packet)
        if problem:
            data["status"] = Packet.Status.FAILED
            data["status_label"] = _("Failed — retry")
            data["error"] = problem
        return data


class PacketRequestSerializer(serializers.Serializer):
    language = serializers.ChoiceField(choices=Packet.Language.choices, default="both")
    compare_to = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        help_text="The id of an earlier published version to show changes against.",
    )
    include_restricted = serializers.BooleanField(
        default=False,
        help_text="Include restricted comments (only for those who may read them).",
    )
