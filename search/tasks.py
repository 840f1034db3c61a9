"""Celery tasks of search: they take ids, may run twice, and call ``search.services``."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from drafts.models import DraftVersion

from . import services

OPTIONS = {
    "bind": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "soft_time_limit": settings.CELERY_TASK_SOFT_TIME_LIMIT,
    "time_limit": settings.CELERY_TASK_TIME_LIMIT,
    "autoretry_for": (OperationalError, InterfaceError, ConnectionError, TimeoutError),
    "retry_backoff": 5,
    "retry_backoff_max": 120,
    "max_retries": 3,
}


@shared_task(**OPTIONS)
def search_index_version(self, version_id: int) -> int:
    """Index a version's provisions (a new working version, copied in bulk). Idempotent."""
    version = DraftVersion.objects.filter(pk=version_id).first()
    if version is None:
        return 0
    return services.index_version(version=version)


@shared_task(**OPTIONS)
def search_index_organisation_comments(self, organisation_id: int) -> int:
    """Index again the comments of a renamed organisation (their rows carry its names)."""
    return services.index_organisation_comments(organisation_id=organisation_id)


@shared_task(**OPTIONS)
def search_reindex(self, reindex_id: int) -> str:
    """Rebuild the index of a draft (or all of it) with progress on its ``Reindex`` row."""
    job = services.reindex_run(reindex_id=reindex_id)
    return job.status if job else "missing"
