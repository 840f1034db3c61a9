from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from core.web import refusal

from . import health

RETRY_AFTER_SECONDS = 10


def liveness(request):
    """/health/: the process answers. No dependency is touched, so a database outage
    makes the orchestrator stop sending traffic (readiness), not restart every server."""
    return JsonResponse({"status": "ok"})


def readiness(request):
    """/ready/ (and /healthz, its older name): database, cache, broker and storage answer.

    200 with each dependency "ok", or 503 with Retry-After and the ones that are down.
    """
    checks = health.readiness()
    down = [name for name, state in checks.items() if state != "ok"]
    body = {"status": "down" if down else "ok", "checks": checks}
    if down:
        body["down"] = down
        response = JsonResponse(body, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    else:
        response = JsonResponse(body)
    response["Cache-Control"] = "no-store"
    return response


def trivial(request):
    """The framework's floor, for benchmarks: no database, no template."""
    return HttpResponse("ok", content_type="text/plain")


def permission_denied(request, exception=None):
    """handler403: a refusal nobody caught (a ``PolicyDenied`` from a service), with its reason."""
    reason = getattr(exception, "message", "") or _("You may not do this.")
    return refusal(request, reason, status=403)
