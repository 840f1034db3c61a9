"""How drafts, versions and provisions appear in the API.

Serializers only shape data the view has already loaded: counts arrive as
annotations and visibility has been decided by the view with the policies.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from stakeholders.policies import consultation_is_open
from stakeholders.serializers import OrganisationBriefSerializer

from .models import Draft, DraftVersion, Provision


class VersionBriefSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:version-detail")

    class Meta:
        model = DraftVersion
        fields = ["id", "url", "number", "status"]
        read_only_fields = fields


class DraftSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:draft-detail", lookup_field="slug")
    title = serializers.CharField(read_only=True, help_text="In the requested language.")
    short_title = serializers.CharField(read_only=True, help_text="In the requested language.")
    lead_ministry = OrganisationBriefSerializer(read_only=True)
    drafting_partners = OrganisationBriefSerializer(many=True, read_only=True)
    versions = serializers.SerializerMethodField(
        help_text="The versions you may see, oldest first."
    )
    versions_url = serializers.SerializerMethodField()

    class Meta:
        model = Draft
        fields = [
            "id",
            "slug",
            "url",
            "title",
            "title_en",
            "title_km",
            "short_title",
            "short_title_en",
            "short_title_km",
            "summary_en",
            "summary_km",
            "lead_ministry",
            "drafting_partners",
            "created_at",
            "versions",
            "versions_url",
        ]
        read_only_fields = fields

    @extend_schema_field(VersionBriefSerializer(many=True))
    def get_versions(self, draft):
        visible = getattr(draft, "visible_versions", [])
        return VersionBriefSerializer(visible, many=True, context=self.context).data

    def get_versions_url(self, draft) -> str:
        return reverse(
            "api:draft-versions", kwargs={"slug": draft.slug}, request=self.context.get("request")
        )


LINKS = ("provisions", "provision_tree", "comments", "matrix", "redline", "packets")


class VersionSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:version-detail")
    draft = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    is_open = serializers.SerializerMethodField(
        help_text="Whether the consultation takes comments right now."
    )
    parent = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="The version this one was started from."
    )
    comment_count = serializers.IntegerField(
        read_only=True, help_text="Comments and replies on this version that you may see."
    )
    links = serializers.SerializerMethodField()

    class Meta:
        model = DraftVersion
        fields = [
            "id",
            "url",
            "draft",
            "number",
            "status",
            "status_label",
            "is_open",
            "opens_at",
            "closes_at",
            "published_at",
            "change_note_en",
            "change_note_km",
            "parent",
            "comment_count",
            "links",
        ]
        read_only_fields = fields

    def get_is_open(self, version) -> bool:
        return consultation_is_open(version)

    @extend_schema_field(
        {
            "type": "object",
            "properties": {name: {"type": "string", "format": "uri"} for name in LINKS},
            "required": list(LINKS),
        }
    )
    def get_links(self, version) -> dict:
        request = self.context.get("request")
        kwargs = {"pk": version.pk}
        comments = reverse("api:comment-list", request=request) + f"?version={version.pk}"
        return {
            "provisions": reverse("api:version-provisions", kwargs=kwargs, request=request),
            "provision_tree": reverse("api:version-provision-tree", kwargs=kwargs, request=request),
            "comments": comments,
            "matrix": reverse("api:version-matrix", kwargs=kwargs, request=request),
            "redline": reverse("api:version-redline", kwargs=kwargs, request=request),
            "packets": reverse("api:version-packets", kwargs=kwargs, request=request),
        }


class ProvisionSerializer(serializers.ModelSerializer):
    """A provision with the stable id that follows it through renumbering and moves."""

    label = serializers.CharField(read_only=True)
    parent_stable_id = serializers.SerializerMethodField(
        help_text="The stable id of the enclosing provision; null at the top level."
    )
    comment_count = serializers.IntegerField(
        read_only=True, help_text="Comments and replies on this provision that you may see."
    )

    class Meta:
        model = Provision
        fields = [
            "id",
            "stable_id",
            "parent_stable_id",
            "kind",
            "number",
            "label",
            "position",
            "heading_en",
            "heading_km",
            "text_en",
            "text_km",
            "revision",
            "comment_count",
        ]
        read_only_fields = fields

    def get_parent_stable_id(self, provision) -> str | None:
        return getattr(provision, "parent_stable_id", None)


class ProvisionNodeSerializer(ProvisionSerializer):
    children = serializers.SerializerMethodField()

    class Meta(ProvisionSerializer.Meta):
        fields = [*ProvisionSerializer.Meta.fields, "children"]
        read_only_fields = fields

    @extend_schema_field({"type": "array", "items": {"$ref": "#/components/schemas/ProvisionNode"}})
    def get_children(self, provision) -> list:
        return ProvisionNodeSerializer(
            getattr(provision, "tree_children", []), many=True, context=self.context
        ).data


class ProvisionTreeSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    provisions = ProvisionNodeSerializer(many=True)


# --- redlines -----------------------------------------------------------------------


class ProvisionSideSerializer(serializers.Serializer):
    """A provision as it stood in one of the two versions compared."""

    number = serializers.CharField()
    label = serializers.CharField()
    parent_stable_id = serializers.SerializerMethodField()
    heading_en = serializers.CharField()
    heading_km = serializers.CharField()
    text_en = serializers.CharField()
    text_km = serializers.CharField()

    def get_parent_stable_id(self, provision) -> str | None:
        return provision.parent.stable_id if provision.parent_id else None


class DiffOpSerializer(serializers.Serializer):
    op = serializers.ChoiceField(choices=["equal", "insert", "delete"])
    text = serializers.CharField()


class ProvisionChangeSerializer(serializers.Serializer):
    stable_id = serializers.CharField()
    kind = serializers.CharField()
    flags = serializers.ListField(
        child=serializers.CharField(),
        help_text="`added`, `removed`, `moved`, `renumbered`, `text_changed`, "
        "`heading_changed`, or `unchanged`.",
    )
    status = serializers.CharField(help_text="A readable summary in the requested language.")
    old = ProvisionSideSerializer(allow_null=True, help_text="Null for an added provision.")
    new = ProvisionSideSerializer(allow_null=True, help_text="Null for a removed provision.")
    text_diff_en = serializers.SerializerMethodField()
    text_diff_km = serializers.SerializerMethodField()
    heading_diff_en = serializers.SerializerMethodField()
    heading_diff_km = serializers.SerializerMethodField()
    text_html_en = serializers.CharField(help_text="The English text with <ins> and <del>.")
    text_html_km = serializers.CharField(help_text="The Khmer text with <ins> and <del>.")

    @staticmethod
    def _ops(ops) -> list[dict]:
        return [{"op": op, "text": text} for op, text in ops]

    @extend_schema_field(DiffOpSerializer(many=True))
    def get_text_diff_en(self, change):
        return self._ops(change.text_ops("en"))

    @extend_schema_field(DiffOpSerializer(many=True))
    def get_text_diff_km(self, change):
        return self._ops(change.text_ops("km"))

    @extend_schema_field(DiffOpSerializer(many=True))
    def get_heading_diff_en(self, change):
        return self._ops(change.heading_ops("en"))

    @extend_schema_field(DiffOpSerializer(many=True))
    def get_heading_diff_km(self, change):
        return self._ops(change.heading_ops("km"))


class RedlineSummarySerializer(serializers.Serializer):
    added = serializers.IntegerField()
    removed = serializers.IntegerField()
    moved = serializers.IntegerField()
    renumbered = serializers.IntegerField()
    changed = serializers.IntegerField()
    unchanged = serializers.IntegerField()


class RedlineSerializer(serializers.Serializer):
    """One page of the differences, with the summary of the whole comparison."""

    old_version = VersionBriefSerializer()
    new_version = VersionBriefSerializer()
    summary = RedlineSummarySerializer()
    count = serializers.IntegerField(help_text="How many changes match, on every page.")
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ProvisionChangeSerializer(many=True)


class RedlineQuerySerializer(serializers.Serializer):
    against = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="The id of the version to compare with; by default the version this one "
        "was started from.",
    )
    changed_only = serializers.BooleanField(
        required=False, default=False, help_text="Leave out unchanged provisions."
    )
