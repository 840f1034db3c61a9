from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from core.web import refusal


def healthz(request):
    """For the load balancer and docker-compose: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def trivial(request):
    """The framework's floor, for benchmarks: no database, no template."""
    return HttpResponse("ok", content_type="text/plain")


def permission_denied(request, exception=None):
    """handler403: a refusal nobody caught (a ``PolicyDenied`` from a service), with its reason."""
    reason = getattr(exception, "message", "") or _("You may not do this.")
    return refusal(request, reason, status=403)
