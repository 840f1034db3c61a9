"""The small shared web layer: what every app's HTML views need in the same way.

- ``is_htmx``: whether a request came from htmx (and wants a fragment, not a page);
- ``safe_next``: a ``next`` target that stays on this site, or the fallback;
- ``form_error``: a service's ``DomainError`` shown on the form field it names;
- ``refusal``: the one way a refused action is shown, a translated page (or, for
  htmx, a fragment) with the reason, answered 403, 409 or 429 as the error says.

A ``PolicyDenied`` that a view does not catch reaches ``portal.urls.handler403``,
which renders the same page through ``refusal``.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme

from .errors import DomainError, RateLimited, http_status_for

REFUSAL_TEMPLATE = "refused.html"
REFUSAL_FRAGMENT = "_refused.html"


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def safe_next(request, fallback: str) -> str:
    """The ``next`` given in the form or query if it points to this site, else ``fallback``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def form_error(form, error: DomainError) -> None:
    """Put a service's error on the form: on its field when the form has one, else on the form."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


def refusal(
    request, reason: str, *, status: int = 403, back_url: str | None = None
) -> HttpResponse:
    """A refused action: the reason on a page of its own, or as a fragment for htmx."""
    context = {"reason": reason, "back_url": back_url, "status": status}
    if is_htmx(request):
        return HttpResponse(
            render_to_string(REFUSAL_FRAGMENT, context, request=request), status=status
        )
    return render(request, REFUSAL_TEMPLATE, context, status=status)


def with_retry_after(response: HttpResponse, error: Exception | None) -> HttpResponse:
    """Tell a rate-limited client when it may try again (``Retry-After``, in seconds)."""
    if isinstance(error, RateLimited):
        response["Retry-After"] = str(error.retry_after)
    return response


def error_response(request, error: Exception, *, back_url: str | None = None) -> HttpResponse:
    """``refusal`` for a service error, with the status (and Retry-After) it calls for."""
    message = getattr(error, "message", "") or str(error)
    response = refusal(request, message, status=http_status_for(error), back_url=back_url)
    return with_retry_after(response, error)
