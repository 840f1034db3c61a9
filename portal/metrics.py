"""/metrics for Prometheus: django-prometheus' request metrics plus the portal's own.

Only a scraper on the private network, or one that shows METRICS_TOKEN as a bearer
token, may read it: a public portal must not publish its internals.
"""

from __future__ import annotations

import hmac
import ipaddress
import os

from django.conf import settings
from django.http import HttpResponse
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily

QUEUE_TIMEOUT_SECONDS = 0.5
# kombu's Redis transport keeps a queue as one list per priority step; a message
# without a priority is on the plain name.
PRIORITY_SEPARATOR = "\x06\x16"
PRIORITY_STEPS = (0, 3, 6, 9)


def queue_depth(broker_url: str, queue: str) -> int | None:
    """Messages waiting in the queue, or None when it cannot be known (not Redis, no answer)."""
    if not broker_url.startswith(("redis://", "rediss://")):
        return None
    import redis

    client = redis.Redis.from_url(
        broker_url,
        socket_timeout=QUEUE_TIMEOUT_SECONDS,
        socket_connect_timeout=QUEUE_TIMEOUT_SECONDS,
    )
    try:
        pipe = client.pipeline(transaction=False)
        for step in PRIORITY_STEPS:
            pipe.llen(queue if step == 0 else f"{queue}{PRIORITY_SEPARATOR}{step}")
        return sum(pipe.execute())
    except (redis.RedisError, OSError):
        return None
    finally:
        client.close()


class QueueDepthCollector:
    """Reads the Celery queue's length from Redis at each scrape; unknown gives no sample."""

    def collect(self):
        queue = settings.CELERY_TASK_DEFAULT_QUEUE
        depth = queue_depth(settings.CELERY_BROKER_URL, queue)
        if depth is None:
            return
        family = GaugeMetricFamily(
            "portal_celery_queue_depth", "Celery tasks waiting in the queue.", labels=["queue"]
        )
        family.add_metric([queue], depth)
        yield family


def scrape_allowed(request) -> bool:
    """A bearer token equal to METRICS_TOKEN, or a direct request from a private address.

    A request that came through the reverse proxy (it sets X-Forwarded-For) is a
    public one whatever its source address, which is then the proxy's.
    """
    token = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    if token and given.startswith("Bearer "):
        return hmac.compare_digest(given.removeprefix("Bearer ").encode(), token.encode())
    if "X-Forwarded-For" in request.headers:
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return address.is_private or address.is_loopback


def registry() -> CollectorRegistry:
    """This process's metrics, or every gunicorn worker's when they share a folder."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        shared = CollectorRegistry()
        multiprocess.MultiProcessCollector(shared)
        return shared
    return REGISTRY


def metrics(request):
    if not scrape_allowed(request):
        return HttpResponse("Forbidden\n", status=403, content_type="text/plain")
    portal = CollectorRegistry(auto_describe=False)
    portal.register(QueueDepthCollector())
    body = generate_latest(registry()) + generate_latest(portal)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
