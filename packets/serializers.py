"""Serializers of the review packet API."""

from rest_framework import serializers
from rest_framework.reverse import reverse

from drafts.serializers import VersionBriefSerializer

from .models import Packet


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
            "progress",
            "error",
            "page_count",
            "size_bytes",
            "fingerprint",
            "created_at",
            "started_at",
            "finished_at",
            "reused",
        ]
        read_only_fields = fields

    def get_download_url(self, packet) -> str:
        return reverse(
            "api:packet-download", kwargs={"pk": packet.pk}, request=self.context.get("request")
        )

    def get_reused(self, packet) -> bool:
        return bool(getattr(packet, "reused", False))


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
