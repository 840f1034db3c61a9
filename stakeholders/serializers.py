"""How organisations and people appear in the API."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import Membership, Organisation


class OrganisationBriefSerializer(serializers.ModelSerializer):
    """An organisation named inside another object (a comment's author, a draft's ministry)."""

    name = serializers.CharField(read_only=True, help_text="In the requested language.")

    class Meta:
        model = Organisation
        fields = ["id", "slug", "name", "kind", "verified"]
        read_only_fields = fields


class OrganisationSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text="In the requested language.")
    url = serializers.HyperlinkedIdentityField(
        view_name="api:organisation-detail", lookup_field="slug"
    )

    class Meta:
        model = Organisation
        fields = [
            "id",
            "slug",
            "url",
            "name",
            "name_en",
            "name_km",
            "kind",
            "country",
            "verified",
            "created_at",
        ]
        read_only_fields = fields


class PersonSerializer(serializers.Serializer):
    """The name a person posts under; nothing else about them is published."""

    name = serializers.CharField(read_only=True)


@extend_schema_field(PersonSerializer)
class PersonField(serializers.Field):
    def to_representation(self, value):
        return {"name": str(value)}


class MembershipSerializer(serializers.ModelSerializer):
    organisation = OrganisationBriefSerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ["organisation", "role", "is_org_admin"]
        read_only_fields = fields


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField()
    acting_organisation = OrganisationBriefSerializer(allow_null=True)
    memberships = MembershipSerializer(many=True)


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(
        max_length=256, trim_whitespace=False, style={"input_type": "password"}
    )
    otp_code = serializers.RegexField(
        r"^\d{6}$",
        required=False,
        help_text="The six-digit code of your authenticator app, if you turned on two-factor sign-in.",
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text='Send it as "Authorization: Token <token>".')
