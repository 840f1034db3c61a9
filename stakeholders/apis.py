"""The API for organisations and for the signed-in person's own account."""

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api_errors import PortalAPIMixin

from .models import Membership, Organisation
from .policies import actor_for
from .serializers import MeSerializer, OrganisationSerializer


class OrganisationFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=Organisation.Kind.choices)
    verified = filters.BooleanFilter()
    country = filters.CharFilter(help_text="ISO 3166-1 alpha-2 code.")

    class Meta:
        model = Organisation
        fields = ["kind", "verified", "country"]


@extend_schema_view(
    get=extend_schema(
        tags=["organisations"],
        summary="List organisations",
        description="Every organisation taking part, by English name. Members are not listed.",
    )
)
class OrganisationListApi(PortalAPIMixin, generics.ListAPIView):
    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilter
    filter_backends = [filters.DjangoFilterBackend]
    queryset = Organisation.objects.order_by("name_en", "pk")


@extend_schema_view(get=extend_schema(tags=["organisations"], summary="One organisation"))
class OrganisationDetailApi(PortalAPIMixin, generics.RetrieveAPIView):
    serializer_class = OrganisationSerializer
    queryset = Organisation.objects.all()
    lookup_field = "slug"


@extend_schema_view(
    get=extend_schema(
        tags=["account"],
        summary="Who you are",
        description="The signed-in person, the organisation they act for (which every comment "
        "they post speaks for) and their active memberships.",
    )
)
class MeApi(PortalAPIMixin, APIView):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = MeSerializer

    def get(self, request):
        user = request.user
        memberships = list(
            Membership.objects.active()
            .filter(user=user)
            .select_related("organisation")
            .order_by("organisation__name_en", "role", "pk")
        )
        acting_id = actor_for(user).acting_org_id
        acting = next((m.organisation for m in memberships if m.organisation_id == acting_id), None)
        data = MeSerializer(
            {
                "username": user.username,
                "name": str(user),
                "acting_organisation": acting,
                "memberships": memberships,
            },
            context={"request": request},
        ).data
        return Response(data)
