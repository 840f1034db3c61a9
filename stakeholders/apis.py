"""The API for organisations and for the signed-in person's own account."""

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, generics, permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api_errors import PortalAPIMixin

from . import services
from .models import Membership, Organisation
from .policies import actor_for
from .serializers import (
    MeSerializer,
    OrganisationSerializer,
    TokenRequestSerializer,
    TokenSerializer,
)
from .two_factor import confirmed_device


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


@extend_schema(
    summary="Exchange a username and password for an API token",
    description="Returns a new token and revokes the previous one (one token per person). "
    "Someone who turned on two-factor sign-in must also send the current code. Repeated "
    "failures lock the account and address out for a while, as on the sign-in page.",
    request=TokenRequestSerializer,
    responses={200: TokenSerializer},
    auth=[],
)
class TokenApi(PortalAPIMixin, APIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes = []

    def post(self, request):
        form = TokenRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        user = authenticate(
            request._request,
            username=form.validated_data["username"],
            password=form.validated_data["password"],
        )
        if user is None:
            raise exceptions.AuthenticationFailed(_("The username or password is not right."))
        device = confirmed_device(user)
        code = form.validated_data.get("otp_code", "")
        if device is not None and not (code and device.verify_token(code)):
            raise exceptions.AuthenticationFailed(
                _("Two-factor sign-in is on for this account: send the current code as otp_code.")
            )
        token = services.api_token_replace(user=user)
        return Response(TokenSerializer({"token": token.key}).data)
