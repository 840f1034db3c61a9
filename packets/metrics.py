"""Prometheus metrics of packet builds, observed by the services when a build ends.

They live in the process that builds (a Celery worker); the worker serves them on
its own metrics port (portal/celery.py, docs/operations.md).
"""

from prometheus_client import Counter, Histogram

BUILD_SECONDS = Histogram(
    "portal_packet_build_seconds",
    "Time from the start of a packet's build attempt to the packet being ready.",
    buckets=(5, 15, 30, 60, 120, 300, 600, 900, 1200, 1800, 3600),
)
FAILURES = Counter("portal_packet_failures_total", "Packet builds that ended failed.")


def build_finished(packet) -> None:
    if packet.started_at and packet.finished_at:
        BUILD_SECONDS.observe((packet.finished_at - packet.started_at).total_seconds())


def build_failed() -> None:
    FAILURES.inc()
