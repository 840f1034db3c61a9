from django.db import connection
from django.http import HttpResponse, JsonResponse


def healthz(request):
    """For the load balancer and docker-compose: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def trivial(request):
    """The framework's floor, for benchmarks: no database, no template."""
    return HttpResponse("ok", content_type="text/plain")
