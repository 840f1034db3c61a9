"""``GET /api/v1/search/``: the search page's parameters and results, as JSON."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics
from rest_framework.response import Response

from core.api_errors import PortalAPIMixin

from . import selectors
from .forms import SearchForm
from .serializers import SearchResultsSerializer

_P = OpenApiParameter
PARAMETERS = [
    _P(
        "q",
        OpenApiTypes.STR,
        description="Words to find, English or Khmer; a phrase in "
        "quotation marks; -word leaves a word out. Latin and Khmer digits both match.",
    ),
    _P("type", OpenApiTypes.STR, enum=["provision", "comment", "response", "organisation"]),
    _P("draft", OpenApiTypes.STR, description="A draft's slug."),
    _P("version", OpenApiTypes.INT, description="A version's id."),
    _P("article", OpenApiTypes.STR, description="A provision's stable id (with draft)."),
    _P("kind", OpenApiTypes.STR, enum=["comment", "question", "amendment"]),
    _P("organisation_kind", OpenApiTypes.STR),
    _P("organisation", OpenApiTypes.STR, description="An organisation's slug."),
    _P("disposition", OpenApiTypes.STR),
    _P("language", OpenApiTypes.STR, enum=["en", "km"]),
    _P("date_from", OpenApiTypes.DATE),
    _P("date_to", OpenApiTypes.DATE),
    _P("sort", OpenApiTypes.STR, enum=list(selectors.SORTS)),
    _P("page", OpenApiTypes.INT),
]


class SearchApi(PortalAPIMixin, generics.GenericAPIView):
    serializer_class = SearchResultsSerializer
    pagination_class = None
    filter_backends = []

    @extend_schema(
        tags=["search"],
        summary="Search the law, the comments, the responses and the organisations",
        description="What you may read, found by its words, with the facet counts over all "
        "the results and one page (20) of them. Restricted and hidden comments are found "
        "only by those who may read them. `title` and `snippet` are HTML: escaped text with "
        "`<mark>` around the words found.",
        parameters=PARAMETERS,
    )
    def get(self, request):
        form = SearchForm(request.query_params)
        if not form.is_valid():
            raise exceptions.ValidationError(
                {field: [str(error) for error in errors] for field, errors in form.errors.items()}
            )
        results = selectors.search(user=request.user, params=form.params())
        return Response(SearchResultsSerializer(results, context={"request": request}).data)
