"""The API's shape of search results (the rules and the reading are in ``search.selectors``)."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import Entry


class SearchOrganisationSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()


class SearchAttachmentSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The file's name as it was attached.")
    url = serializers.URLField(help_text="Where to download it (as whoever may read the comment).")


class SearchHitSerializer(serializers.Serializer):
    """One result. ``title`` and ``snippet`` are HTML: escaped text with ``<mark>`` around matches."""

    type = serializers.ChoiceField(choices=Entry.Source.choices, source="entry.source")
    language = serializers.CharField(source="entry.language")
    title = serializers.CharField()
    snippet = serializers.CharField()
    url = serializers.SerializerMethodField(help_text="The page of the result on the portal.")
    api_url = serializers.SerializerMethodField(allow_null=True)
    draft = serializers.SlugField(source="entry.draft.slug", allow_null=True, default=None)
    version = serializers.IntegerField(source="entry.version_id", allow_null=True)
    version_number = serializers.IntegerField(
        source="entry.version.number", allow_null=True, default=None
    )
    article = serializers.CharField(source="entry.stable_id")
    comment = serializers.IntegerField(source="entry.comment_id", allow_null=True)
    kind = serializers.CharField(source="entry.kind")
    disposition = serializers.CharField(source="entry.disposition")
    organisation = serializers.SerializerMethodField(allow_null=True)
    attachment = serializers.SerializerMethodField(
        allow_null=True, help_text="For a file attached to a comment: which file."
    )
    date = serializers.DateTimeField(source="entry.date", allow_null=True)

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    def get_url(self, hit) -> str:
        entry = hit.entry
        if entry.source == Entry.Source.PROVISION:
            path = reverse(
                "comments:article",
                args=[entry.draft.slug, entry.version.number, entry.stable_id],
            )
        elif entry.source == Entry.Source.ORGANISATION:
            path = reverse("search:search") + f"?organisation={entry.organisation.slug}"
        else:
            path = reverse("comments:permalink", args=[entry.comment_id])
        return self._absolute(path)

    def get_api_url(self, hit) -> str | None:
        entry = hit.entry
        if entry.comment_id:
            return self._absolute(reverse("api:comment-detail", args=[entry.comment_id]))
        if entry.source == Entry.Source.ORGANISATION:
            return self._absolute(
                reverse("api:organisation-detail", args=[entry.organisation.slug])
            )
        return self._absolute(reverse("api:version-provisions", args=[entry.version_id]))

    @extend_schema_field(SearchAttachmentSerializer(allow_null=True))
    def get_attachment(self, hit) -> dict | None:
        entry = hit.entry
        if entry.source != Entry.Source.ATTACHMENT:
            return None
        return {
            "name": entry.attachment.original_name,
            "url": self._absolute(reverse("comments:attachment", args=[entry.attachment_id])),
        }

    def get_organisation(self, hit) -> dict | None:
        organisation = hit.entry.comment.organisation if hit.entry.comment_id else None
        organisation = organisation or hit.entry.organisation
        if organisation is None:
            return None
        return SearchOrganisationSerializer(
            {"slug": organisation.slug, "name": organisation.name, "kind": organisation.kind}
        ).data


class SearchFacetValueSerializer(serializers.Serializer):
    value = serializers.CharField(help_text="The value to pass as this facet's parameter.")
    label = serializers.CharField()
    count = serializers.IntegerField()
    selected = serializers.BooleanField()


class SearchFacetSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The parameter this facet filters by.")
    values = SearchFacetValueSerializer(many=True)


class SearchResultsSerializer(serializers.Serializer):
    count = serializers.IntegerField(source="total")
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    results = SearchHitSerializer(many=True, source="hits")
    facets = SearchFacetSerializer(many=True)
