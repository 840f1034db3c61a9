"""Celery tasks of the public pages: thin, take ids, safe to run twice."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from comments.models import Comment
from drafts.models import Draft, DraftVersion

from . import services

OPTIONS = {
    "acks_late": True,
    "soft_time_limit": settings.CELERY_TASK_SOFT_TIME_LIMIT,
    "time_limit": settings.CELERY_TASK_TIME_LIMIT,
    "autoretry_for": (OperationalError, InterfaceError, ConnectionError, TimeoutError),
    "retry_backoff": 5,
    "max_retries": 3,
}


@shared_task(**OPTIONS)
def open_data_build(draft_id: int) -> str | None:
    """Write the draft's open data again; a second run with nothing changed writes nothing."""
    draft = Draft.objects.select_related("lead_ministry").filter(pk=draft_id).first()
    if draft is None:
        return None
    return services.open_data_publish(draft=draft).digest


@shared_task(**OPTIONS)
def open_data_build_for_version(version_id: int) -> str | None:
    draft_id = DraftVersion.objects.filter(pk=version_id).values_list("draft_id", flat=True).first()
    return open_data_build(draft_id) if draft_id else None


@shared_task(**OPTIONS)
def open_data_build_for_comment(comment_id: int) -> str | None:
    draft_id = (
        Comment.objects.filter(pk=comment_id).values_list("version__draft_id", flat=True).first()
    )
    return open_data_build(draft_id) if draft_id else None
