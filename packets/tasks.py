"""Celery tasks that build review packets: thin, take ids, safe to run twice.

``packet_build`` plans the packet (one ``PacketPart`` row per part) and sends
one ``packet_render_part`` per part (parallel across workers, each holding
only its part in memory); the part that completes the set sends
``packet_finish``. What a part produced is kept in the database, not in the
broker's result store, so a Redis restart loses nothing a build needs.

All are ``acks_late`` with soft and hard time limits, and retry on transient
errors (database or broker connection). Liveness does not wait for the
broker's redelivery: parts beat, and ``packets_recover`` (beat, every 15 s)
sends again what has been silent for ``PACKET_PART_STALL_SECONDS``. Build and
merge tokens make every duplicate a no-op. A task that finally fails marks its
packet failed with the reason.
"""

from __future__ import annotations

import logging

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils.translation import gettext_noop

from . import services

logger = logging.getLogger(__name__)

TRANSIENT_ERRORS = (OperationalError, InterfaceError, ConnectionError, TimeoutError)

OPTIONS = {
    "bind": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "soft_time_limit": settings.CELERY_TASK_SOFT_TIME_LIMIT,
    "time_limit": settings.CELERY_TASK_TIME_LIMIT,
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 5,
    "retry_backoff_max": 120,
    "retry_jitter": True,
    "max_retries": 3,
}


class PacketTask(Task):
    """Marks the packet failed when a packet task gives up, with a reason people can read."""

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        packet_id = kwargs.get("packet_id", args[0] if args else None)
        token = kwargs.get("token", args[1] if len(args) > 1 else None)
        if isinstance(exc, SoftTimeLimitExceeded):
            reason, params = gettext_noop("The build took longer than the time limit."), {}
        else:
            reason = gettext_noop("The build failed: %(error)s")
            params = {"error": f"{type(exc).__name__}: {exc}"[:500]}
        logger.error("packet %s failed: %r", packet_id, exc)
        if packet_id is not None:
            services.packet_fail(packet_id=packet_id, reason=reason, params=params, token=token)


@shared_task(base=PacketTask, **OPTIONS)
def packet_build(self, packet_id: int) -> int:
    """Plan a packet and send its parts; returns the number of parts (0: nothing to do).

    A part whose message cannot be sent (the broker went away) is sent again
    by ``packets_recover``: its row says it is not done.
    """
    plan = services.packet_build_start(packet_id=packet_id)
    if plan is None:
        return 0
    token, count = plan
    for index in range(count):
        services.send_task(packet_render_part, packet_id, token, index)
    return count


@shared_task(base=PacketTask, **OPTIONS)
def packet_render_part(self, packet_id: int, token: str, index: int) -> dict | None:
    return services.packet_render_part(
        packet_id=packet_id, token=token, index=index, task_id=self.request.id
    )


@shared_task(base=PacketTask, **OPTIONS)
def packet_finish(self, packet_id: int, token: str, merge_token: str) -> bool:
    return services.packet_finish(packet_id=packet_id, token=token, merge_token=merge_token)


@shared_task(acks_late=True, autoretry_for=TRANSIENT_ERRORS, retry_backoff=5, max_retries=3)
def packets_recover() -> int:
    """Run by beat: send again the builds, parts and merges that went silent."""
    return services.packets_recover()


@shared_task(
    bind=True, acks_late=True, autoretry_for=TRANSIENT_ERRORS, retry_backoff=5, max_retries=3
)
def packet_request_for_closed_version(self, version_id: int) -> int | None:
    """Request the closing packet of a version; a second run finds the same packet."""
    packet = services.packet_request_for_closed_version(version_id=version_id)
    return packet.pk if packet else None


__all__ = [
    "packet_build",
    "packet_finish",
    "packet_render_part",
    "packet_request_for_closed_version",
    "packets_recover",
]
