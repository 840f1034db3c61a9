"""Celery tasks that build review packets: thin, take ids, safe to run twice.

``packet_build`` plans the packet and starts a chord: one ``packet_render_part``
per part (parallel across workers, each holding only its part in memory), then
``packet_finish``. All are ``acks_late`` with soft and hard time limits, so a
worker killed mid-task leaves the message to be delivered again; they retry on
transient errors (database or broker connection). A task that finally fails
marks its packet failed with the reason.
"""

from __future__ import annotations

import logging

from celery import Task, chord, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils.translation import gettext as _

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
        packet_id = kwargs.get("packet_id")
        if packet_id is None:
            packet_id = args[1] if self.name.endswith("packet_finish") else (args or [None])[0]
        token = kwargs.get("token")
        if token is None and self.name.endswith(("packet_render_part", "packet_finish")):
            token = args[2] if self.name.endswith("packet_finish") else args[1]
        if isinstance(exc, SoftTimeLimitExceeded):
            reason = _("The build took longer than the time limit.")
        else:
            reason = _("The build failed: %(error)s") % {
                "error": f"{type(exc).__name__}: {exc}"[:500]
            }
        logger.error("packet %s failed: %r", packet_id, exc)
        if packet_id is not None:
            services.packet_fail(packet_id=packet_id, reason=reason, token=token)


@shared_task(base=PacketTask, **OPTIONS)
def packet_build(self, packet_id: int) -> int:
    """Plan a packet and start rendering its parts; returns the number of parts (0: nothing to do)."""
    plan = services.packet_build_start(packet_id=packet_id)
    if plan is None:
        return 0
    token, count = plan
    header = [packet_render_part.si(packet_id, token, index) for index in range(count)]
    chord(header)(packet_finish.s(packet_id, token))
    return count


@shared_task(base=PacketTask, **OPTIONS)
def packet_render_part(self, packet_id: int, token: str, index: int) -> dict | None:
    return services.packet_render_part(packet_id=packet_id, token=token, index=index)


@shared_task(base=PacketTask, **OPTIONS)
def packet_finish(self, results: list, packet_id: int, token: str) -> bool:
    return services.packet_finish(packet_id=packet_id, token=token, results=results)


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
]
