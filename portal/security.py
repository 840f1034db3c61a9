"""Security glue that does not belong to one app: the sign-in lockout page and
the API explorer's own Content-Security-Policy."""

from csp.decorators import csp_update
from django.conf import settings
from django.shortcuts import render
from drf_spectacular.views import SpectacularSwaggerSplitView


def lockout_response(request, original_response=None, credentials=None):
    """django-axes calls this when a username/address pair has failed too often."""
    cooloff = settings.AXES_COOLOFF_TIME
    minutes = max(1, int(cooloff.total_seconds() // 60)) if cooloff else None
    return render(
        request,
        "registration/locked_out.html",
        {"failure_limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes},
        status=429,
    )


# Swagger UI is loaded from the local sidecar files and its start-up script is
# served as a file by the split view, so scripts stay 'self'. Its stylesheet
# sets styles from JavaScript, which needs inline styles: relaxed on this page only.
api_docs = csp_update({"style-src": ["'unsafe-inline'"]})(
    SpectacularSwaggerSplitView.as_view(url_name="api-schema")
)
