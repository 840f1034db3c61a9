"""Celery tasks for drafts: thin wrappers that take ids and call services."""

from celery import shared_task

from . import selectors, services


@shared_task(acks_late=True)
def consultations_close_due() -> list[int]:
    """Close every consultation whose closing time has passed (run by beat each minute).

    Safe to run twice at once: ``version_close`` locks the row and does nothing
    to a version that is no longer in consultation.
    """
    closed = []
    for version in selectors.versions_due_to_close():
        if services.version_close(version=version):
            closed.append(version.pk)
    return closed
