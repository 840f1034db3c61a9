"""Middleware shared by every app."""

from django.db import DataError
from django.http import JsonResponse
from django.utils.translation import gettext as _

from .api_errors import error_body
from .web import refusal


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def _bad_request(request, message: str):
    if _is_api(request):
        return JsonResponse(error_body("invalid", message), status=400)
    return refusal(request, message, status=400)


class RejectNulBytes:
    """Refuse a NUL byte in the path or the query string with a 400.

    PostgreSQL cannot store or compare text containing NUL, so a NUL that reaches
    a query (an article's stable id in the path, a filter value) raises an error
    deep in the database layer. No URL or parameter of the portal has one.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or "\x00" in query or "%00" in query:
            return _bad_request(request, _("The address contains a character that is not allowed."))
        return self.get_response(request)

    def process_exception(self, request, exception):
        """Input the database refuses (a NUL in a form field, a number out of range): a 400."""
        if isinstance(exception, DataError):
            return _bad_request(request, _("Some of the input could not be stored as it is."))
        return None
