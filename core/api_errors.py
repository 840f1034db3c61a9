"""One error format for the whole API, and the schema that describes it.

Every refusal, whatever raised it, reaches the client as::

    {"error": {"code": "...", "message": "...", "fields": {"body": ["..."]}}}

``fields`` appears when particular inputs were wrong; a 409 adds ``current``,
the record as it stands now, so the client can show both versions and retry.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from .errors import (
    INFRASTRUCTURE_ERRORS,
    ConflictError,
    DomainError,
    IdempotencyKeyReused,
    RateLimited,
    retry_after_seconds,
)


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error details as ``{"field": ["message", ...]}`` (dotted paths for nesting)."""
    fields: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if key == "non_field_errors":
                name = prefix or "non_field_errors"
            for sub, messages in _flatten(value, name).items():
                fields.setdefault(sub, []).extend(messages)
    elif isinstance(detail, list):
        for index, value in enumerate(detail):
            if isinstance(value, dict | list):
                for sub, messages in _flatten(
                    value, f"{prefix}.{index}" if prefix else str(index)
                ).items():
                    fields.setdefault(sub, []).extend(messages)
            else:
                fields.setdefault(prefix or "non_field_errors", []).append(str(value))
    else:
        fields.setdefault(prefix or "non_field_errors", []).append(str(detail))
    return fields


def error_body(code: str, message: str, fields=None, **extra) -> dict:
    error = {"code": code, "message": str(message)}
    if fields:
        error["fields"] = fields
    error.update(extra)
    return {"error": error}


def service_unavailable_body() -> dict:
    return error_body(
        "service_unavailable",
        _("The service is briefly unavailable. Please try again in a few seconds."),
    )


def _conflict_current(exc: ConflictError, context) -> dict | None:
    """The record as it stands now, serialised by the view that raised the conflict."""
    view = context.get("view")
    render = getattr(view, "serialize_conflict", None)
    if exc.current is None or render is None:
        return None
    return render(exc.current)


def exception_handler(exc, context):
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]: every client mistake becomes a 4xx in one shape."""
    headers = {}
    if isinstance(exc, INFRASTRUCTURE_ERRORS):
        return Response(
            service_unavailable_body(),
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(retry_after_seconds())},
        )
    if isinstance(exc, IdempotencyKeyReused):
        return Response(error_body(exc.code, exc.message), status=422)
    if isinstance(exc, ConflictError):
        current = _conflict_current(exc, context)
        body = error_body("conflict", exc.message, current=current)
        return Response(body, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, RateLimited):
        return Response(
            error_body(exc.code, exc.message),
            status=status.HTTP_429_TOO_MANY_REQUESTS,
            headers={"Retry-After": str(exc.retry_after)},
        )
    if isinstance(exc, DomainError):
        fields = {exc.field: [str(exc.message)]} if exc.field else None
        return Response(error_body(exc.code, exc.message, fields), status=400)
    if isinstance(exc, PermissionDenied):  # PolicyDenied included
        message = getattr(exc, "message", "") or str(exc) or _("You may not do this.")
        return Response(error_body("permission_denied", message), status=403)
    if isinstance(exc, DataError):
        # Input the database refuses (a NUL byte in a JSON string, a number out of range).
        return Response(
            error_body("invalid", _("Some of the input could not be stored as it is.")), status=400
        )
    if isinstance(exc, Http404):
        return Response(error_body("not_found", _("Not found.")), status=404)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            fields = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
            return Response(error_body("invalid", _("Invalid input."), fields), status=400)
        return Response(error_body("invalid", " ".join(exc.messages)), status=400)
    if isinstance(exc, SuspiciousOperation):
        # Too many fields, a body over DATA_UPLOAD_MAX_MEMORY_SIZE, a bad host.
        name = type(exc).__name__
        if name in ("RequestDataTooBig", "TooManyFieldsSent", "TooManyFilesSent"):
            return Response(
                error_body("too_large", _("The request is too large.")),
                status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            )
        return Response(error_body("bad_request", _("Bad request.")), status=400)
    if isinstance(exc, exceptions.APIException):
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None):
            headers["Retry-After"] = str(int(exc.wait))
        if isinstance(exc, exceptions.ValidationError):
            fields = _flatten(exc.detail)
            return Response(
                error_body("invalid", _("Some of the input is not valid."), fields),
                status=exc.status_code,
                headers=headers,
            )
        detail = exc.detail
        if isinstance(detail, dict | list):
            message = " ".join(m for ms in _flatten(detail).values() for m in ms)
            code = exc.default_code
        else:
            message = str(detail)
            code = getattr(detail, "code", None) or exc.default_code
        return Response(error_body(code, message), status=exc.status_code, headers=headers)
    return None  # a real bug: let Django log it and answer 500


@csrf_exempt  # it changes nothing; a POST to a wrong path deserves a JSON 404, not a CSRF page
def not_found(request, *args, **kwargs):
    """Any path under /api/ that names no endpoint: JSON, not the HTML 404 page."""
    return JsonResponse(error_body("not_found", _("No such endpoint.")), status=404)


# --- schema -----------------------------------------------------------------------


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="A stable, machine-readable code, e.g. `invalid`, `not_found`, `conflict`, `permission_denied`, `too_long`."
    )
    message = serializers.CharField(
        help_text="A human-readable explanation in the requested language."
    )
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Messages per input field, when particular fields were wrong.",
    )
    current = serializers.DictField(
        required=False,
        allow_null=True,
        help_text="On 409 only: the record as it stands now, with its current revision.",
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()

    class Meta:
        ref_name = "Error"


ERROR_DESCRIPTIONS = {
    400: "The input is not valid, or a business rule refused it (for example the text is too long or the passage is not in the article).",
    401: "The token is missing, unknown or revoked, and the endpoint needs a signed-in user.",
    403: "Signed in, but the permission module does not allow this; the message says why.",
    404: "No such object, or not one you may see.",
    406: "The Accept header asks for a format the API does not produce.",
    409: "Somebody changed the record since you read it; `current` holds it as it is now.",
    413: "The request body is too large.",
    415: "The request body is not in a supported content type (send application/json).",
    422: "The Idempotency-Key was already used for a different request.",
    429: "Too many requests; retry after the number of seconds in Retry-After.",
    503: "The database, cache or queue is briefly unreachable; retry after the number of seconds in Retry-After (nothing was changed, or the change was saved and a retry with the same Idempotency-Key returns it).",
}


class PortalAutoSchema(AutoSchema):
    """Adds the documented error responses to every operation.

    Views may set ``error_statuses`` (a tuple of status codes) to add codes such
    as 409 that only some operations return.
    """

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        codes = {400, 401, 403, 404, 406}
        if self.method in ("POST", "PUT", "PATCH"):
            codes |= {413, 415, 429, 503}
        codes |= set(getattr(self.view, "error_statuses", ()))
        for code in sorted(codes):
            if str(code) in responses:
                continue
            responses[str(code)] = self._get_response_for_code(
                OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[code]), str(code)
            )
        return responses


class Pagination(PageNumberPagination):
    """Page-number pagination for every API list; ``page_size`` up to 200."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class PortalAPIMixin:
    """What every API view shares: the error-aware schema and the pagination."""

    schema = PortalAutoSchema()
    pagination_class = Pagination
