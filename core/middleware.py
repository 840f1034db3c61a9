"""Middleware shared by every app."""

import logging

from django.db import DataError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from .api_errors import error_body, service_unavailable_body
from .errors import INFRASTRUCTURE_ERRORS, retry_after_seconds
from .web import refusal

logger = logging.getLogger(__name__)


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


class ServiceUnavailable:
    """The database, Redis or the broker unreachable: a 503 with Retry-After, not a 500.

    The API's views answer through ``core.api_errors``; this catches the same errors
    from every other view. The page is drawn without the request's context
    processors or the signed-in user, since reading them may need the database that
    just failed.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, INFRASTRUCTURE_ERRORS):
            return None
        logger.warning("service unavailable on %s: %r", request.path, exception)
        if _is_api(request):
            response = JsonResponse(service_unavailable_body(), status=503)
        else:
            response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(retry_after_seconds())
        return response
