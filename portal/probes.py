"""Answer the probes and /metrics before host validation and the HTTPS redirect.

The orchestrator's health check, the reverse proxy and Prometheus reach a server
by its internal address (``http://web:8000/ready/``), over plain HTTP and with a
Host header that is not one of ALLOWED_HOSTS. Django would answer them 400 (or a
redirect to https); this middleware, placed before those checks, hands the probe
paths straight to their views. It reads nothing from the Host header.
"""

from . import metrics, views

PROBES = {
    "/health/": views.liveness,
    "/ready/": views.readiness,
    "/healthz": views.readiness,
    "/metrics": metrics.metrics,  # decides who may read it by itself
}


class ProbeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        view = PROBES.get(request.path_info)
        if view is not None and request.method in ("GET", "HEAD"):
            return view(request)
        return self.get_response(request)
